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

// This file is the one place where API errors become diagnostics. The table
// below says, for each error and what the operation was doing with it
// (binding, unbinding or reading), what the user reads and which attribute
// it is about. The operation supplies its subject: the attribute paths of its
// own schema (a resource, a data source, an action), so that every operation
// reuses the rules. What an operation does about an error (carry on, look
// again) is decided where the error is met, with the client's predicates.
// Every diagnostic's detail gives the cause and the remedy, then the Code,
// Message and RequestId to hand to support.

// intent is what an operation was doing when it met an error.
type intent string

const (
	binding   intent = "bind"
	unbinding intent = "unbind"
	reading   intent = "read"
	// authenticating: the provider obtaining credentials or checking whose
	// they are, before any other call.
	authenticating intent = "authenticate"
	// disassociating: the qcloud_eip_disassociate action unbinding an EIP
	// now. Unlike a destroy, it changes no state: its remedies say to invoke
	// it again, not to run terraform destroy.
	disassociating intent = "disassociate"
)

// role is what an attribute stands for, whatever its name in a schema.
type role int

const (
	roleEIP role = iota + 1
	// roleTarget is where the EIP goes: the instance, or the private IP of a
	// network interface.
	roleTarget
	// roleInterface is the network interface of a target named by one.
	roleInterface
	roleReallocate
)

// subject is who met the error: the attribute standing for each role. A
// rule blaming a role the subject lacks gives a diagnostic on no attribute.
type subject map[role]path.Path

// facts are what the messages may name.
type facts struct {
	EIPID    string
	Target   client.Target
	Region   string
	Endpoint string
	Address  *client.Address // the latest observation, if any
	Quota    *client.Quota   // the daily reallocation quota, if read
	// Accepted: the API accepted the bind or unbind before the error (a
	// timeout then leaves it to finish on its own).
	Accepted bool
	// Timeout names the timeout that ran out ("timeouts.create").
	Timeout string
	// Auth names the credentials' source as configured ("assume_role
	// (role_arn …)"); empty outside the provider's configuration.
	Auth string

	taskID string // the error's, set by diagnose
}

type errorRule struct {
	match   func(*client.APIError) bool
	intents []intent // empty: every intent
	blame   role     // zero: the whole subject
	summary string
	detail  func(intent, facts) string // cause and remedy
}

