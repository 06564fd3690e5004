package provider

import (
	"crypto/tls"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
)

func TestErrorTable(t *testing.T) {
	t.Parallel()
	ec := facts{
		EIPID: "eip-abcd1234", Region: "ap-guangzhou", Endpoint: "https://vpc.example.com",
		Target:  client.Target{InstanceID: "ins-abcd1234"},
		Address: &client.Address{ID: "eip-abcd1234", Status: client.StatusBind, InstanceID: "ins-other000"},
		Timeout: "timeouts.create",
	}
	eniContext := ec
	eniContext.Target = client.Target{NetworkInterfaceID: "eni-abcd1234", PrivateIP: "10.0.0.12"}
	quotaContext := ec
	quotaContext.Quota = &client.Quota{ID: "DAILY_PUBLIC_IP_ASSIGN", Current: 10, Limit: 10}
	accepted := ec
	accepted.Accepted = true
	deleteContext := ec
	deleteContext.Timeout = "timeouts.delete"
	deleteAccepted := deleteContext
	deleteAccepted.Accepted = true

	tests := []struct {
		name      string
		op        intent
		err       *client.APIError
		ec        facts
		decision  func(error) bool // the client predicate the resource decides this error with, if any
		attribute string           // "" for a resource-level diagnostic
		summary   string
		detail    []string
	}{
		{name: "not found on create", op: binding, err: apiErr("InvalidAddressId.NotFound"), attribute: "eip_id",
			summary: "EIP not found", detail: []string{"No EIP eip-abcd1234 exists in region ap-guangzhou"}},
		{name: "not found on import", op: reading, err: apiErr("InvalidAddressId.NotFound"), attribute: "eip_id", summary: "EIP not found"},
		{name: "blocked on delete", op: unbinding, err: apiErr("InvalidAddressId.Blocked"), attribute: "eip_id",
			summary: "EIP is blocked", detail: []string{"Unblock it first"}},
		{name: "blocked on create", op: binding, err: apiErr("InvalidAddressId.Blocked"), attribute: "eip_id", summary: "EIP is blocked"},
		{name: "status on delete rechecks", op: unbinding, err: apiErr("InvalidAddressIdStatus.NotPermit"), decision: client.IsStatusNotPermit,
			attribute: "eip_id", summary: "cannot be unbound", detail: []string{"is BIND"}},
		{name: "status on create names the binding", op: binding, err: apiErr("InvalidAddressIdStatus.NotPermit"),
			decision: client.IsStatusNotPermit, attribute: "eip_id", summary: "EIP is bound elsewhere", detail: []string{"bound to instance ins-other000"}},
		{name: "unsupported status on create", op: binding, err: apiErr("UnsupportedOperation.AddressStatusNotPermit"),
			decision: client.IsStatusNotPermit, attribute: "eip_id", summary: "EIP is bound elsewhere"},
		{name: "instance not found", op: binding, err: apiErr("InvalidInstanceId.NotFound"), attribute: "instance_id",
			summary: "Instance not found", detail: []string{"No instance ins-abcd1234"}},
		{name: "instance state", op: binding, err: apiErr("InvalidInstance.NotSupported"), attribute: "instance_id",
			summary: "Instance cannot take an EIP"},
		{name: "instance has an EIP", op: binding, err: apiErr("InvalidInstanceId.AlreadyBindEip"), attribute: "instance_id",
			summary: "Target already holds an EIP"},
		{name: "eni not found", op: binding, err: apiErr("InvalidNetworkInterfaceId.NotFound"), ec: eniContext,
			attribute: "network_interface_id", summary: "Network interface or private IP not found", detail: []string{"eni-abcd1234"}},
		{name: "ip not on eni", op: binding, err: apiErr("InvalidNetworkInterfaceId.NotFound"), ec: eniContext,
			attribute: "network_interface_id", summary: "Network interface or private IP not found", detail: []string{"10.0.0.12 is not one of its private IPs"}},
		{name: "EIP bound to another private IP", op: binding, err: apiErr("InvalidParameterValue.PrivateIpAddressNotMatch"), ec: eniContext,
			decision: client.IsStatusNotPermit, attribute: "eip_id", summary: "EIP is bound elsewhere", detail: []string{"bound to instance ins-other000"}},
		{name: "ip has an EIP", op: binding, err: apiErr("InvalidPrivateIpAddress.AlreadyBindEip"), ec: eniContext,
			attribute: "private_ip", summary: "Target already holds an EIP"},
		{name: "daily quota", op: unbinding, err: apiErr("AddressQuotaLimitExceeded.DailyAllocate"), ec: quotaContext,
			attribute: "reallocate_normal_public_ip", summary: "Daily quota",
			detail: []string{"today's count is 10 of 10", "Set reallocate_normal_public_ip = false", "wait until"}},
		{name: "daily quota without numbers", op: unbinding, err: apiErr("AddressQuotaLimitExceeded.DailyAllocate"),
			attribute: "reallocate_normal_public_ip", summary: "Daily quota", detail: []string{"10 per account per day"}},
		{name: "not the primary ip", op: unbinding, err: apiErr("InvalidParameterValue.OnlySupportedForMasterNetworkCard"),
			attribute: "reallocate_normal_public_ip", summary: "cannot be reallocated",
			detail: []string{"primary private IP of an instance's primary network interface", "reallocate_normal_public_ip = false"}},
		{name: "auth", op: reading, err: apiErr("AuthFailure.SignatureFailure"), summary: "refused the credentials",
			detail: []string{EnvSecretID, EnvSecretKey, EnvSecurityToken, "clock"}},
		{name: "auth on delete", op: unbinding, err: apiErr("AuthFailure.SecretIdNotFound"), summary: "refused the credentials"},
		{name: "cam", op: binding, err: apiErr("UnauthorizedOperation"), summary: "Not authorized", detail: []string{"vpc:AssociateAddress", "cvm:DescribeInstances"}},
		{name: "task failed", op: binding, err: &client.APIError{Action: "AssociateAddress", Code: client.CodeTaskFailed, TaskID: "4242", Message: "the task ended FAILED"},
			summary: "task failed", detail: []string{"TaskId: 4242", "give the TaskId below"}},
		{name: "task failed without a task id", op: binding, err: &client.APIError{Action: "AssociateAddress", Code: client.CodeTaskFailed},
			summary: "task failed", detail: []string{"give the RequestId below"}},
		{name: "task failed on delete", op: unbinding, err: &client.APIError{Action: "DisassociateAddress", Code: client.CodeTaskFailed, TaskID: "77"},
			summary: "task failed", detail: []string{"TaskId: 77"}},
		{name: "timeout of an accepted unbind", op: unbinding, ec: deleteAccepted, err: &client.APIError{Action: "DisassociateAddress", Code: client.CodeTimeout, Elapsed: 5 * time.Minute,
			Message: "the EIP eip-abcd1234 was still UNBINDING after 5m0s"}, summary: "Timed out", detail: []string{"was accepted", "raise timeouts.delete", "5m0s"}},
		{name: "timeout of an unbind not sent", op: unbinding, ec: deleteContext, err: &client.APIError{Action: "DisassociateAddress", Code: client.CodeTimeout},
			summary: "Timed out", detail: []string{"did not start", "still records it"}},
		{name: "interrupted", op: binding, err: &client.APIError{Action: "AssociateAddress", Code: client.CodeCanceled,
			Message: "interrupted while waiting for the EIP eip-abcd1234"}, summary: "Interrupted", detail: []string{"next terraform plan or apply"}},
		{name: "throttling spent", op: binding, err: &client.APIError{Action: "AssociateAddress", Code: "RequestLimitExceeded",
			RequestID: "req-9", Attempts: 7, Elapsed: 42 * time.Second}, summary: "kept failing",
			detail: []string{"Code: RequestLimitExceeded", "Attempts: 7 over 42s", "RequestId: req-9"}},
		{name: "mutex spent", op: unbinding, err: &client.APIError{Action: "DisassociateAddress", Code: "OperationDenied.MutexTaskRunning", Attempts: 3, Elapsed: time.Minute},
			summary: "kept failing", detail: []string{"OperationDenied.MutexTaskRunning", "over 1m0s"}},
		{name: "internal error spent", op: reading, err: &client.APIError{Action: "DescribeAddresses", Code: "InternalError", Attempts: 2},
			summary: "kept failing"},
		{name: "network spent", op: reading, err: &client.APIError{Action: "DescribeAddresses", Code: client.CodeNetworkError, Attempts: 4,
			Message: "Fail to get response: connection reset by peer"}, summary: "Cannot reach the Tencent Cloud API",
			detail: []string{"connection reset", "RequestId: (none)", "https://vpc.example.com", "for up to a minute"}},
		{name: "network spent on a write", op: binding, err: &client.APIError{Action: "AssociateAddress", Code: client.CodeNetworkError, Attempts: 9,
			Message: "connection refused"}, summary: "Cannot reach the Tencent Cloud API", detail: []string{"until the operation's timeout"}},
		{name: "unresolvable name", op: reading, err: unresolvable(), summary: "Cannot reach the Tencent Cloud API",
			detail: []string{"does not resolve", "https://vpc.example.com"}},
		{name: "throttling on a read advises reads", op: reading, err: &client.APIError{Action: "DescribeAddresses", Code: "RequestLimitExceeded.UinLimitExceeded",
			Attempts: 7}, summary: "kept failing", detail: []string{"read_requests_per_second"}},
		{name: "action throttled", op: reading, err: apiErr("LimitExceeded.ActionLimited"), summary: "kept failing", detail: []string{"read_requests_per_second"}},
		{name: "region", op: reading, err: &client.APIError{Action: "DescribeAddresses", Code: "InvalidParameterValue",
			Message: "A value specified in `Region` is not valid"}, summary: "Region not valid", detail: []string{"region argument", EnvRegion, "Nothing was removed"}},
		{name: "unsupported region", op: reading, err: apiErr("UnsupportedRegion"), summary: "Region not valid"},
		{name: "normal public IP on unbind", op: unbinding, err: apiErr("InvalidParameterValue.ResourceNotSupport"), attribute: "eip_id",
			summary: "Not an EIP: a normal public IP", detail: []string{"WanIP", "TransformAddress"}},
		{name: "instance holds a normal public IP", op: binding, err: apiErr("InvalidParameterValue.InstanceHasWanIP"), attribute: "instance_id",
			summary: "Target holds a normal public IP", detail: []string{"ReturnNormalAddresses", "TransformAddress", "primary private IP of instance ins-abcd1234"}},
		{name: "instance stopped without charging", op: binding, err: apiErr("UnsupportedOperation.InstanceStatusNotPermit"), attribute: "instance_id",
			summary: "stopped in no-charge mode", detail: []string{"Start the instance"}},
		{name: "instance state (today's code)", op: binding, err: apiErr("InvalidParameterValue.InvalidInstanceState"), attribute: "instance_id",
			summary: "Instance cannot take an EIP"},
		{name: "instance EIP quota", op: binding, err: apiErr("LimitExceeded.InstanceAddressQuota"), attribute: "instance_id",
			summary: "as many EIPs as it may"},
		{name: "no primary interface to reallocate on", op: unbinding, err: apiErr("FailedOperation.MasterEniNotFound"),
			attribute: "reallocate_normal_public_ip", summary: "cannot be reallocated", detail: []string{"apply the flag change alone first"}},
		{name: "interface information lost", op: binding, err: apiErr("FailedOperation.AddressEniInfoNotFound"), attribute: "eip_id",
			summary: "lost track of the EIP's network interface"},
		{name: "malformed request", op: binding, err: apiErr("InvalidParameterValue.MissingAssociateEntity"),
			summary: "The API refused the provider's request", detail: []string{"report this"}},
		{name: "timeout of an accepted create names untaint", op: binding, ec: accepted, err: &client.APIError{Action: "AssociateAddress", Code: client.CodeTimeout},
			summary: "Timed out", detail: []string{"terraform untaint", "next terraform apply unbinds it", "raise timeouts.create"}},
		{name: "timeout of a create not sent", op: binding, err: &client.APIError{Action: "AssociateAddress", Code: client.CodeTimeout},
			summary: "Timed out", detail: []string{"did not start", "nothing was bound and nothing was recorded"}},
		{name: "an https endpoint speaking plain http", op: reading, err: notTLS(), summary: "does not speak the Tencent Cloud API",
			detail: []string{"plain HTTP server for an https:// URL", "https://vpc.example.com"}},
		{name: "a wrong endpoint's page", op: reading, err: &client.APIError{Action: "DescribeAddresses", Code: client.CodeHTTPStatus, HTTPStatus: 404},
			summary: "does not speak the Tencent Cloud API"},
		{name: "a server error page, retried", op: reading, err: &client.APIError{Action: "DescribeAddresses", Code: client.CodeParseError,
			HTTPStatus: 503, Attempts: 41}, summary: "kept failing",
			detail: []string{"HTTP server error", "HTTP status: 503", "for up to a minute", "https://vpc.example.com"}},
		{name: "normal public IP on an interface", op: binding, ec: eniContext, err: apiErr("InvalidParameterValue.InstanceHasWanIP"),
			attribute: "private_ip", summary: "Target holds a normal public IP", detail: []string{"network interface eni-abcd1234 private IP 10.0.0.12"}},
		{name: "action: daily quota", op: disassociating, err: apiErr("AddressQuotaLimitExceeded.DailyAllocate"), ec: quotaContext,
			attribute: "reallocate_normal_public_ip", summary: "Daily quota",
			detail: []string{"today's count is 10 of 10", "Invoke the action with reallocate_normal_public_ip = false", "wait until"}},
		{name: "action: not the primary ip", op: disassociating, err: apiErr("InvalidParameterValue.OnlySupportedForMasterNetworkCard"),
			attribute: "reallocate_normal_public_ip", summary: "cannot be reallocated", detail: []string{"Invoke the action with"}},
		{name: "action: status", op: disassociating, err: apiErr("InvalidAddressIdStatus.NotPermit"), decision: client.IsStatusNotPermit,
			attribute: "eip_id", summary: "cannot be unbound", detail: []string{"invoke the action again"}},
		{name: "action: timeout of an accepted unbind", op: disassociating, ec: deleteAccepted, err: &client.APIError{Action: "DisassociateAddress", Code: client.CodeTimeout},
			summary: "Timed out", detail: []string{"was accepted", "invoke the action again"}},
		{name: "action: interrupted", op: disassociating, err: &client.APIError{Action: "DisassociateAddress", Code: client.CodeCanceled},
			summary: "Interrupted", detail: []string{"invoke the action again"}},
		{name: "action: blocked", op: disassociating, err: apiErr("InvalidAddressId.Blocked"), attribute: "eip_id", summary: "EIP is blocked"},
		{name: "anything else", op: binding, err: &client.APIError{Action: "AssociateAddress", Code: "Whatever.NewCode", Message: "m", RequestID: "r-1"},
			summary: "Tencent Cloud API error", detail: []string{"Code: Whatever.NewCode", "Message: m", "RequestId: r-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := tt.ec
			if ctx.EIPID == "" {
				ctx = ec
			}
			if tt.decision != nil && !tt.decision(tt.err) {
				t.Fatalf("%s is not recognised by the predicate the resource decides it with", tt.err.Code)
			}
			if tt.summary == "" {
				return
			}
			d := diagnose(tt.op, "doing a thing", tt.err, ctx, subjectOf(ctx.Target))
			checkDiagnostic(t, d, tt.attribute, tt.summary, append(tt.detail, "While doing a thing",
				"Code: "+tt.err.Code, "RequestId: "))
		})
	}
}

