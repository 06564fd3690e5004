// Package providerprocess sets up the provider's process before it serves
// Terraform: how much memory it keeps, whether the plugin SDKs log, that it
// ends when Terraform is gone and not before, on SIGTERM. The provider's main and the benchmark's
// no-API provider (internal/e2e/noapiprovider) both call Prepare, so that the
// two are measured alike.
package providerprocess

import (
	"log"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"
)

// memoryLimit is the heap size the garbage collector aims to stay under,
// unless GOMEMLIMIT says otherwise. With the default pacing, the plugin
// framework's per-request data makes a refresh of 1,000 associations peak at
// 130 MiB resident; at this limit it stays under 100 MiB at no cost in time
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
	// Process-wide, on purpose: the limit is for the whole provider process.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	if !debugMode {
		quietSDKLogsUnlessTerraformShowsThem()
		exitWhenOrphaned(time.Second)
		outliveSIGTERM()
	}
}

// outliveSIGTERM keeps the process alive through SIGTERM. CI runners, docker
// stop and systemd send it to Terraform's whole process group: Terraform
// then stops its providers as it does on Ctrl-C, and the provider sees the
// tasks the API accepted through (and reports them) before Terraform writes
// its state and ends the process. Dying at once, as Go does by default,
// would leave bindings the state does not know.
func outliveSIGTERM() {
	terms := make(chan os.Signal, 1)
	signal.Notify(terms, syscall.SIGTERM)
	go func() {
		for range terms {
			log.Printf("[INFO] SIGTERM received: finishing what the API accepted until Terraform stops the provider")
		}
	}()
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
// TRACE regardless, most of what the provider allocates in a large refresh
// (BENCHMARKS.md). Any logging variable set by the user is left alone.
func quietSDKLogsUnlessTerraformShowsThem() {
	for _, v := range append([]string{"TF_LOG", "TF_LOG_PROVIDER"}, sdkLogLevelVariables...) {
		if os.Getenv(v) != "" {
			return
		}
	}
	// The SDKs read their levels from the environment only, so this is set
	// in the process's own environment, which nothing else here reads.
	for _, v := range sdkLogLevelVariables {
		_ = os.Setenv(v, "OFF")
	}
}
