package provider

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
)

// This file is the one place where API errors become diagnostics: the table
// below says, for each error and operation, what the resource does and what
// the user reads. Every diagnostic's detail gives the cause and the remedy,
// then the Code, Message and RequestId to hand to support.

type operation string

const (
	opCreate operation = "create"
	opRead   operation = "read"
	opDelete operation = "delete"
	opImport operation = "import"
)

// outcome is what the resource does with an error, besides reporting it.
type outcome int

const (
	// report the diagnostic.
	outcomeReport outcome = iota
	// the EIP is gone: a delete has nothing left to do.
	outcomeAlreadyDone
	// look at the address again before deciding: the call may have been
	// refused because an earlier try of it went through.
	outcomeRecheck
)

// errorContext is what the messages may name.
type errorContext struct {
	EIPID   string
	Target  client.Target
	Region  string
	Address *client.Address // the latest observation, if any
	Quota   *client.Quota   // the daily reallocation quota, if fetched
}

type errorRule struct {
	match     func(*client.APIError) bool
	ops       []operation // empty: every operation
	outcome   outcome
	attribute string // the attribute to blame; empty: the resource
	summary   string
	detail    func(errorContext) string // cause and remedy
}

var errorRules = []errorRule{
	{
		match: is(client.IsNotFound), ops: []operation{opDelete},
		outcome: outcomeAlreadyDone,
	},
	{
		match: is(client.IsNotFound), attribute: "eip_id",
		summary: "EIP not found",
		detail: func(c errorContext) string {
			return fmt.Sprintf("No EIP %s exists in region %s. Check the id, and that the provider's region is the EIP's region.", c.EIPID, c.Region)
		},
	},
	{
		match: codes("InvalidAddressId.Blocked"), attribute: "eip_id",
		summary: "EIP is blocked",
		detail: func(c errorContext) string {
			return fmt.Sprintf("The EIP %s is blocked, and a blocked EIP can be neither bound nor unbound. "+
				"Unblock it first (Tencent Cloud console, or support), then run the command again.", c.EIPID)
		},
	},
	{
		match: is(client.IsStatusNotPermit), ops: []operation{opDelete},
		outcome: outcomeRecheck, attribute: "eip_id",
		summary: "EIP cannot be unbound in its current status",
		detail: func(c errorContext) string {
			return fmt.Sprintf("The EIP %s is %s; only a bound EIP (BIND or BIND_ENI) can be unbound. "+
				"Wait for the operation in progress to finish, then run the command again.", c.EIPID, c.status())
		},
	},
	{
		match: is(client.IsStatusNotPermit), ops: []operation{opCreate},
		outcome: outcomeRecheck, attribute: "eip_id",
		summary: "EIP is already bound",
		detail: func(c errorContext) string {
			return fmt.Sprintf("The EIP %s is already bound to %s (status %s), and only an unbound EIP can be bound. "+
				"Unbind it first (or remove the configuration that binds it), or choose another EIP.", c.EIPID, c.boundTo(), c.status())
		},
	},
	{
		match: codes("OperationDenied.AddressInArrears"), attribute: "eip_id",
		summary: "EIP is in arrears",
		detail: func(c errorContext) string {
			return fmt.Sprintf("The EIP %s is isolated because the account is in arrears, and cannot be bound. "+
				"Top up the account, then run the command again.", c.EIPID)
		},
	},
	{
		match: codes("InvalidParameterValue.AddressIdMalformed"), attribute: "eip_id",
		summary: "EIP id refused",
		detail: func(c errorContext) string {
			return fmt.Sprintf("The API does not accept %q as an EIP id. Use the id shown in the console, such as eip-1a2b3c4d.", c.EIPID)
		},
	},
	{
		match: codes("InvalidInstanceId.NotFound", "InvalidParameterValue.InstanceIdMalformed"), ops: []operation{opCreate}, attribute: "instance_id",
		summary: "Instance not found",
		detail: func(c errorContext) string {
			return fmt.Sprintf("No instance %s exists in region %s. Check the id and the provider's region.", c.Target.InstanceID, c.Region)
		},
	},
	{
		match: codes("InvalidInstance.NotSupported", "UnsupportedOperation.InstanceStateNotSupported"), ops: []operation{opCreate}, attribute: "instance_id",
		summary: "Instance cannot take an EIP in its current state",
		detail: func(c errorContext) string {
			return fmt.Sprintf("The instance %s is in a state that does not allow binding an EIP (for example still launching, "+
				"or failed to launch). Wait until it is running, or choose another instance.", c.Target.InstanceID)
		},
	},
	{
		match: codes("InvalidInstanceId.AlreadyBindEip"), ops: []operation{opCreate}, attribute: "instance_id",
		summary: "Instance already has an EIP",
		detail: func(c errorContext) string {
			return fmt.Sprintf("The instance %s already holds an EIP on its primary private IP. Unbind that EIP first, or bind "+
				"this one to another private IP with network_interface_id and private_ip.", c.Target.InstanceID)
		},
	},
	{
		match: codes("InvalidNetworkInterfaceId.NotFound", "InvalidParameterValue.NetworkInterfaceNotFound"), ops: []operation{opCreate}, attribute: "network_interface_id",
		summary: "Network interface not found",
		detail: func(c errorContext) string {
			return fmt.Sprintf("No network interface %s exists in region %s, or %s is not one of its private IPs. "+
				"Check the id, the IP and the provider's region.", c.Target.NetworkInterfaceID, c.Region, c.Target.PrivateIP)
		},
	},
	{
		match: codes("InvalidParameterValue.PrivateIpAddressNotMatch"), ops: []operation{opCreate}, attribute: "private_ip",
		summary: "Private IP is not on the network interface",
		detail: func(c errorContext) string {
			return fmt.Sprintf("The private IP %s is not assigned to the network interface %s. Use one of that interface's "+
				"private IPs, or assign this IP to it first.", c.Target.PrivateIP, c.Target.NetworkInterfaceID)
		},
	},
	{
		match: codes("InvalidPrivateIpAddress.AlreadyBindEip"), ops: []operation{opCreate}, attribute: "private_ip",
		summary: "Private IP already has an EIP",
		detail: func(c errorContext) string {
			return fmt.Sprintf("The private IP %s of %s already holds an EIP. Unbind that EIP first, or choose another private IP.",
				c.Target.PrivateIP, c.Target.NetworkInterfaceID)
		},
	},
	{
		match: codes("AddressQuotaLimitExceeded.DailyAllocate"), ops: []operation{opDelete}, attribute: "reallocate_normal_public_ip",
		summary: "Daily quota of normal public IP reallocations used up",
		detail: func(c errorContext) string {
			usage := "today's quota (10 per account per day) is used up"
			if c.Quota != nil {
				usage = fmt.Sprintf("today's count is %d of %d", c.Quota.Current, c.Quota.Limit)
			}
			return fmt.Sprintf("Unbinding %s with reallocate_normal_public_ip = true gives the instance a new normal public IP, "+
				"and %s. The EIP is still bound. Either set reallocate_normal_public_ip = false, run terraform apply "+
				"(it changes no cloud resource), and destroy again to unbind without a new public IP; or wait until "+
				"tomorrow (China Standard Time) and run the command again.", c.EIPID, usage)
		},
	},
	{
		match: codes("InvalidParameterValue.OnlySupportedForMasterNetworkCard"), ops: []operation{opDelete}, attribute: "reallocate_normal_public_ip",
		summary: "A normal public IP cannot be reallocated for this binding",
		detail: func(c errorContext) string {
			return fmt.Sprintf("The EIP %s is bound to %s. A normal public IP can be given back only when the EIP sits on the "+
				"primary private IP of an instance's primary network interface. The EIP is still bound. Set "+
				"reallocate_normal_public_ip = false, run terraform apply (it changes no cloud resource), and destroy again.",
				c.EIPID, c.boundTo())
		},
	},
	{
		match:   is(client.IsAuthFailure),
		summary: "Tencent Cloud refused the credentials",
		detail: func(errorContext) string {
			return "Check the secret ID and secret key (provider arguments secret_id and secret_key, or the environment " +
				"variables " + EnvSecretID + " and " + EnvSecretKey + ", or the SDK credentials file), that temporary " +
				"credentials (security_token or " + EnvSecurityToken + ") have not expired, and that this machine's clock " +
				"is right: requests signed more than 5 minutes off are refused."
		},
	},
	{
		match:   func(e *client.APIError) bool { return strings.HasPrefix(e.Code, "UnauthorizedOperation") },
		summary: "Not authorized",
		detail: func(errorContext) string {
			return "The credentials are valid, but their CAM policy does not allow this action on this EIP. Grant the " +
				"vpc:AssociateAddress, vpc:DisassociateAddress, vpc:DescribeAddresses, vpc:DescribeTaskResult and " +
				"vpc:DescribeAddressQuota actions (and vpc:DescribeNetworkInterfaces to import by the EIP id alone), then run " +
				"the command again."
		},
	},
	{
		match:   codes(client.CodeTaskFailed),
		summary: "The asynchronous task failed",
		detail: func(c errorContext) string {
			return fmt.Sprintf("Tencent Cloud accepted the request for EIP %s, but its task ended FAILED; the EIP is %s. "+
				"Run the command again. If it fails again, give the TaskId below to Tencent Cloud support.", c.EIPID, c.status())
		},
	},
	{
		match:   is(client.IsTLSFailure),
		summary: "The endpoint's TLS certificate could not be verified",
		detail: func(errorContext) string {
			return "The HTTPS connection to the API endpoint failed certificate verification. Check the endpoint argument " +
				"(or " + EnvEndpoint + "), the system's CA certificates, and any proxy intercepting HTTPS."
		},
	},
	{
		match:   codes(client.CodeCanceled),
		summary: "Interrupted",
		detail: func(c errorContext) string {
			return fmt.Sprintf("The operation on EIP %s was interrupted (Ctrl-C or a stop signal) before it finished. "+
				"A request already sent may still complete in the cloud: the next terraform plan or apply reads what "+
				"the cloud shows and carries on from there.", c.EIPID)
		},
	},
	{
		match:   codes(client.CodeTimeout),
		summary: "Timed out",
		detail: func(c errorContext) string {
			return fmt.Sprintf("The operation on EIP %s did not finish within its timeout. Nothing was undone: the next "+
				"terraform apply or destroy picks up from what the cloud shows. To wait longer, raise the resource's "+
				"timeouts (create, delete).", c.EIPID)
		},
	},
	{
		match:   is(client.IsRetryable),
		summary: "The Tencent Cloud API kept failing",
		detail: func(c errorContext) string {
			return "The call failed with an error that usually passes (throttling, a busy EIP, a server or network " +
				"problem) and was retried until the operation's time ran out. Run the command again; if it keeps " +
				"failing, raise the resource's timeouts, or lower write_requests_per_second when other tools share the " +
				"account's API quota."
		},
	},
	{
		match:   func(*client.APIError) bool { return true },
		outcome: outcomeReport,
		summary: "Tencent Cloud API error",
		detail: func(c errorContext) string {
			return fmt.Sprintf("The API refused a call made for EIP %s. The code and message below say why.", c.EIPID)
		},
	},
}

