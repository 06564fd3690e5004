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
// below says, for each error and operation, what the user reads and which
// attribute it is about. What the resource does about an error (carry on,
// look again) is decided where the error is met, with the client's
// predicates. Every diagnostic's detail gives the cause and the remedy, then
// the Code, Message and RequestId to hand to support.

type operation string

const (
	opCreate operation = "create"
	opRead   operation = "read"
	opUpdate operation = "update"
	opDelete operation = "delete"
	opImport operation = "import"
	opPlan   operation = "plan"
)

// reads are the operations that only read: their advice never mentions
// writes.
var reads = []operation{opRead, opImport, opPlan}

// situation is what the messages may name.
type situation struct {
	EIPID    string
	Target   client.Target
	Region   string
	Endpoint string
	Address  *client.Address // the latest observation, if any
	Quota    *client.Quota   // the daily reallocation quota, if fetched
}

type errorRule struct {
	match     func(*client.APIError) bool
	ops       []operation // empty: every operation
	attribute string      // the attribute to blame; empty: the resource
	summary   string
	detail    func(op operation, s situation) string // cause and remedy
}

var errorRules = []errorRule{
	{
		match:   is(client.IsInvalidRegion),
		summary: "Region not valid",
		detail: func(_ operation, s situation) string {
			return fmt.Sprintf("The API does not accept the region %q. Check the provider's region argument (or %s): "+
				"it is a region name such as ap-guangzhou or ap-singapore. Nothing was removed from the state.", s.Region, EnvRegion)
		},
	},
	{
		match: is(client.IsNotFound), attribute: "eip_id",
		summary: "EIP not found",
		detail: func(_ operation, s situation) string {
			return fmt.Sprintf("No EIP %s exists in region %s. Check the id, and that the provider's region is the EIP's region.", s.EIPID, s.Region)
		},
	},
	{
		match: codes("InvalidAddressId.Blocked"), attribute: "eip_id",
		summary: "EIP is blocked",
		detail: func(_ operation, s situation) string {
			return fmt.Sprintf("The EIP %s is blocked, and a blocked EIP can be neither bound nor unbound. "+
				"Unblock it first (Tencent Cloud console, or support), then run the command again.", s.EIPID)
		},
	},
	{
		match: is(client.IsStatusNotPermit), ops: []operation{opDelete}, attribute: "eip_id",
		summary: "EIP cannot be unbound in its current status",
		detail: func(_ operation, s situation) string {
			return fmt.Sprintf("The EIP %s is %s; only a bound EIP (BIND or BIND_ENI) can be unbound. "+
				"Wait for the operation in progress to finish, then run the command again.", s.EIPID, s.status())
		},
	},
	{
		match: is(client.IsStatusNotPermit), ops: []operation{opCreate}, attribute: "eip_id",
		summary: "EIP is already bound",
		detail: func(_ operation, s situation) string {
			return fmt.Sprintf("The EIP %s is already bound to %s (status %s), and only an unbound EIP can be bound. "+
				"Unbind it first (or remove the configuration that binds it), or choose another EIP.", s.EIPID, s.boundTo(), s.status())
		},
	},
	{
		match: is(client.IsNormalPublicIP), attribute: "eip_id",
		summary: "Not an EIP: a normal public IP",
		detail: func(_ operation, s situation) string {
			return fmt.Sprintf("The address %s is a normal public IP (address type WanIP), which belongs to its instance and "+
				"cannot be bound or unbound like an EIP. Manage an EIP instead; to turn this address into one, use the "+
				"TransformAddress API (console: \"Convert to EIP\").", s.EIPID)
		},
	},
	{
		match: codes("OperationDenied.AddressInArrears"), attribute: "eip_id",
		summary: "EIP is in arrears",
		detail: func(_ operation, s situation) string {
			return fmt.Sprintf("The EIP %s is isolated because the account is in arrears, and cannot be bound. "+
				"Top up the account, then run the command again.", s.EIPID)
		},
	},
	{
		match: codes("InvalidParameterValue.AddressIdMalformed"), attribute: "eip_id",
		summary: "EIP id refused",
		detail: func(_ operation, s situation) string {
			return fmt.Sprintf("The API does not accept %q as an EIP id. Use the id shown in the console, such as eip-1a2b3c4d.", s.EIPID)
		},
	},
	{
		match: codes("InvalidInstanceId.NotFound", "InvalidParameterValue.InstanceIdMalformed"), ops: []operation{opCreate}, attribute: "instance_id",
		summary: "Instance not found",
		detail: func(_ operation, s situation) string {
			return fmt.Sprintf("No instance %s exists in region %s. Check the id and the provider's region.", s.Target.InstanceID, s.Region)
		},
	},
	{
		match: codes("UnsupportedOperation.InstanceStatusNotPermit"), ops: []operation{opCreate}, attribute: "instance_id",
		summary: "Instance is stopped in no-charge mode",
		detail: func(_ operation, s situation) string {
			return fmt.Sprintf("The instance %s is stopped in no-charge mode, which releases its public network resources, so "+
				"it cannot take an EIP. Start the instance (or stop it in charging mode), then run the command again.", s.Target.InstanceID)
		},
	},
	{
		match: codes("InvalidParameterValue.InvalidInstanceState", "UnsupportedOperation.InstanceStateNotSupported",
			"InvalidInstance.NotSupported"), ops: []operation{opCreate}, attribute: "instance_id",
		summary: "Instance cannot take an EIP in its current state",
		detail: func(_ operation, s situation) string {
			return fmt.Sprintf("The instance %s is in a state that does not allow binding an EIP (for example still launching, "+
				"or failed to launch). Wait until it is running, or choose another instance.", s.Target.InstanceID)
		},
	},
	{
		match: codes("InvalidParameterValue.InstanceHasWanIP"), ops: []operation{opCreate}, attribute: "instance_id",
		summary: "Instance holds a normal public IP",
		detail: func(_ operation, s situation) string {
			return fmt.Sprintf("The instance %s holds a normal public IP on its primary private IP, and on this site an EIP "+
				"cannot be bound where one sits. Either return that IP (ReturnNormalAddresses, or the console's \"Return "+
				"public IP\"), then apply again; or turn it into an EIP (TransformAddress, the console's \"Convert to EIP\") "+
				"and manage that EIP instead of binding this one.", s.Target.InstanceID)
		},
	},
	{
		match: codes("InvalidInstanceId.AlreadyBindEip"), ops: []operation{opCreate}, attribute: "instance_id",
		summary: "Instance already has an EIP",
		detail: func(_ operation, s situation) string {
			return fmt.Sprintf("The instance %s already holds an EIP on its primary private IP. Unbind that EIP first, or bind "+
				"this one to another private IP with network_interface_id and private_ip.", s.Target.InstanceID)
		},
	},
	{
		match: codes("LimitExceeded.InstanceAddressQuota"), ops: []operation{opCreate}, attribute: "instance_id",
		summary: "Instance holds as many EIPs as it may",
		detail: func(_ operation, s situation) string {
			return "The instance has reached its quota of EIPs. Unbind one of its EIPs, or choose another instance."
		},
	},
	{
		match: codes("InvalidNetworkInterfaceId.NotFound", "InvalidParameterValue.NetworkInterfaceNotFound"), ops: []operation{opCreate},
		attribute: "network_interface_id",
		summary:   "Network interface or private IP not found",
		detail: func(_ operation, s situation) string {
			if s.Target.InstanceID != "" {
				return fmt.Sprintf("The instance %s has no network interface the EIP can be bound to. Check the instance.", s.Target.InstanceID)
			}
			return fmt.Sprintf("No network interface %s exists in region %s, or %s is not one of its private IPs. "+
				"Check the id, the IP and the provider's region.", s.Target.NetworkInterfaceID, s.Region, s.Target.PrivateIP)
		},
	},
	{
		match: codes("InvalidPrivateIpAddress.AlreadyBindEip"), ops: []operation{opCreate}, attribute: "private_ip",
		summary: "Private IP already has an EIP",
		detail: func(_ operation, s situation) string {
			return fmt.Sprintf("The private IP %s of %s already holds an EIP. Unbind that EIP first, or choose another private IP.",
				s.Target.PrivateIP, s.Target.NetworkInterfaceID)
		},
	},
	{
		match: codes("AddressQuotaLimitExceeded.DailyAllocate"), ops: []operation{opDelete}, attribute: "reallocate_normal_public_ip",
		summary: "Daily quota of normal public IP reallocations used up",
		detail: func(_ operation, s situation) string {
			usage := "today's quota (10 per account per day) is used up"
			if s.Quota != nil {
				usage = fmt.Sprintf("today's count is %d of %d", s.Quota.Current, s.Quota.Limit)
			}
			return fmt.Sprintf("Unbinding %s with reallocate_normal_public_ip = true gives the instance a new normal public IP, "+
				"and %s. The EIP is still bound. Either set reallocate_normal_public_ip = false, run terraform apply "+
				"(it changes no cloud resource), and run the command again to unbind without a new public IP; or wait until "+
				"tomorrow (China Standard Time) and run the command again. If eip_id changes in the same configuration, "+
				"apply the flag change alone first, then change eip_id.", s.EIPID, usage)
		},
	},
	{
		match: codes("InvalidParameterValue.OnlySupportedForMasterNetworkCard"), ops: []operation{opDelete}, attribute: "reallocate_normal_public_ip",
		summary: "A normal public IP cannot be reallocated for this binding",
		detail: func(_ operation, s situation) string {
			return fmt.Sprintf("The EIP %s is bound to %s. A normal public IP can be given back only when the EIP sits on the "+
				"primary private IP of an instance's primary network interface. The EIP is still bound. Set "+
				"reallocate_normal_public_ip = false, run terraform apply (it changes no cloud resource), and run the command "+
				"again. If eip_id changes in the same configuration, apply the flag change alone first, then change eip_id.",
				s.EIPID, s.boundTo())
		},
	},
	{
		match: codes("FailedOperation.MasterEniNotFound"), ops: []operation{opDelete}, attribute: "reallocate_normal_public_ip",
		summary: "A normal public IP cannot be reallocated for this binding",
		detail: func(_ operation, s situation) string {
			return fmt.Sprintf("The API found no primary network interface to give a normal public IP to for EIP %s; the EIP "+
				"is still bound. %s", s.EIPID, reallocationRemedy)
		},
	},
	{
		match: codes("FailedOperation.AddressEniInfoNotFound"), attribute: "eip_id",
		summary: "The API lost track of the EIP's network interface",
		detail: func(_ operation, s situation) string {
			return fmt.Sprintf("Tencent Cloud could not find the network interface information of EIP %s. Run the command "+
				"again in a few minutes; if it keeps failing, give the RequestId below to Tencent Cloud support.", s.EIPID)
		},
	},
	{
		match: codes("InvalidAction", "InvalidParameter", "InvalidParameterValue", "InvalidParameterConflict", "MissingParameter",
			"UnknownParameter", "NoSuchVersion", "UnsupportedProtocol", "RequestSizeLimitExceeded",
			"InvalidParameterValue.MissingAssociateEntity", "InvalidParameterValue.Combination", "InvalidParameterValue.LimitExceeded",
			"InvalidParameterValue.Malformed", "InvalidParameterValue.NetworkInterfaceIdMalformed", "InvalidParameter.InvalidFilter",
			"InvalidParameter.Coexist", "InvalidParameter.FilterInvalidKey", "LimitExceeded.NumberOfFilters"),
		summary: "The API refused the provider's request",
		detail: func(_ operation, s situation) string {
			return fmt.Sprintf("The API does not accept the request the provider made for EIP %s: the provider or the "+
				"endpoint's API version is at fault, not the configuration. Check that endpoint (or %s) names the VPC API "+
				"(vpc.tencentcloudapi.com), and report this to the provider's developers with the details below.", s.EIPID, EnvEndpoint)
		},
	},
	{
		match:   is(client.IsAuthFailure),
		summary: "Tencent Cloud refused the credentials",
		detail: func(operation, situation) string {
			return "Check the secret ID and secret key (provider arguments secret_id and secret_key, or the environment " +
				"variables " + EnvSecretID + " and " + EnvSecretKey + ", or the SDK credentials file), that temporary " +
				"credentials (security_token or " + EnvSecurityToken + ") have not expired, and that this machine's clock " +
				"is right: requests signed more than 5 minutes off are refused."
		},
	},
	{
		match:   is(client.IsUnauthorized),
		summary: "Not authorized",
		detail: func(operation, situation) string {
			return "The credentials are valid, but their CAM policy does not allow this action on this EIP. Grant the " +
				"vpc:AssociateAddress, vpc:DisassociateAddress, vpc:DescribeAddresses, vpc:DescribeTaskResult, " +
				"vpc:DescribeAddressQuota and vpc:DescribeNetworkInterfaces actions, then run the command again."
		},
	},
	{
		match:   codes(client.CodeTaskFailed),
		summary: "The asynchronous task failed",
		detail: func(_ operation, s situation) string {
			return fmt.Sprintf("Tencent Cloud accepted the request for EIP %s, but its task ended FAILED; the EIP is %s. "+
				"Run the command again. If it fails again, give the TaskId below to Tencent Cloud support.", s.EIPID, s.status())
		},
	},
	{
		match:   is(client.IsTLSFailure),
		summary: "The endpoint's TLS certificate could not be verified",
		detail: func(operation, situation) string {
			return "The HTTPS connection to the API endpoint failed certificate verification. Check the endpoint argument " +
				"(or " + EnvEndpoint + "), the system's CA certificates, and any proxy intercepting HTTPS."
		},
	},
	{
		match:   codes(client.CodeCanceled),
		summary: "Interrupted",
		detail: func(_ operation, s situation) string {
			return fmt.Sprintf("The operation on EIP %s was interrupted (Ctrl-C or a stop signal) before it finished. "+
				"A request already sent may still complete in the cloud: the next terraform plan or apply reads what "+
				"the cloud shows and carries on from there.", s.EIPID)
		},
	},
	{
		match: codes(client.CodeTimeout), ops: []operation{opCreate},
		summary: "Timed out",
		detail: func(_ operation, s situation) string {
			return fmt.Sprintf("The bind of EIP %s was accepted but did not finish within the create timeout. It may still "+
				"complete. Terraform records the association as tainted, so the next terraform apply unbinds it and binds it "+
				"again; if the bind completes and you want to keep it, run terraform untaint with the resource address shown "+
				"above first. To wait longer next time, raise timeouts.create.", s.EIPID)
		},
	},
	{
		match:   codes(client.CodeTimeout),
		summary: "Timed out",
		detail: func(_ operation, s situation) string {
			return fmt.Sprintf("The operation on EIP %s did not finish within its timeout. Nothing was undone: the next "+
				"terraform apply or destroy picks up from what the cloud shows. To wait longer, raise the resource's "+
				"timeouts (create, delete).", s.EIPID)
		},
	},
	{
		match:   is(client.IsUnresolvable),
		summary: "Cannot reach the Tencent Cloud API",
		detail: func(_ operation, s situation) string {
			return fmt.Sprintf("The host name of the endpoint %s does not resolve. Check the endpoint argument (or %s) "+
				"and this machine's DNS.", s.Endpoint, EnvEndpoint)
		},
	},
	{
		match:   codes(client.CodeNetworkError),
		summary: "Cannot reach the Tencent Cloud API",
		detail: func(op operation, s situation) string {
			return fmt.Sprintf("No answer from the endpoint %s: the calls failed at the network level and were retried "+
				"%s. Check the endpoint argument (or %s), the network and any proxy, then run the command again.",
				s.Endpoint, retriedFor(op), EnvEndpoint)
		},
	},
	{
		match:   is(client.IsRetryable),
		summary: "The Tencent Cloud API kept failing",
		detail: func(op operation, _ situation) string {
			if slices.Contains(reads, op) {
				return "The call failed with an error that usually passes (throttling, a server or network problem) and was " +
					"retried for a minute. Run the command again; if it keeps failing, lower read_requests_per_second when " +
					"other tools share the account's API quota."
			}
			return "The call failed with an error that usually passes (throttling, a busy EIP, a server or network " +
				"problem) and was retried until the operation's time ran out. Run the command again; if it keeps " +
				"failing, raise the resource's timeouts, or lower write_requests_per_second when other tools share the " +
				"account's API quota."
		},
	},
	{
		match:   func(*client.APIError) bool { return true },
		summary: "Tencent Cloud API error",
		detail: func(_ operation, s situation) string {
			return fmt.Sprintf("The API refused a call made for EIP %s. The code and message below say why.", s.EIPID)
		},
	},
}

