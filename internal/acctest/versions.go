package acctest

import (
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// OpenTofu reports whether the acceptance tests drive OpenTofu: .ci/run and
// make test say so through TF_ACC_PROVIDER_HOST, which OpenTofu needs anyway.
func OpenTofu() bool {
	return os.Getenv("TF_ACC_PROVIDER_HOST") == "registry.opentofu.org"
}

// SkipUnderOpenTofu skips t under OpenTofu, saying what it lacks: OpenTofu
// 1.12 reports a version of its own that version checks would misread.
func SkipUnderOpenTofu(t *testing.T, lacks string) {
	t.Helper()
	if OpenTofu() {
		t.Skipf("OpenTofu has no %s", lacks)
	}
}

// Terraform114 is the version check of tests of terraform query and actions,
// which Terraform 1.14 added: below it they skip. Pair it with
// SkipUnderOpenTofu.
var Terraform114 = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)}

// Terraform112 is the version check of tests that import by resource
// identity (Terraform 1.12, OpenTofu 1.12).
var Terraform112 = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)}
