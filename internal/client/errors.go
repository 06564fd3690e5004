package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
)

// Codes the client itself produces, beside the API's own. They follow the SDK's
// "ClientError." convention so that one error type covers both.
const (
	CodeNetworkError = "ClientError.NetworkError"
	CodeParseError   = "ClientError.ParseJsonError"
	CodeHTTPStatus   = "ClientError.HttpStatusCodeError"
	CodeIOError      = "ClientError.IOError"
	CodeTimeout      = "ClientError.Timeout"
	CodeCanceled     = "ClientError.Canceled"
	CodeInvalidReply = "ClientError.InvalidResponse"
	CodeTaskFailed   = "FailedOperation.TaskFailed"
	// CodeUnregisteredAction: send refused an action the registry lacks.
	CodeUnregisteredAction = "ClientError.UnregisteredAction"
	CodeRequestLimit       = "RequestLimitExceeded"
	CodeInternalError      = "InternalError"
	CodeMutexTask          = "OperationDenied.MutexTaskRunning"
	codeLegacyMutex        = "DesOperation.MutexTaskRunning"
	codeInternalServer     = "InternalServerError"
)

// maxMessageLen bounds messages copied from replies: a reply that is not JSON is
// quoted whole by the SDK, and a diagnostic is no place for a page of HTML.
const maxMessageLen = 300

// APIError is the one error type of this package. It describes a failed call,
// whether the API refused it (Code from the API) or it never got a usable reply
// (a ClientError.* code), and, once retries are spent, how long they took.
type APIError struct {
	Action    string
	Code      string
	Message   string
	RequestID string
	// TaskID is set when an asynchronous task ended FAILED or was still
	// running when the wait ran out of time.
	TaskID string
	// Attempts and Elapsed are set when the retry policy gave up.
	Attempts int
	Elapsed  time.Duration
	// MaybeApplied is set when some attempt got no definite answer (no
	// reply, a reply that could not be read, an interruption mid-call): a
	// write may then have been carried out although the call failed.
	MaybeApplied bool
	// HTTPStatus is the reply's status when the reply was not an API answer
	// (a gateway's error page, say); 0 otherwise.
	HTTPStatus int
	// Cause is what the client met when the call got no usable reply (a
	// network error, a context ending); nil for the API's own answers.
	Cause error
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", e.Action, e.Code)
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.TaskID != "" {
		fmt.Fprintf(&b, " (TaskId %s)", e.TaskID)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (RequestId %s)", e.RequestID)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts in %s", e.Attempts, e.Elapsed.Round(time.Millisecond))
	}
	return b.String()
}

func (e *APIError) Unwrap() error { return e.Cause }

// HasCode reports whether err is an *APIError with one of the codes.
func HasCode(err error, codes ...string) bool {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	for _, c := range codes {
		if apiErr.Code == c {
			return true
		}
	}
	return false
}

// Codes of "does not exist", as the API answers them; a lookup that finds
// nothing answers the same. Every call, lookup, wait or write, reports a
// missing address, interface or instance this way, never as a nil result.
const (
	CodeAddressNotFound   = "InvalidAddressId.NotFound"
	CodeInterfaceNotFound = "InvalidNetworkInterfaceId.NotFound"
	CodeInstanceNotFound  = "InvalidInstanceId.NotFound"
)

// IsNotFound reports whether the address does not exist.
func IsNotFound(err error) bool {
	return HasCode(err, CodeAddressNotFound, "InvalidParameterValue.AddressNotFound")
}

// IsInterfaceNotFound reports whether the network interface does not exist
// (or, for AssociateAddress, the private IP is not one of its own).
func IsInterfaceNotFound(err error) bool {
	return HasCode(err, CodeInterfaceNotFound, "InvalidParameterValue.NetworkInterfaceNotFound", "ResourceNotFound")
}

// IsInstanceNotFound reports whether the instance does not exist.
func IsInstanceNotFound(err error) bool {
	return HasCode(err, CodeInstanceNotFound)
}

// notFound is a lookup's answer for what does not exist.
func notFound(action, code, what string) *APIError {
	return &APIError{Action: action, Code: code, Message: what + " does not exist"}
}

// IsAuthFailure reports whether the credentials were refused.
func IsAuthFailure(err error) bool {
	return hasCodePrefix(err, "AuthFailure")
}

// IsUnauthorized reports whether the credentials' policy does not allow the
// action.
func IsUnauthorized(err error) bool {
	return hasCodePrefix(err, "UnauthorizedOperation")
}

// IsStatusNotPermit reports whether the address was not in a status that
// allows the operation (already bound, already unbound, in transition). The
// NotMatch codes answer a bind of an EIP already bound to another private IP
// or network interface.
func IsStatusNotPermit(err error) bool {
	return HasCode(err, "InvalidAddressIdStatus.NotPermit", "UnsupportedOperation.AddressStatusNotPermit",
		"InvalidParameterValue.PrivateIpAddressNotMatch", "InvalidParameterValue.NetworkInterfaceIdNotMatch")
}

