package emulator

import (
	"slices"
	"strings"
)

// API versions of the services served besides VPC (APIVersion).
const (
	CVMAPIVersion = "2017-03-12"
	STSAPIVersion = "2018-08-13"
)

// services are the services the emulator serves at its one address, by the name a TC3
// credential scope carries (the first label of the service's domain,
// vpc.tencentcloudapi.com), with the version each serves.
var services = map[string]string{
	"vpc": APIVersion,
	"cvm": CVMAPIVersion,
	"sts": STSAPIVersion,
}

// actionServices is the service of every action served. Action names are unique across
// the services served, so the action names the service a request is for.
var actionServices = map[string]string{
	"AssociateAddress":          "vpc",
	"DisassociateAddress":       "vpc",
	"DescribeAddresses":         "vpc",
	"DescribeTaskResult":        "vpc",
	"DescribeAddressQuota":      "vpc",
	"DescribeNetworkInterfaces": "vpc",
	"ReturnNormalAddresses":     "vpc",
	"DescribeInstances":         "cvm",
	"AssumeRole":                "sts",
	"AssumeRoleWithWebIdentity": "sts",
	"GetCallerIdentity":         "sts",
}

// unsignedActions are sent without a signature: with TC3, Authorization: SKIP and no
// X-TC-Token; with v1, no SecretId, Signature or Token (AssumeRoleWithWebIdentity,
// tencentcloud.com/document/api/1150/49454). A signed request is verified as any other.
var unsignedActions = map[string]bool{"AssumeRoleWithWebIdentity": true}

// isTencentHost tells whether the Host names a Tencent Cloud API domain.
func isTencentHost(host string) bool {
	return strings.HasSuffix(strings.ToLower(hostWithoutPort(host)), ".tencentcloudapi.com")
}

// requestService is the service a request is for: under a Tencent Cloud domain the
// first label of the host (vpc.tencentcloudapi.com is VPC, whatever the action), at
// any other address — the emulator serves every service at one — the service of the
// action ("" for an action it does not serve).
func requestService(host, action string) string {
	if isTencentHost(host) {
		label, _, _ := strings.Cut(strings.ToLower(hostWithoutPort(host)), ".")
		return label
	}
	return actionServices[action]
}

// servesAction tells whether the service serves the action.
func servesAction(service, action string) bool {
	return service != "" && actionServices[action] == service
}

// scopeServices are the service names a TC3 credential scope may carry for a request
// to host for service. The API's own rule is the product name, which is the first
// label of the domain the client called (sts.tencentcloudapi.com signs "sts"). The
// Node.js SDK derives the service from that first label of whatever endpoint it is
// given, so a client that reaches the emulator as 127.0.0.1:PORT signs for service
// "127": the emulator also accepts the first label of the Host it was reached at, as
// the real service accepts the first label of its own name, unless that label is the
// name of another service. Under a Tencent Cloud domain only the service itself is
// accepted. For a request whose action no service serves (service ""), any service
// name is, so that the answer is InvalidAction rather than a signature error.
func scopeServices(host, service string) []string {
	if service == "" {
		return append(sortedKeys(services), hostLabel(host))
	}
	if isTencentHost(host) || hostWithoutPort(host) == "" {
		return []string{service}
	}
	label := hostLabel(host)
	if _, known := services[label]; known {
		return []string{service}
	}
	return []string{service, label}
}

// hostLabel is the first label of a Host as received, port included when the host has
// no dot ("127.0.0.1:9010" -> "127", "localhost:9010" -> "localhost:9010"): what the
// Node.js SDK takes as the service name.
func hostLabel(host string) string {
	label, _, _ := strings.Cut(host, ".")
	return label
}

// actionsOf lists the actions a service serves, sorted.
func actionsOf(service string) []string {
	var out []string
	for action, s := range actionServices {
		if s == service {
			out = append(out, action)
		}
	}
	slices.Sort(out)
	return out
}
