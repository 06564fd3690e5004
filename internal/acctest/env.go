package acctest

import (
	"slices"
	"strings"
)

// CloudVariables are the environment variables that point the provider, or
// the SDK's credential chain, at a Tencent Cloud account. Every test
// environment that must stay off the real cloud is built without them here,
// and only here.
var CloudVariables = []string{
	"TENCENTCLOUD_SECRET_ID",
	"TENCENTCLOUD_SECRET_KEY",
	"TENCENTCLOUD_SECURITY_TOKEN",
	"TENCENTCLOUD_REGION",
	"TENCENTCLOUD_CREDENTIALS_FILE",
	"QCLOUD_ENDPOINT",
}

// WithoutCloud returns environ (KEY=VALUE entries, as os.Environ gives them)
// less CloudVariables.
func WithoutCloud(environ []string) []string {
	return slices.DeleteFunc(slices.Clone(environ), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return slices.Contains(CloudVariables, name)
	})
}