func TestErrorTableNonAPIError(t *testing.T) {
	t.Parallel()
	d := diagnose(binding, "binding", errors.New("boom"), facts{EIPID: "eip-1"}, subject{})
	checkDiagnostic(t, d, "", "Tencent Cloud API error", []string{"Message: boom"})
}

func checkDiagnostic(t *testing.T, d diag.Diagnostic, attribute, summary string, detail []string) {
	t.Helper()
	if d.Severity() != diag.SeverityError {
		t.Errorf("severity = %v, want error", d.Severity())
	}
	withPath, isAttr := d.(diag.DiagnosticWithPath)
	switch {
	case attribute == "" && isAttr:
		t.Errorf("diagnostic is on %s, want a resource-level one", withPath.Path())
	case attribute != "" && !isAttr:
		t.Errorf("diagnostic has no attribute, want %s", attribute)
	case attribute != "" && !withPath.Path().Equal(path.Root(attribute)):
		t.Errorf("diagnostic is on %s, want %s", withPath.Path(), attribute)
	}
	if !strings.Contains(d.Summary(), summary) {
		t.Errorf("summary %q does not contain %q", d.Summary(), summary)
	}
	for _, want := range detail {
		if !strings.Contains(d.Detail(), want) {
			t.Errorf("detail does not contain %q:\n%s", want, d.Detail())
		}
	}
}

