// Package pluginproc tunes the provider's process before it serves Terraform:
// how much memory it keeps and whether the plugin SDKs log. It is shared by
// the provider's main and the benchmark's framework-floor provider, so that
// the two are measured alike.
package pluginproc

import (
	"os"
	"runtime/debug"
)

// memoryLimit is the heap size the garbage collector aims to stay under,
// unless GOMEMLIMIT says otherwise. The plugin framework's per-request data
// makes a refresh of 1,000 associations peak at 130 MiB resident with the
// default collector pacing (a provider with no logic of its own does the
// same); with this limit it stays under 100 MiB at no cost in time
// (BENCHMARKS.md).
const memoryLimit = 80 << 20

// sdkLogLevelVariables are the variables the plugin SDKs read their log
// levels from; unset, they log everything at TRACE.
var sdkLogLevelVariables = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_QCLOUD"}

// Prepare sets the memory limit and, unless the provider runs in debug mode
// (its logs then go to the developer's terminal), quiets the SDKs' logging
// when Terraform will not show it.
func Prepare(debugMode bool) {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	if !debugMode {
		quietSDKLogsUnlessTerraformShowsThem()
	}
}

// quietSDKLogsUnlessTerraformShowsThem turns the SDKs' logging off when
// Terraform will not show it: Terraform passes a provider's log lines on only
// when TF_LOG or TF_LOG_PROVIDER is set, yet the SDKs encode every line at
// TRACE regardless: most of what the provider allocates in a large refresh
// (BENCHMARKS.md). Any logging variable set by the user is left alone.
func quietSDKLogsUnlessTerraformShowsThem() {
	for _, v := range append([]string{"TF_LOG", "TF_LOG_PROVIDER"}, sdkLogLevelVariables...) {
		if os.Getenv(v) != "" {
			return
		}
	}
	for _, v := range sdkLogLevelVariables {
		_ = os.Setenv(v, "OFF")
	}
}
