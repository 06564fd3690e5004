// Package pluginproc tunes the provider's process before it serves Terraform:
// how much memory it keeps and whether the plugin SDKs log. It is shared by
// the provider's main and the benchmark's framework-floor provider, so that
// the two are measured alike.
package pluginproc

import (
	"os"
	"runtime/debug"
	"time"
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
// (started by hand, its logs going to the developer's terminal), quiets the
// SDKs' logging when Terraform will not show it and ends the process when
// Terraform is gone.
func Prepare(debugMode bool) {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	if !debugMode {
		quietSDKLogsUnlessTerraformShowsThem()
		exitWhenOrphaned(time.Second)
	}
}

// exitWhenOrphaned ends the process once its parent, Terraform, is gone.
// Terraform stops its plugins when it exits, but not when it is killed (or
// dies of a closed pipe): go-plugin would then keep the provider serving no
// one, forever. The parent is gone when the process has been handed to
// another one (init, or a subreaper).
func exitWhenOrphaned(every time.Duration) {
	parent := os.Getppid()
	if parent <= 1 {
		return // started by init: nobody to outlive
	}
	go func() {
		for range time.Tick(every) {
			if os.Getppid() != parent {
				os.Exit(1)
			}
		}
	}()
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