func retriedFor(op operation) string {
	if slices.Contains(reads, op) {
		return "for up to a minute"
	}
	return "until the operation's timeout"
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
func diagnose(op operation, doing string, err error, s situation) diag.Diagnostic {
	rule, apiErr := ruleFor(op, err)
	detail := fmt.Sprintf("While %s: %s\n\n%s", doing, rule.detail(op, s), supportFacts(apiErr))
	if rule.attribute != "" {
		return diag.NewAttributeErrorDiagnostic(path.Root(rule.attribute), rule.summary, detail)
	}
	return diag.NewErrorDiagnostic(rule.summary, detail)
}

// supportFacts lists the error's identifying fields for support.
func supportFacts(e *client.APIError) string {
	var b strings.Builder
	if e.Action != "" {
		fmt.Fprintf(&b, "Action: %s\n", e.Action)
	}
	fmt.Fprintf(&b, "Code: %s\nMessage: %s", e.Code, e.Message)
	if e.TaskID != "" {
		fmt.Fprintf(&b, "\nTaskId: %s", e.TaskID)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, "\nAttempts: %d over %s", e.Attempts, e.Elapsed.Round(time.Millisecond))
	}
	requestID := e.RequestID
	if requestID == "" {
		requestID = "(none)"
	}
	fmt.Fprintf(&b, "\nRequestId: %s", requestID)
	return b.String()
}

func (s situation) status() string {
	if s.Address == nil {
		return "in a status that does not allow it"
	}
	return s.Address.Status
}

func (s situation) boundTo() string {
	if s.Address == nil {
		return "another target"
	}
	return s.Address.Describe()
}
