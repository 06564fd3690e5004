package provider

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
)

func TestErrorTable(t *testing.T) {
	t.Parallel()
	ec := errorContext{
		EIPID: "eip-abcd1234", Region: "ap-guangzhou",
		Target:  client.Target{InstanceID: "ins-abcd1234"},
		Address: &client.Address{ID: "eip-abcd1234", Status: client.StatusBind, InstanceID: "ins-other000"},
	}
	eniContext := ec
	eniContext.Target = client.Target{NetworkInterfaceID: "eni-abcd1234", PrivateIP: "10.0.0.12"}
	quotaContext := ec
	quotaContext.Quota = &client.Quota{ID: client.QuotaDailyReallocation, Current: 10, Limit: 10}

	tests := []struct {
		name      string
		op        operation
		err       *client.APIError
		ec        errorContext
		outcome   outcome
		attribute string // "" for a resource-level diagnostic
		summary   string
		detail    []string
	}{
		{name: "not found on delete is success", op: opDelete, err: apiErr("InvalidAddressId.NotFound"), outcome: outcomeAlreadyDone},
		{name: "not found on create", op: opCreate, err: apiErr("InvalidAddressId.NotFound"), attribute: "eip_id",
			summary: "EIP not found", detail: []string{"No EIP eip-abcd1234 exists in region ap-guangzhou"}},
		{name: "not found on import", op: opImport, err: apiErr("InvalidAddressId.NotFound"), attribute: "eip_id",
			summary: "EIP not found"},
		{name: "blocked on delete", op: opDelete, err: apiErr("InvalidAddressId.Blocked"), attribute: "eip_id",
			summary: "EIP is blocked", detail: []string{"Unblock it first"}},
		{name: "blocked on create", op: opCreate, err: apiErr("InvalidAddressId.Blocked"), attribute: "eip_id",
			summary: "EIP is blocked"},
		{name: "status on delete rechecks", op: opDelete, err: apiErr("InvalidAddressIdStatus.NotPermit"), outcome: outcomeRecheck,
			attribute: "eip_id", summary: "cannot be unbound", detail: []string{"is BIND"}},
		{name: "status on create names the binding", op: opCreate, err: apiErr("InvalidAddressIdStatus.NotPermit"),
			outcome: outcomeRecheck, attribute: "eip_id", summary: "EIP is already bound", detail: []string{"bound to instance ins-other000"}},
		{name: "unsupported status on create", op: opCreate, err: apiErr("UnsupportedOperation.AddressStatusNotPermit"),
			outcome: outcomeRecheck, attribute: "eip_id", summary: "EIP is already bound"},
		{name: "instance not found", op: opCreate, err: apiErr("InvalidInstanceId.NotFound"), attribute: "instance_id",
			summary: "Instance not found", detail: []string{"No instance ins-abcd1234"}},
		{name: "instance state", op: opCreate, err: apiErr("InvalidInstance.NotSupported"), attribute: "instance_id",
			summary: "Instance cannot take an EIP"},
		{name: "instance has an EIP", op: opCreate, err: apiErr("InvalidInstanceId.AlreadyBindEip"), attribute: "instance_id",
			summary: "Instance already has an EIP"},
		{name: "eni not found", op: opCreate, err: apiErr("InvalidNetworkInterfaceId.NotFound"), ec: eniContext,
			attribute: "network_interface_id", summary: "Network interface not found", detail: []string{"eni-abcd1234"}},
		{name: "ip not on eni", op: opCreate, err: apiErr("InvalidParameterValue.PrivateIpAddressNotMatch"), ec: eniContext,
			attribute: "private_ip", summary: "Private IP is not on the network interface", detail: []string{"10.0.0.12"}},
		{name: "ip has an EIP", op: opCreate, err: apiErr("InvalidPrivateIpAddress.AlreadyBindEip"), ec: eniContext,
			attribute: "private_ip", summary: "Private IP already has an EIP"},
		{name: "daily quota", op: opDelete, err: apiErr("AddressQuotaLimitExceeded.DailyAllocate"), ec: quotaContext,
			attribute: "reallocate_normal_public_ip", summary: "Daily quota",
			detail: []string{"today's count is 10 of 10", "set reallocate_normal_public_ip = false", "wait until"}},
		{name: "daily quota without numbers", op: opDelete, err: apiErr("AddressQuotaLimitExceeded.DailyAllocate"),
			attribute: "reallocate_normal_public_ip", summary: "Daily quota", detail: []string{"10 per account per day"}},
		{name: "not the primary ip", op: opDelete, err: apiErr("InvalidParameterValue.OnlySupportedForMasterNetworkCard"),
			attribute: "reallocate_normal_public_ip", summary: "cannot be reallocated",
			detail: []string{"primary private IP of an instance's primary network interface", "reallocate_normal_public_ip = false"}},
		{name: "auth", op: opRead, err: apiErr("AuthFailure.SignatureFailure"), summary: "refused the credentials",
			detail: []string{EnvSecretID, EnvSecretKey, EnvSecurityToken, "clock"}},
		{name: "auth on delete", op: opDelete, err: apiErr("AuthFailure.SecretIdNotFound"), summary: "refused the credentials"},
		{name: "cam", op: opCreate, err: apiErr("UnauthorizedOperation"), summary: "Not authorized", detail: []string{"vpc:AssociateAddress"}},
		{name: "task failed", op: opCreate, err: &client.APIError{Action: "AssociateAddress", Code: client.CodeTaskFailed, TaskID: "4242", Message: "the task ended FAILED"},
			summary: "task failed", detail: []string{"TaskId: 4242"}},
		{name: "task failed on delete", op: opDelete, err: &client.APIError{Action: "DisassociateAddress", Code: client.CodeTaskFailed, TaskID: "77"},
			summary: "task failed", detail: []string{"TaskId: 77"}},
		{name: "timeout", op: opDelete, err: &client.APIError{Action: "DisassociateAddress", Code: client.CodeTimeout, Elapsed: 5 * time.Minute,
			Message: "the EIP eip-abcd1234 was still UNBINDING after 5m0s"}, summary: "Timed out", detail: []string{"raise the resource's", "5m0s"}},
		{name: "interrupted", op: opCreate, err: &client.APIError{Action: "AssociateAddress", Code: client.CodeCanceled,
			Message: "interrupted while waiting for the EIP eip-abcd1234"}, summary: "Interrupted", detail: []string{"next terraform plan or apply"}},
		{name: "throttling spent", op: opCreate, err: &client.APIError{Action: "AssociateAddress", Code: "RequestLimitExceeded",
			RequestID: "req-9", Attempts: 7, Elapsed: 42 * time.Second}, summary: "kept failing",
			detail: []string{"Code: RequestLimitExceeded", "Attempts: 7 over 42s", "RequestId: req-9"}},
		{name: "mutex spent", op: opDelete, err: &client.APIError{Action: "DisassociateAddress", Code: "OperationDenied.MutexTaskRunning", Attempts: 3, Elapsed: time.Minute},
			summary: "kept failing", detail: []string{"OperationDenied.MutexTaskRunning", "over 1m0s"}},
		{name: "internal error spent", op: opRead, err: &client.APIError{Action: "DescribeAddresses", Code: "InternalError", Attempts: 2},
			summary: "kept failing"},
		{name: "network spent", op: opRead, err: &client.APIError{Action: "DescribeAddresses", Code: client.CodeNetworkError, Attempts: 4,
			Message: "Fail to get response: connection reset by peer"}, summary: "kept failing", detail: []string{"connection reset", "RequestId: (none)"}},
		{name: "anything else", op: opCreate, err: &client.APIError{Action: "AssociateAddress", Code: "Whatever.NewCode", Message: "m", RequestID: "r-1"},
			summary: "Tencent Cloud API error", detail: []string{"Code: Whatever.NewCode", "Message: m", "RequestId: r-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := tt.ec
			if ctx.EIPID == "" {
				ctx = ec
			}
			rule, _ := ruleFor(tt.op, tt.err)
			if rule.outcome != tt.outcome {
				t.Fatalf("outcome = %v, want %v", rule.outcome, tt.outcome)
			}
			if tt.outcome == outcomeAlreadyDone {
				return
			}
			d := diagnose(tt.op, "doing a thing", tt.err, ctx)
			checkDiagnostic(t, d, tt.attribute, tt.summary, append(tt.detail, "While doing a thing",
				"Code: "+tt.err.Code, "RequestId: "))
		})
	}
}

func TestErrorTableNonAPIError(t *testing.T) {
	t.Parallel()
	d := diagnose(opCreate, "binding", errors.New("boom"), errorContext{EIPID: "eip-1"})
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
		"RequestLimitExceeded", "Other"} {
		errs = append(errs, apiErr(code))
	}
	for _, e := range errs {
		for _, op := range []operation{opCreate, opRead, opDelete, opImport} {
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
