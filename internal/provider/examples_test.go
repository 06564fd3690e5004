package provider_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclwrite"
	tfconfig "github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/acctest"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/provider"
)

// exampleRequiredProviders is added to an example directory whose files do
// not say where the qcloud provider comes from (resource snippets), as a
// user's configuration would.
const exampleRequiredProviders = `terraform {
  required_providers {
    qcloud = {
      source = "tfqcloud/qcloud"
    }
  }
}
`

// TestAccExamples applies and destroys every configuration under examples/
// (the documentation's and the demo's) against an emulator whose world holds
// the ids they name, as a user would run them: credentials, region and
// endpoint from the environment. Modules are tested by `terraform test`.
func TestAccExamples(t *testing.T) {
	acctest.EmulatorOnly(t, "the examples name ids that exist only in the emulator's world")
	root := filepath.Join("..", "..", "examples")
	dirs := exampleDirs(t, root)
	if len(dirs) == 0 {
		t.Fatalf("no example configurations found under %s", root)
	}
	// The examples' own required_providers name the provider's registry
	// address, which the test's in-process provider is served under.
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "tfqcloud")
	for _, dir := range dirs {
		rel, _ := filepath.Rel(root, dir)
		t.Run(filepath.ToSlash(rel), func(t *testing.T) {
			var versions []tfversion.TerraformVersionCheck
			if strings.HasPrefix(filepath.ToSlash(rel), "actions/") {
				// action blocks need Terraform 1.14+, and OpenTofu has none.
				acctest.SkipUnderOpenTofu(t, "actions")
				versions = acctest.Terraform114
			}
			cloud := acctest.NewEmulator(t, exampleWorldOptions(t))
			var check resource.TestCheckFunc
			if versions != nil {
				// The action's example unbinds an EIP bound where its guard says.
				cloud.Patch(t, "eip-1a2b3c4d", emulator.AddressPatch{BindInstanceID: "ins-1a2b3c4d"})
				check = cloud.CheckUnbound("eip-1a2b3c4d")
			}
			for name, value := range emulatorEnvironment(cloud) {
				t.Setenv(name, value)
			}
			work := t.TempDir()
			copyTerraformFiles(t, dir, work)
			acctest.Test(t, resource.TestCase{
				TerraformVersionChecks: versions,
				Steps: []resource.TestStep{{
					ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
					ConfigDirectory:          tfconfig.StaticDirectory(work),
					Check:                    check,
					ConfigPlanChecks:         resource.ConfigPlanChecks{PostApplyPostRefresh: emptyPlan},
				}},
			})
		})
	}
}

// TestAccExamples_importByIdentity applies the resource examples with the
// import block by identity, as the documentation shows them, to a world in
// which the EIP it names is bound already: it imports that binding.
func TestAccExamples_importByIdentity(t *testing.T) {
	acctest.EmulatorOnly(t, "the examples name ids that exist only in the emulator's world")
	acctest.Parallel(t)
	dir := filepath.Join("..", "..", "examples", "resources", "qcloud_eip_association")
	cloud := acctest.NewEmulator(t, exampleWorldOptions(t))
	work := t.TempDir()
	copyTerraformFiles(t, dir, work)
	identity, err := os.ReadFile(filepath.Join(dir, "import-by-identity.tf"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(work, "import-by-identity.tf"), string(identity))
	// The provider under its default address, as other acceptance tests
	// serve it (TF_ACC_PROVIDER_NAMESPACE would keep this test from running
	// in parallel).
	if err := os.Remove(filepath.Join(work, "zz_required_providers_test.tf")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(work, "provider.tf"), cloud.ProviderConfig)
	acctest.Test(t, resource.TestCase{
		TerraformVersionChecks: acctest.Terraform112,
		Steps: []resource.TestStep{{
			PreConfig:                func() { cloud.BindOutOfBand(t, "eip-1a2b3c4d", client.Target{InstanceID: "ins-1a2b3c4d"}) },
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			ConfigDirectory:          tfconfig.StaticDirectory(work),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				// Imported, then updated in place to the configuration's settings.
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction("qcloud_eip_association.web", plancheck.ResourceActionUpdate)},
				PostApplyPostRefresh: emptyPlan,
			},
			Check: cloud.CheckBound("eip-1a2b3c4d", client.Target{InstanceID: "ins-1a2b3c4d"}),
		}},
	})
}