// unresolvable is the error of a call to a host name that does not resolve.
func unresolvable() *client.APIError {
	return networkError(&net.DNSError{Err: "no such host", Name: "vpc.example.com", IsNotFound: true})
}

// notTLS is the error of an https call answered in plain HTTP.
func notTLS() *client.APIError {
	return networkError(tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"})
}

// networkError is a call that got no reply because of cause, as the client
// reports it.
func networkError(cause error) *client.APIError {
	return &client.APIError{Action: "DescribeAddresses", Code: client.CodeNetworkError, Message: cause.Error(), Cause: cause}
}

func apiErr(code string) *client.APIError {
	return &client.APIError{Action: "SomeAction", Code: code, Message: "message of " + code, RequestID: "req-1"}
}

// Every rule must be reached by some code: a rule that no error reaches is a
// rule nobody checked.
func TestErrorTableEveryRuleIsReached(t *testing.T) {
	t.Parallel()
	reached := map[int]bool{}
	var errs []*client.APIError
	for _, code := range []string{"InvalidAddressId.NotFound", "InvalidAddressId.Blocked", "InvalidAddressIdStatus.NotPermit",
		"OperationDenied.AddressInArrears", "InvalidParameterValue.AddressIdMalformed", "InvalidInstanceId.NotFound",
		"InvalidInstance.NotSupported", "InvalidInstanceId.AlreadyBindEip", "InvalidNetworkInterfaceId.NotFound",
		"InvalidParameterValue.PrivateIpAddressNotMatch", "InvalidPrivateIpAddress.AlreadyBindEip",
		"AddressQuotaLimitExceeded.DailyAllocate", "InvalidParameterValue.OnlySupportedForMasterNetworkCard",
		"AuthFailure.SignatureFailure", "UnauthorizedOperation", client.CodeTaskFailed, client.CodeTimeout, client.CodeCanceled,
		"RequestLimitExceeded", "UnsupportedRegion", "InvalidParameterValue.ResourceNotSupport",
		"UnsupportedOperation.InstanceStatusNotPermit", "InvalidParameterValue.InstanceHasWanIP", "LimitExceeded.InstanceAddressQuota",
		client.CodeNetworkError, "FailedOperation.MasterEniNotFound", "FailedOperation.AddressEniInfoNotFound", "MissingParameter",
		"InvalidParameterValue.InvalidInstanceState", "UnsupportedOperation.AddressStatusNotPermit", "Other"} {
		errs = append(errs, apiErr(code))
	}
	errs = append(errs, unresolvable(), notTLS(), &client.APIError{Action: "DescribeAddresses", Code: client.CodeParseError, HTTPStatus: 503})
	for _, c := range []struct{ action, code string }{
		{"AssumeRole", "ResourceNotFound.RoleNotFound"}, {"AssumeRoleWithWebIdentity", "InternalError.GetRoleError"},
		{"AssumeRole", "UnauthorizedOperation"}, {"AssumeRoleWithWebIdentity", "UnauthorizedOperation"},
		{"AssumeRoleWithWebIdentity", "InvalidParameter.WebIdentityTokenError"}, {"AssumeRoleWithWebIdentity", client.CodeTokenMissing},
		{"AssumeRole", "InvalidParameter.OverTimeError"}, {"AssumeRole", "InvalidParameter.ParamError"},
		{"metadata", client.CodeRoleNotAttached}, {"metadata", client.CodeMetadataUnreachable}, {"metadata", client.CodeInvalidReply},
		{"GetCallerIdentity", "AuthFailure.AccessKeyIllegal"},
	} {
		e := apiErr(c.code)
		e.Action = c.action
		errs = append(errs, e)
	}
	for _, e := range errs {
		for _, op := range intents {
			reached[ruleIndex(op, e)] = true
		}
	}
	for i, r := range errorRules {
		if r.summary == "The endpoint's TLS certificate could not be verified" {
			continue // it matches a cause, not a code: TestAccProvider_tlsFailure reaches it
		}
		if !reached[i] {
			t.Errorf("rule %d (%q) is reached by no code", i, r.summary)
		}
	}
}

// intents lists every intent the provider declares; a new one must be added
// here, and TestErrorTableEveryIntentHasRules then checks it.
var intents = []intent{binding, unbinding, reading, authenticating, disassociating}

// Every intent must get a rule of its own, not the generic "Tencent Cloud API
// error", for what any operation can meet: a new operation added without its
// rules fails here instead of falling through silently.
func TestErrorTableEveryIntentHasRules(t *testing.T) {
	t.Parallel()
	declared := declaredIntents(t)
	if len(declared) != len(intents) {
		t.Fatalf("diagnostics.go declares the intents %v; the test's list has %d: add the new one to it", declared, len(intents))
	}
	common := []*client.APIError{unresolvable(), notTLS(), networkError(errors.New("connection refused"))}
	for _, code := range []string{"AuthFailure.SignatureFailure", "AuthFailure.SecretIdNotFound", "UnauthorizedOperation",
		"RequestLimitExceeded", "UnsupportedRegion", client.CodeTimeout, client.CodeCanceled, client.CodeUnregisteredAction,
		"InternalError"} {
		common = append(common, apiErr(code))
	}
	generic := len(errorRules) - 1
	for _, in := range intents {
		for _, e := range common {
			if ruleIndex(in, e) == generic {
				t.Errorf("intent %q: %s (%s) falls through to the generic rule", in, e.Code, e.Message)
			}
		}
	}
}

// declaredIntents are the names of the constants of type intent in
// diagnostics.go.
func declaredIntents(t *testing.T) []string {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), "diagnostics.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, decl := range file.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			value, ok := spec.(*ast.ValueSpec)
			if !ok {
				continue
			}
			if typ, ok := value.Type.(*ast.Ident); ok && typ.Name == "intent" {
				for _, name := range value.Names {
					names = append(names, name.Name)
				}
			}
		}
	}
	return names
}