var errorRules = []errorRule{
	// Credentials: STS and the CVM metadata service. These errors can come
	// while configuring the provider or, when a renewal fails, from any call.
	{
		match:   sts("AssumeRole", "ResourceNotFound.RoleNotFound"),
		summary: "Role not found",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("STS AssumeRole found no such role (%s). Check role_arn (or %s): "+
				"qcs::cam::uin/<owner account>:roleName/<name>, with the account that owns the role.", f.auth(), EnvAssumeRoleArn)
		},
	},
	{
		match:   sts("AssumeRoleWithWebIdentity", "InternalError.GetRoleError", "ResourceNotFound.RoleNotFound"),
		summary: "Role not found",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("STS AssumeRoleWithWebIdentity could not find the role (%s). Check "+
				"assume_role_with_web_identity.role_arn (or %s).", f.auth(), EnvAssumeRoleArn)
		},
	},
	{
		match:   sts("AssumeRole", "UnauthorizedOperation"),
		summary: "Role cannot be assumed",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("STS refused to let the credentials assume the role (%s): the role's trust policy does "+
				"not name the account or user whose key signed AssumeRole, or it requires an external ID and "+
				"assume_role.external_id (or %s) is missing or wrong. The message below says which. Fix the trust policy "+
				"in CAM, or give the external ID the role's owner set.", f.auth(), EnvAssumeRoleExternalID)
		},
	},
	{
		match:   sts("AssumeRoleWithWebIdentity", "UnauthorizedOperation"),
		summary: "Role does not trust the identity provider",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("The role (%s) does not trust the OIDC identity provider named by provider_id (or %s). "+
				"Add the provider to the role's trust policy in CAM, or check provider_id.", f.auth(), EnvAssumeRoleProviderID)
		},
	},
	{
		match:   sts("AssumeRoleWithWebIdentity", "InvalidParameter.WebIdentityTokenError"),
		summary: "Web identity token refused",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("STS refused the web identity token (%s): it has expired, or was not issued by the "+
				"identity provider provider_id names, or not for its client ID. CI systems issue short-lived tokens: "+
				"point web_identity_token_file (or %s) at the file the CI system keeps fresh, rather than copying a "+
				"token into web_identity_token.", f.auth(), EnvWebIdentityTokenFile)
		},
	},
	{
		match:   codes(client.CodeTokenFileUnreadable, client.CodeTokenMissing),
		summary: "Web identity token missing or unreadable",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("The web identity token could not be had (%s); the message below says why. Check "+
				"web_identity_token_file (or %s): the file must exist, be readable by Terraform, and hold the token, "+
				"which the provider reads again at each renewal.", f.auth(), EnvWebIdentityTokenFile)
		},
	},
	{
		match: func(e *client.APIError) bool {
			return (e.Action == "AssumeRole" || e.Action == "AssumeRoleWithWebIdentity") &&
				(e.Code == "InvalidParameter.OverTimeError" || strings.Contains(e.Message, "DurationSeconds"))
		},
		summary: "Session duration refused",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("STS refused the session duration (%s): it may be at most 43200 seconds, and at most "+
				"the role's own maximum session duration set in CAM. Lower session_duration (or %s).", f.auth(), EnvAssumeRoleDuration)
		},
	},
	{
		match: func(e *client.APIError) bool {
			return (e.Action == "AssumeRole" || e.Action == "AssumeRoleWithWebIdentity") &&
				strings.HasPrefix(e.Code, "InvalidParameter.") && e.Code != "InvalidParameter.OverLimit"
		},
		summary: "STS refused the role's parameters",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("STS refused a parameter of the request for the role (%s): the message below names it. "+
				"Check role_arn, session_name, policy (a CAM policy document in JSON, without principal) and external_id.", f.auth())
		},
	},
	{
		match:   codes(client.CodeRoleNotAttached),
		summary: "CAM role not attached to this instance",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("The instance metadata service has no credentials for the role (%s). Attach the role to "+
				"the CVM instance Terraform runs on (console: instance, More, Instance Settings, Bind Role), or check "+
				"cam_role_name (or %s).", f.auth(), EnvCamRoleName)
		},
	},
	{
		match:   codes(client.CodeMetadataUnreachable),
		summary: "Instance metadata service unreachable",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("The CVM instance metadata service did not answer (%s). cam_role_name works only on a "+
				"CVM instance (or with %s pointing at a stand-in); elsewhere use a key, a profile, or "+
				"assume_role_with_web_identity.", f.auth(), EnvMetadataEndpoint)
		},
	},
	{
		match:   func(e *client.APIError) bool { return e.Action == "metadata" },
		summary: "Instance metadata service error",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("The CVM instance metadata service gave no usable credentials (%s). Check that the role "+
				"named by cam_role_name (or %s) is attached to this instance.", f.auth(), EnvCamRoleName)
		},
	},
	{
		match: func(e *client.APIError) bool {
			return client.IsAuthFailure(e) && (e.Action == "AssumeRole" || e.Action == "GetCallerIdentity")
		},
		summary: "Tencent Cloud refused the credentials",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("STS refused the credentials that signed %s. Check the key (secret_id and secret_key, "+
				"%s and %s, or the profile), that temporary credentials have not expired, and that this machine's clock "+
				"is right.", f.auth(), EnvSecretID, EnvSecretKey)
		},
	},
	{
		match:   is(client.IsInvalidRegion),
		summary: "Region not valid",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("The API does not accept the region %q. Check the provider's region argument (or %s): "+
				"it is a region name such as ap-guangzhou or ap-singapore. Nothing was removed from the state.", f.Region, EnvRegion)
		},
	},
	{
		match: is(client.IsNotFound), blame: roleEIP,
		summary: "EIP not found",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("No EIP %s exists in region %s. Check the id, and that the provider's region is the EIP's region.", f.EIPID, f.Region)
		},
	},
	{
		match: codes("InvalidAddressId.Blocked"), blame: roleEIP,
		summary: "EIP is blocked",
		detail: func(in intent, f facts) string {
			detail := fmt.Sprintf("The EIP %s is blocked, and a blocked EIP can be neither bound nor unbound. "+
				"%s, then run the command again.", f.EIPID, unblockFirst)
			if in == unbinding {
				detail += " " + stopManaging
			}
			return detail
		},
	},
	{
		match: is(client.IsStatusNotPermit), intents: []intent{unbinding}, blame: roleEIP,
		summary: "EIP cannot be unbound in its current status",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("The EIP %s is %s; only a bound EIP (BIND or BIND_ENI) can be unbound. "+
				"Wait for the operation in progress to finish, then run the command again.", f.EIPID, f.status())
		},
	},
	{
		match: is(client.IsStatusNotPermit), intents: []intent{disassociating}, blame: roleEIP,
		summary: "EIP cannot be unbound in its current status",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("The EIP %s is %s; only a bound EIP (BIND or BIND_ENI) can be unbound. Wait for the "+
				"operation in progress to finish, then invoke the action again: it reports an EIP already unbound as done.",
				f.EIPID, f.status())
		},
	},
	{
		match: is(client.IsStatusNotPermit), intents: []intent{binding}, blame: roleEIP,
		summary: "EIP is bound elsewhere",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("The EIP %s is bound to %s (status %s), and only an unbound EIP can be bound. "+
				"Unbind it first (or remove the configuration that binds it), or choose another EIP.", f.EIPID, f.boundTo(), f.status())
		},
	},
	{
		match: is(client.IsNormalPublicIP), blame: roleEIP,
		summary: "Not an EIP: a normal public IP",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("The address %s is a normal public IP (address type WanIP), which belongs to its instance and "+
				"cannot be bound or unbound like an EIP. %s", f.EIPID, toManageNormalIP)
		},
	},
	{
		match: codes("OperationDenied.AddressInArrears"), blame: roleEIP,
		summary: "EIP is in arrears",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("The EIP %s is isolated because the account is in arrears, and cannot be bound. "+
				"Top up the account, then run the command again.", f.EIPID)
		},
	},
	{
		match: codes("InvalidParameterValue.AddressIdMalformed"), blame: roleEIP,
		summary: "EIP id refused",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("The API does not accept %q as an EIP id. Use the id shown in the console, such as eip-1a2b3c4d.", f.EIPID)
		},
	},
	{
		match: codes(client.CodeInstanceNotFound, "InvalidParameterValue.InstanceIdMalformed"), intents: []intent{binding}, blame: roleTarget,
		summary: "Instance not found",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("No instance %s exists in region %s. Check the id and the provider's region.", f.Target.InstanceID, f.Region)
		},
	},
	{
		match: codes("UnsupportedOperation.InstanceStatusNotPermit"), intents: []intent{binding}, blame: roleTarget,
		summary: "Instance is stopped in no-charge mode",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("The instance %s is stopped in no-charge mode, which releases its public network resources, so "+
				"it cannot take an EIP. Start the instance (or stop it in charging mode), then run the command again.", f.Target.InstanceID)
		},
	},
	{
		match: codes("InvalidParameterValue.InvalidInstanceState", "UnsupportedOperation.InstanceStateNotSupported",
			"InvalidInstance.NotSupported"), intents: []intent{binding}, blame: roleTarget,
		summary: "Instance cannot take an EIP in its current state",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("The instance %s is in a state that does not allow binding an EIP (for example still launching, "+
				"or failed to launch). Wait until it is running, or choose another instance.", f.Target.InstanceID)
		},
	},
	{
		match: codes("InvalidParameterValue.InstanceHasWanIP"), intents: []intent{binding}, blame: roleTarget,
		summary: "Target holds a normal public IP",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("A normal public IP sits on %s, and on this site an EIP cannot be bound where one sits. %s",
				primaryIPOf(f.Target), normalIPWaysOut)
		},
	},
	{
		match: codes("InvalidInstanceId.AlreadyBindEip"), intents: []intent{binding}, blame: roleTarget,
		summary: "Target already holds an EIP",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("The instance %s already holds an EIP on its primary private IP. Unbind that EIP first, or bind "+
				"this one to another private IP with network_interface_id and private_ip.", f.Target.InstanceID)
		},
	},
	{
		match: codes("LimitExceeded.InstanceAddressQuota"), intents: []intent{binding}, blame: roleTarget,
		summary: "Instance holds as many EIPs as it may",
		detail: func(intent, facts) string {
			return "The instance has reached its quota of EIPs. Unbind one of its EIPs, or choose another instance."
		},
	},
	{
		match: is(client.IsInterfaceNotFound), intents: []intent{binding}, blame: roleInterface,
		summary: "Network interface or private IP not found",
		detail: func(_ intent, f facts) string {
			if f.Target.InstanceID != "" {
				return fmt.Sprintf("The instance %s has no network interface the EIP can be bound to. Check the instance.", f.Target.InstanceID)
			}
			return fmt.Sprintf("No network interface %s exists in region %s, or %s is not one of its private IPs. "+
				"Check the id, the IP and the provider's region.", f.Target.NetworkInterfaceID, f.Region, f.Target.PrivateIP)
		},
	},
	{
		match: codes("InvalidPrivateIpAddress.AlreadyBindEip"), intents: []intent{binding}, blame: roleTarget,
		summary: "Target already holds an EIP",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("The private IP %s of network interface %s already holds an EIP. Unbind that EIP first, or "+
				"choose another private IP.", f.Target.PrivateIP, f.Target.NetworkInterfaceID)
		},
	},
	{
		match: codes("AddressQuotaLimitExceeded.DailyAllocate"), intents: []intent{unbinding}, blame: roleReallocate,
		summary: "Daily quota of normal public IP reallocations used up",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("Unbinding %s with reallocate_normal_public_ip = true gives the instance a new normal public IP, "+
				"and %s. The EIP is still bound. %s Or wait until the next day (China Standard Time) and run the command "+
				"again.", f.EIPID, f.quotaUsage(), reallocationRemedy)
		},
	},
	{
		match: codes("AddressQuotaLimitExceeded.DailyAllocate"), intents: []intent{disassociating}, blame: roleReallocate,
		summary: "Daily quota of normal public IP reallocations used up",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("Unbinding %s with reallocate_normal_public_ip = true gives the instance a new normal public IP, "+
				"and %s. The EIP is still bound. %s Or wait until the next day (China Standard Time).", f.EIPID, f.quotaUsage(),
				actionReallocationRemedy)
		},
	},
	{
		match:   codes("InvalidParameterValue.OnlySupportedForMasterNetworkCard", "FailedOperation.MasterEniNotFound"),
		intents: []intent{disassociating}, blame: roleReallocate,
		summary: "A normal public IP cannot be reallocated for this binding",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("The EIP %s is bound to %s. A normal public IP can be given back only when the EIP sits on the "+
				"primary private IP of an instance's primary network interface. The EIP is still bound. %s",
				f.EIPID, f.boundTo(), actionReallocationRemedy)
		},
	},
	{
		match:   codes("InvalidParameterValue.OnlySupportedForMasterNetworkCard", "FailedOperation.MasterEniNotFound"),
		intents: []intent{unbinding}, blame: roleReallocate,
		summary: "A normal public IP cannot be reallocated for this binding",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("The EIP %s is bound to %s. A normal public IP can be given back only when the EIP sits on the "+
				"primary private IP of an instance's primary network interface. The EIP is still bound. %s",
				f.EIPID, f.boundTo(), reallocationRemedy)
		},
	},
	{
		match: codes("FailedOperation.AddressEniInfoNotFound"), blame: roleEIP,
		summary: "The API lost track of the EIP's network interface",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("Tencent Cloud could not find the network interface information of EIP %s. Run the command "+
				"again in a few minutes; if it keeps failing, give the RequestId below to Tencent Cloud support.", f.EIPID)
		},
	},
	{
		match: codes("InvalidAction", "InvalidParameter", "InvalidParameterValue", "InvalidParameterConflict", "MissingParameter",
			"UnknownParameter", "NoSuchVersion", "UnsupportedProtocol", "RequestSizeLimitExceeded",
			"InvalidParameterValue.MissingAssociateEntity", "InvalidParameterValue.Combination", "InvalidParameterValue.LimitExceeded",
			"InvalidParameterValue.Malformed", "InvalidParameterValue.NetworkInterfaceIdMalformed", "InvalidParameter.InvalidFilter",
			"InvalidParameter.Coexist", "InvalidParameter.FilterInvalidKey", "LimitExceeded.NumberOfFilters", "InvalidFilter",
			"InvalidInstanceId.Malformed", client.CodeUnregisteredAction),
		summary: "The API refused the provider's request",
		detail: func(intent, facts) string {
			return "The API does not accept the request the provider made: the provider or the endpoint's API version is at " +
				"fault, not the configuration. Check that endpoint (or " + EnvEndpoint + ") names the Tencent Cloud API, and " +
				"report this to the provider's developers with the details below."
		},
	},
	{
		match:   is(client.IsAuthFailure),
		summary: "Tencent Cloud refused the credentials",
		detail: func(intent, facts) string {
			return "Check the secret ID and secret key (provider arguments secret_id and secret_key, or the environment " +
				"variables " + EnvSecretID + " and " + EnvSecretKey + ", or the SDK credentials file), that temporary " +
				"credentials (security_token or " + EnvSecurityToken + ") have not expired, and that this machine's clock " +
				"is right: requests signed more than 5 minutes off are refused."
		},
	},
	{
		match:   is(client.IsUnauthorized),
		summary: "Not authorized",
		detail: func(intent, facts) string {
			return "The credentials are valid, but their CAM policy does not allow this action. Grant the actions the " +
				"provider's documentation lists (" + strings.Join(camActions, ", ") + "), then run the command again."
		},
	},
	{
		match:   codes(client.CodeTaskFailed),
		summary: "The asynchronous task failed",
		detail: func(_ intent, f facts) string {
			support := "the RequestId below"
			if f.taskID != "" {
				support = "the TaskId below"
			}
			return fmt.Sprintf("Tencent Cloud accepted the request for EIP %s, but its task ended FAILED; the EIP is %s. "+
				"Run the command again. If it fails again, give %s to Tencent Cloud support.", f.EIPID, f.status(), support)
		},
	},
	{
		match:   is(client.IsTLSFailure),
		summary: "The endpoint's TLS certificate could not be verified",
		detail: func(intent, facts) string {
			return "The HTTPS connection to the API endpoint failed certificate verification. Check the endpoint argument " +
				"(or " + EnvEndpoint + "), the system's CA certificates, and any proxy intercepting HTTPS."
		},
	},
	{
		match:   is(client.IsNotAPI),
		summary: "The endpoint does not speak the Tencent Cloud API",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("The endpoint %s answered with something that is not the API (a plain HTTP server for an https:// "+
				"URL, a proxy's page, another service). Check the endpoint argument (or %s): the scheme, the host and the port.",
				f.Endpoint, EnvEndpoint)
		},
	},
	{
		match:   codes(client.CodeCanceled),
		summary: "Interrupted",
		detail: func(in intent, f facts) string {
			if in == reading || in == authenticating {
				return "The operation was interrupted (Ctrl-C or a stop signal) before it finished. Nothing was changed."
			}
			if in == disassociating {
				return fmt.Sprintf("The unbind of EIP %s was interrupted (Ctrl-C or a stop signal) before it finished. "+
					"A request already sent may still complete in the cloud: invoke the action again to see it through.", f.EIPID)
			}
			return fmt.Sprintf("The operation on EIP %s was interrupted (Ctrl-C or a stop signal) before it finished. "+
				"A request already sent may still complete in the cloud: the next terraform plan or apply reads what "+
				"the cloud shows and carries on from there.", f.EIPID)
		},
	},
	{
		match: codes(client.CodeTimeout), intents: []intent{binding},
		summary: "Timed out",
		detail: func(_ intent, f facts) string {
			if f.inProgress(client.StatusBinding) {
				return fmt.Sprintf("The EIP %s was still being bound (BINDING) after %s, by a bind requested earlier. It may "+
					"still complete: run terraform apply again once it has, or raise %s.", f.EIPID, f.Timeout, f.Timeout)
			}
			if !f.Accepted {
				return fmt.Sprintf("The bind of EIP %s did not start within %s: nothing was bound and nothing was recorded. "+
					"Raise %s, or run terraform apply again.", f.EIPID, f.Timeout, f.Timeout)
			}
			return fmt.Sprintf("The bind of EIP %s was accepted but did not finish within %s. It may still complete. "+
				"Terraform records the association as tainted, so the next terraform apply unbinds it and binds it again; "+
				"if the bind completes and you want to keep it, run terraform untaint with the resource address shown above "+
				"first. To wait longer next time, raise %s.", f.EIPID, f.Timeout, f.Timeout)
		},
	},
	{
		match: codes(client.CodeTimeout), intents: []intent{unbinding},
		summary: "Timed out",
		detail: func(_ intent, f facts) string {
			if f.inProgress(client.StatusUnbinding) {
				return fmt.Sprintf("The EIP %s was still being unbound (UNBINDING) after %s, by an unbind requested earlier. "+
					"It may still complete: the next terraform plan or destroy reads what the cloud shows and carries on from "+
					"there. To wait longer, raise %s.", f.EIPID, f.Timeout, f.Timeout)
			}
			if !f.Accepted {
				return fmt.Sprintf("The unbind of EIP %s did not start within %s: the EIP is still bound, and the state "+
					"still records it. Raise %s, or run the command again.", f.EIPID, f.Timeout, f.Timeout)
			}
			return fmt.Sprintf("The unbind of EIP %s was accepted but did not finish within %s. It may still complete: "+
				"the next terraform plan or destroy reads what the cloud shows and carries on from there. To wait longer, "+
				"raise %s.", f.EIPID, f.Timeout, f.Timeout)
		},
	},
	{
		match: codes(client.CodeTimeout), intents: []intent{disassociating},
		summary: "Timed out",
		detail: func(_ intent, f facts) string {
			if !f.Accepted {
				return fmt.Sprintf("The unbind of EIP %s did not start within %s: the EIP is still bound. Invoke the "+
					"action again.", f.EIPID, f.Timeout)
			}
			return fmt.Sprintf("The unbind of EIP %s was accepted but did not finish within %s. It may still complete: "+
				"invoke the action again to see it through (an EIP already unbound is reported as done).", f.EIPID, f.Timeout)
		},
	},
	{
		match: codes(client.CodeTimeout), intents: []intent{reading, authenticating},
		summary: "Timed out",
		detail: func(intent, facts) string {
			return "The read did not finish in time. Nothing was changed: run the command again."
		},
	},
	{
		match:   is(client.IsUnresolvable),
		summary: "Cannot reach the Tencent Cloud API",
		detail: func(_ intent, f facts) string {
			return fmt.Sprintf("The host name of the endpoint %s does not resolve. Check the endpoint argument (or %s) "+
				"and this machine's DNS.", f.Endpoint, EnvEndpoint)
		},
	},
	{
		match:   codes(client.CodeNetworkError),
		summary: "Cannot reach the Tencent Cloud API",
		detail: func(in intent, f facts) string {
			return fmt.Sprintf("No answer from the endpoint %s: the calls failed at the network level and were retried "+
				"%s. Check the endpoint argument (or %s), the network and any proxy, then run the command again.",
				f.Endpoint, retriedFor(in), EnvEndpoint)
		},
	},
	{
		match:   func(e *client.APIError) bool { return e.HTTPStatus >= 500 },
		summary: "The Tencent Cloud API kept failing",
		detail: func(in intent, f facts) string {
			return fmt.Sprintf("The endpoint %s kept answering with an HTTP server error (its status is below) instead of "+
				"the API's reply, and the calls were retried %s. This is a failure on the server's side, or of a proxy in "+
				"between: run the command again later. If it persists, check the endpoint argument (or %s) and any proxy.",
				f.Endpoint, retriedFor(in), EnvEndpoint)
		},
	},
	{
		match:   is(client.IsRetryable),
		summary: "The Tencent Cloud API kept failing",
		detail: func(in intent, _ facts) string {
			if in == reading {
				return "The call failed with an error that usually passes (throttling, a server or network problem) and was " +
					"retried for a minute. Run the command again; if it keeps failing, lower read_requests_per_second when " +
					"other tools share the account's API quota."
			}
			return "The call failed with an error that usually passes (throttling, a busy EIP, a server or network " +
				"problem) and was retried until the operation's time ran out. Run the command again; if it keeps " +
				"failing, raise the timeout, or lower write_requests_per_second when other tools share the " +
				"account's API quota."
		},
	},
	{
		match:   func(*client.APIError) bool { return true },
		summary: "Tencent Cloud API error",
		detail: func(intent, facts) string {
			return "The API refused a call the provider made. The code and message below say why."
		},
	},
}