// IsNormalPublicIP reports whether the API refused the call because the
// address is a normal public IP (WanIP), not an EIP.
func IsNormalPublicIP(err error) bool {
	return HasCode(err, "InvalidParameterValue.ResourceNotSupport", "UnsupportedOperation.IncorrectAddressResourceType")
}

// IsTargetTaken reports whether a bind was refused because its target, the
// instance's primary private IP or the given private IP, already holds an EIP.
func IsTargetTaken(err error) bool {
	return HasCode(err, "InvalidInstanceId.AlreadyBindEip", "InvalidPrivateIpAddress.AlreadyBindEip")
}

// isThrottled reports whether the API refused the call for its rate: the
// account's, the caller IP's or the action's.
func isThrottled(err error) bool {
	return HasCode(err, CodeRequestLimit, "LimitExceeded.ActionLimited") || hasCodePrefix(err, CodeRequestLimit+".")
}

// IsInvalidRegion reports whether the API refused the request's region.
func IsInvalidRegion(err error) bool {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	return apiErr.Code == "UnsupportedRegion" ||
		(apiErr.Code == "InvalidParameterValue" && strings.Contains(apiErr.Message, "Region"))
}

// IsUnresolvable reports whether the endpoint's host name does not resolve:
// a typo or a missing network, not a passing failure.
func IsUnresolvable(err error) bool {
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr) && dnsErr.IsNotFound
}

// MaybeApplied reports whether a failed write may have been carried out all
// the same (see APIError.MaybeApplied).
func MaybeApplied(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.MaybeApplied
}

// IsRetryable reports whether repeating the same call may succeed: throttling,
// server-side hiccups, a concurrent task on the address, or no usable reply.
func IsRetryable(err error) bool {
	if IsTLSFailure(err) || IsUnresolvable(err) || IsNotAPI(err) {
		return false // a certificate, a host name or a wrong endpoint does not fix itself between attempts
	}
	return isThrottled(err) || HasCode(err, CodeInternalError, codeInternalServer, CodeMutexTask, codeLegacyMutex,
		CodeNetworkError, CodeParseError, CodeHTTPStatus, CodeIOError, "ResourceUnavailable", "ResourceInUse")
}

func hasCodePrefix(err error, prefix string) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && strings.HasPrefix(apiErr.Code, prefix)
}

// IsNotAPI reports whether what answered is not the Tencent Cloud API: a
// plain HTTP server behind an https:// URL, or a page that is a client error
// of something else (a wrong endpoint or proxy). Neither passes on retry.
func IsNotAPI(err error) bool {
	var record tls.RecordHeaderError
	if errors.As(err, &record) {
		return true
	}
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.HTTPStatus >= 400 && apiErr.HTTPStatus < 500 && apiErr.HTTPStatus != 429
}

// IsTLSFailure reports whether the call failed because the endpoint's
// certificate could not be verified.
func IsTLSFailure(err error) bool {
	var verification *tls.CertificateVerificationError
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &verification) || errors.As(err, &unknownAuthority) ||
		errors.As(err, &hostname) || errors.As(err, &invalid)
}

// toAPIError turns whatever the SDK returned into an *APIError.
func toAPIError(action string, err error) *APIError {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		if apiErr.Action == "" {
			apiErr.Action = action
		}
		return apiErr
	}
	var sdkErr *tcerr.TencentCloudSDKError
	if errors.As(err, &sdkErr) {
		msg := sdkErr.Message
		cause := sdkErr.Unwrap()
		if cause != nil {
			msg = msg + ": " + cause.Error()
		}
		return &APIError{Action: action, Code: sdkErr.Code, Message: truncate(msg), RequestID: sdkErr.RequestId, Cause: cause}
	}
	if errors.Is(err, context.Canceled) {
		return &APIError{Action: action, Code: CodeCanceled, Message: err.Error(), Cause: err}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &APIError{Action: action, Code: CodeTimeout, Message: err.Error(), Cause: err}
	}
	return &APIError{Action: action, Code: CodeNetworkError, Message: truncate(err.Error()), Cause: err}
}

// ContextError describes a context that ended while doing something:
// interrupted (Ctrl-C) or out of time.
func ContextError(ctx context.Context, action, message string) *APIError {
	code := CodeTimeout
	if errors.Is(context.Cause(ctx), context.Canceled) {
		code, message = CodeCanceled, "interrupted while "+message
	}
	return &APIError{Action: action, Code: code, Message: message, Cause: ctx.Err()}
}

// noDefiniteAnswer reports whether an attempt's error leaves unknown whether
// the API acted on the request.
func noDefiniteAnswer(e *APIError) bool {
	switch e.Code {
	case CodeNetworkError, CodeParseError, CodeHTTPStatus, CodeIOError, CodeTimeout, CodeCanceled, CodeInvalidReply:
		return true
	}
	return false
}

func toString(v any) string { return fmt.Sprint(v) }

func truncate(s string) string {
	if len(s) <= maxMessageLen {
		return s
	}
	return s[:maxMessageLen] + "…"
}
