//go:build generate

// Package tools pins the documentation generator in its own module, so that
// its dependencies stay out of the provider's go.mod. Run it with `make generate`.
package tools

import (
	// Documentation generation.
	_ "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs"
)

//go:generate terraform fmt -recursive ../examples/
//go:generate go run github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs generate --provider-dir .. --provider-name qcloud