// sts matches the codes when an STS action answered them.
func sts(action string, want ...string) func(*client.APIError) bool {
	return func(e *client.APIError) bool { return e.Action == action && slices.Contains(want, e.Code) }
}

// auth names the source of credentials, for messages.
func (f facts) auth() string {
	if f.Auth == "" {
		return "as the provider is configured"
	}
	return "from " + f.Auth
}

// camActions are the actions the provider calls, for the CAM policy.
var camActions = []string{"vpc:AssociateAddress", "vpc:DisassociateAddress", "vpc:DescribeAddresses", "vpc:DescribeTaskResult",
	"vpc:DescribeAddressQuota", "vpc:DescribeNetworkInterfaces", "cvm:DescribeInstances"}

// primaryIPOf names where a bind to t goes.
func primaryIPOf(t client.Target) string {
	if t.InstanceID != "" {
		return "the primary private IP of " + t.String()
	}
	return t.String()
}

func retriedFor(in intent) string {
	if in == reading || in == authenticating {
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

// ruleFor returns the first rule matching the error met with intent in.
func ruleFor(in intent, err error) (errorRule, *client.APIError) {
	apiErr := asAPIError(err)
	return errorRules[ruleIndex(in, apiErr)], apiErr
}

// asAPIError is err as the client's error type.
func asAPIError(err error) *client.APIError {
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) {
		apiErr = &client.APIError{Code: "ClientError.Unknown", Message: err.Error()}
	}
	return apiErr
}

func ruleIndex(in intent, apiErr *client.APIError) int {
	for i, r := range errorRules {
		if (len(r.intents) == 0 || slices.Contains(r.intents, in)) && r.match(apiErr) {
			return i
		}
	}
	return len(errorRules) - 1 // the last rule matches every error anyway
}

// diagnose turns an error met while doing something with intent in into the
// diagnostic the table says, on the subject's attribute. doing says what was
// being done, in the user's words ("binding EIP eip-1 to instance ins-1").
func diagnose(in intent, doing string, err error, f facts, s subject) diag.Diagnostic {
	rule, apiErr := ruleFor(in, err)
	f.taskID = apiErr.TaskID
	detail := fmt.Sprintf("While %s: %s\n\n%s", doing, rule.detail(in, f), supportFacts(apiErr))
	if p, ok := s[rule.blame]; ok && rule.blame != 0 {
		return diag.NewAttributeErrorDiagnostic(p, rule.summary, detail)
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
	if e.HTTPStatus != 0 {
		fmt.Fprintf(&b, "\nHTTP status: %d", e.HTTPStatus)
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

// quotaUsage says how much of today's reallocation quota is used, for
// messages.
func (f facts) quotaUsage() string {
	if f.Quota == nil {
		return "today's quota (10 per account per day) is used up"
	}
	return fmt.Sprintf("today's count is %d of %d", f.Quota.Current, f.Quota.Limit)
}

// inProgress reports whether the EIP was last seen in status (BINDING or
// UNBINDING) by an operation that did not itself send the request: one
// requested earlier is under way.
func (f facts) inProgress(status string) bool {
	return !f.Accepted && f.Address != nil && f.Address.Status == status
}

func (f facts) status() string {
	if f.Address == nil {
		return "in a status that does not allow it"
	}
	return f.Address.Status
}

func (f facts) boundTo() string {
	if f.Address == nil {
		return "another target"
	}
	return f.Address.Describe()
}
