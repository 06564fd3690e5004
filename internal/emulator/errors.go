package emulator

import "fmt"

// Error codes the emulator answers with. They are the documented Tencent Cloud codes;
// tests compare against the literal strings, not these constants.
const (
	codeAuthInvalidAuthorization = "AuthFailure.InvalidAuthorization"
	codeAuthSecretIDNotFound     = "AuthFailure.SecretIdNotFound"
	codeAuthSignatureExpire      = "AuthFailure.SignatureExpire"
	codeAuthSignatureFailure     = "AuthFailure.SignatureFailure"
	codeAuthTokenFailure         = "AuthFailure.TokenFailure"

	codeInvalidAction            = "InvalidAction"
	codeInvalidParameter         = "InvalidParameter"
	codeInvalidParameterValue    = "InvalidParameterValue"
	codeInvalidParameterConflict = "InvalidParameterConflict"
	codeMissingParameter         = "MissingParameter"
	codeUnknownParameter         = "UnknownParameter"
	codeNoSuchVersion            = "NoSuchVersion"
	codeRequestSizeLimitExceeded = "RequestSizeLimitExceeded"
	codeRequestLimitExceeded     = "RequestLimitExceeded"
	codeUnsupportedProtocol      = "UnsupportedProtocol"
	codeInternalError            = "InternalError"

	codeAddressIDMalformed          = "InvalidParameterValue.AddressIdMalformed"
	codeInstanceIDMalformed         = "InvalidParameterValue.InstanceIdMalformed"
	codeMissingAssociateEntity      = "InvalidParameterValue.MissingAssociateEntity"
	codePrivateIPNotMatch           = "InvalidParameterValue.PrivateIpAddressNotMatch"
	codeOnlyForMasterNetworkCard    = "InvalidParameterValue.OnlySupportedForMasterNetworkCard"
	codeValueLimitExceeded          = "InvalidParameterValue.LimitExceeded"
	codeValueCombination            = "InvalidParameterValue.Combination"
	codeInvalidFilter               = "InvalidParameter.InvalidFilter"
	codeNumberOfFilters             = "LimitExceeded.NumberOfFilters"
	codeAddressNotFound             = "InvalidAddressId.NotFound"
	codeAddressBlocked              = "InvalidAddressId.Blocked"
	codeAddressStatusNotPermit      = "InvalidAddressIdStatus.NotPermit"
	codeAddressInArrears            = "OperationDenied.AddressInArrears"
	codeMutexTaskRunning            = "OperationDenied.MutexTaskRunning"
	codeInstanceNotFound            = "InvalidInstanceId.NotFound"
	codeInstanceAlreadyBindEIP      = "InvalidInstanceId.AlreadyBindEip"
	codeENINotFound                 = "InvalidNetworkInterfaceId.NotFound"
	codePrivateIPAlreadyBindEIP     = "InvalidPrivateIpAddress.AlreadyBindEip"
	codeDailyAllocateLimitExceeded  = "AddressQuotaLimitExceeded.DailyAllocate"
	codeIncorrectAddressType        = "UnsupportedOperation.IncorrectAddressResourceType"
	codeAddressENIInfoNotFound      = "FailedOperation.AddressEniInfoNotFound"
	codeMasterENINotFound           = "FailedOperation.MasterEniNotFound"
	codeNetworkInterfaceIDMalformed = "InvalidParameterValue.NetworkInterfaceIdMalformed"
	codeValueMalformed              = "InvalidParameterValue.Malformed"
	codeParameterCoexist            = "InvalidParameter.Coexist"
	codeFilterInvalidKey            = "InvalidParameter.FilterInvalidKey"

	codeUnsupportedAddressStatus   = "UnsupportedOperation.AddressStatusNotPermit"
	codeInvalidInstanceState       = "InvalidParameterValue.InvalidInstanceState"
	codeInstanceStatusNotPermit    = "UnsupportedOperation.InstanceStatusNotPermit"
	codeInstanceHasWanIP           = "InvalidParameterValue.InstanceHasWanIP"
	codeNetworkInterfaceIDNotMatch = "InvalidParameterValue.NetworkInterfaceIdNotMatch"
	codeResourceNotSupport         = "InvalidParameterValue.ResourceNotSupport"
	codeResourceNotFound           = "ResourceNotFound"
	codeTaskFailed                 = "FailedOperation.TaskFailed"
	codeAddressIPsNotFound         = "InvalidParameterValue.AddressIpsNotFound"
	codeValueIllegal               = "InvalidParameterValue.Illegal"
	codeNotSupportedAddressIPsType = "UnsupportedOperation.NotSupportedAddressIpsChargeType"
	codeUnsupportedRegion          = "UnsupportedRegion"

	// CVM DescribeInstances.
	codeCVMInstanceIDMalformed = "InvalidInstanceId.Malformed"
	codeCVMInvalidFilter       = "InvalidFilter"
	codeFilterValueLimit       = "InvalidFilterValue.LimitExceeded"
	codeIPAddressMalformed     = "InvalidParameterValue.IPAddressMalformed"

	// STS.
	codeParamError            = "InvalidParameter.ParamError"
	codeOverTimeError         = "InvalidParameter.OverTimeError"
	codeOverLimit             = "InvalidParameter.OverLimit"
	codeRoleNotFound          = "ResourceNotFound.RoleNotFound"
	codeGetRoleError          = "InternalError.GetRoleError"
	codeUnauthorizedOperation = "UnauthorizedOperation"
	codeStrategyFormatError   = "InvalidParameter.StrategyFormatError"
	codeStrategyInvalid       = "InvalidParameter.StrategyInvalid"
	codePolicyTooLong         = "InvalidParameter.PolicyTooLong"
	codeWebIdentityTokenError = "InvalidParameter.WebIdentityTokenError"
	codeMFATypeNotSupported   = "FailedOperation.MFATypeNotSupported"
	codeCheckMFAError         = "FailedOperation.CheckMFAError"
)

// apiError is an error answered in the Response.Error envelope.
type apiError struct {
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func errorf(code, format string, args ...any) *apiError {
	return &apiError{Code: code, Message: fmt.Sprintf(format, args...)}
}

func missingParameter(name string) *apiError {
	return errorf(codeMissingParameter, "The request is missing the required parameter `%s`.", name)
}
