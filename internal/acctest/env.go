package acctest

import (
	"os"
	"slices"
	"strings"
)

// cloudVariablePrefixes name the environment variables that point the
// provider, or an SDK's credential chain, at a Tencent Cloud account or
// change how it is reached: every TENCENTCLOUD_* and QCLOUD_* variable (the
// provider's, the official provider's, the SDK's), TKE's web identity
// variables, and tccli's profile. Every test environment that must stay off
// the real cloud is built without them here, and only here.
var cloudVariablePrefixes = []string{"TENCENTCLOUD_", "QCLOUD_", "TKE_", "TCCLI_"}

// fixtureVariables are the QCLOUD_TEST_* variables of the real-cloud fixtures;
// they point at nothing by themselves and are kept.
const fixtureVariables = "QCLOUD_TEST_"

// IsCloudVariable reports whether an environment variable is one of those.
func IsCloudVariable(name string) bool {
	return !strings.HasPrefix(name, fixtureVariables) &&
		slices.ContainsFunc(cloudVariablePrefixes, func(p string) bool { return strings.HasPrefix(name, p) })
}

// WithoutCloud returns environ (KEY=VALUE entries, as os.Environ gives them)
// less the cloud variables.
func WithoutCloud(environ []string) []string {
	return slices.DeleteFunc(slices.Clone(environ), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return IsCloudVariable(name)
	})
}

// unsetCloud removes the cloud variables from this process's environment.
func unsetCloud() {
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); IsCloudVariable(name) {
			_ = os.Unsetenv(name)
		}
	}
}
