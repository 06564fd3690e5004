package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/provider"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/providerprocess"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	var debugMode bool
	flag.BoolVar(&debugMode, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	providerprocess.Prepare(debugMode)

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/tfqcloud/qcloud",
		Debug:   debugMode,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
