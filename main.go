package main

import (
	"context"
	"flag"
	"log"
	"os"
	"runtime/debug"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/provider"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// memoryLimit is the heap size the garbage collector aims to stay under,
// unless GOMEMLIMIT says otherwise. The plugin framework's per-request data
// makes a refresh of 1,000 associations peak at 130 MiB resident with the
// default collector pacing (a provider with no logic of its own does the
// same); with this limit it stays under 100 MiB at no cost in time
// (BENCHMARKS.md).
const memoryLimit = 80 << 20

func main() {
	var debugMode bool
	flag.BoolVar(&debugMode, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	if !debugMode {
		quietSDKLogsUnlessTerraformShowsThem()
	}

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/tfqcloud/qcloud",
		Debug:   debugMode,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}

// sdkLogLevelVariables are the variables the plugin SDKs read their log
// levels from; unset, they log everything at TRACE.
var sdkLogLevelVariables = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_QCLOUD"}

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