// TestExamplesAreFormatted is `terraform fmt -check` on examples/, with the
// HCL formatter terraform uses.
func TestExamplesAreFormatted(t *testing.T) {
	t.Parallel()
	err := filepath.WalkDir(filepath.Join("..", "..", "examples"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !slices.Contains([]string{".tf", ".hcl"}, filepath.Ext(path)) {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if formatted := hclwrite.Format(src); !bytes.Equal(formatted, src) {
			t.Errorf("%s is not formatted: run terraform fmt -recursive examples/", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// emulatorEnvironment is the environment that points a provider block
// without arguments at the emulator.
func emulatorEnvironment(cloud *acctest.Cloud) map[string]string {
	return map[string]string{
		provider.EnvEndpoint:  cloud.Endpoint(),
		provider.EnvSecretID:  emulator.DefaultSecretID,
		provider.EnvSecretKey: emulator.DefaultSecretKey,
		provider.EnvRegion:    emulator.DefaultRegion,
	}
}

// exampleWorldOptions is the emulator's default world plus the ids the
// documentation's examples name.
func exampleWorldOptions(t *testing.T) emulator.Options {
	t.Helper()
	world := emulator.DefaultWorld()
	world.Instances = append(world.Instances, emulator.Instance{
		InstanceID: "ins-1a2b3c4d", State: emulator.InstanceRunning, PrimaryNetworkInterfaceID: "eni-1a2b3c4d",
	})
	world.NetworkInterfaces = append(world.NetworkInterfaces, emulator.NetworkInterface{
		NetworkInterfaceID: "eni-1a2b3c4d", InstanceID: "ins-1a2b3c4d", Primary: true,
		PrivateIPs: []emulator.PrivateIP{{Address: "10.0.0.4", Primary: true}, {Address: "10.0.0.5"}},
	})
	for i, id := range []string{"eip-1a2b3c4d", "eip-5e6f7a8b"} {
		world.Addresses = append(world.Addresses, emulator.Address{
			AddressID: id, AddressName: []string{"web", "api"}[i], // the names the data source examples look up
			AddressIP: "198.51.100." + string(rune('1'+i)), AddressType: emulator.AddressTypeEIP, Status: emulator.StatusUnbind,
		})
	}
	return unlimited(world)
}

// exampleDirs lists the directories under root that hold .tf files, modules
// aside.
func exampleDirs(t *testing.T, root string) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "modules") && path != root {
			return filepath.SkipDir // .terraform and the like; modules have terraform test files
		}
		if !d.IsDir() && filepath.Ext(path) == ".tf" {
			if dir := filepath.Dir(path); !slices.Contains(dirs, dir) {
				dirs = append(dirs, dir)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("listing %s: %v", root, err)
	}
	return dirs
}

// copyTerraformFiles copies the .tf files of src to dst, adding a
// required_providers block when none of them has one.
func copyTerraformFiles(t *testing.T, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	declared := false
	for _, e := range entries {
		if e.IsDir() || filepath.Ext(e.Name()) != ".tf" || strings.HasPrefix(e.Name(), "import-by-") {
			continue // import blocks name bindings that exist already: TestAccExamples_importByIdentity
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		declared = declared || bytes.Contains(b, []byte("required_providers"))
		writeFile(t, filepath.Join(dst, e.Name()), string(b))
	}
	if !declared {
		writeFile(t, filepath.Join(dst, "zz_required_providers_test.tf"), exampleRequiredProviders)
	}
}