// is adapts one of the client's error predicates to the table.
func is(predicate func(error) bool) func(*client.APIError) bool {
	return func(e *client.APIError) bool { return predicate(e) }
}

func codes(want ...string) func(*client.APIError) bool {
	return func(e *client.APIError) bool { return slices.Contains(want, e.Code) }
}

// ruleFor returns the first rule matching the error in the operation.
func ruleFor(op operation, err error) (errorRule, *client.APIError) {
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) {
		apiErr = &client.APIError{Code: "ClientError.Unknown", Message: err.Error()}
	}
	return errorRules[ruleIndex(op, apiErr)], apiErr
}

func ruleIndex(op operation, apiErr *client.APIError) int {
	for i, r := range errorRules {
		if (len(r.ops) == 0 || slices.Contains(r.ops, op)) && r.match(apiErr) {
			return i
		}
	}
	return len(errorRules) - 1 // the last rule matches every error anyway
}

// diagnose turns an error met during op into the diagnostic the table says.
// doing says what was being done, in the user's words ("binding EIP
// eip-1 to instance ins-1").
func diagnose(op operation, doing string, err error, ec errorContext) diag.Diagnostic {
	rule, apiErr := ruleFor(op, err)
	detail := fmt.Sprintf("While %s: %s\n\n%s", doing, rule.detail(ec), facts(apiErr))
	summary := rule.summary
	if rule.attribute != "" {
		return diag.NewAttributeErrorDiagnostic(path.Root(rule.attribute), summary, detail)
	}
	return diag.NewErrorDiagnostic(summary, detail)
}

// facts lists the error's identifying fields for support.
func facts(e *client.APIError) string {
	var b strings.Builder
	if e.Action != "" {
		fmt.Fprintf(&b, "Action: %s\n", e.Action)
	}
	fmt.Fprintf(&b, "Code: %s\nMessage: %s\n", e.Code, e.Message)
	if e.TaskID != "" {
		fmt.Fprintf(&b, "TaskId: %s\n", e.TaskID)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, "Attempts: %d over %s\n", e.Attempts, e.Elapsed.Round(time.Millisecond))
	}
	requestID := e.RequestID
	if requestID == "" {
		requestID = "(none)"
	}
	fmt.Fprintf(&b, "RequestId: %s", requestID)
	return b.String()
}

func (c errorContext) status() string {
	if c.Address == nil {
		return "in a status that does not allow it"
	}
	return c.Address.Status
}

func (c errorContext) boundTo() string {
	if c.Address == nil {
		return "another target"
	}
	return c.Address.Describe()
}
