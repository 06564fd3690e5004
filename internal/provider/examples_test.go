package provider_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// exampleRequiredProviders is added to an example directory whose files do
// not say where the qcloud provider comes from (resource snippets), so that
// terraform resolves it to this provider rather than hashicorp/qcloud.
const exampleRequiredProviders = `terraform {
  required_providers {
    qcloud = {
      source = "tfqcloud/qcloud"
    }
  }
}
`

// TestAccExamples checks every configuration under examples/ the way a user
// would meet it: terraform fmt -check on the whole tree, then terraform
// validate in each directory, with this provider built from the working tree
// and installed through dev_overrides in a CLI configuration of its own (the
// caller's CLI configuration is not read). Validation calls no API.
func TestAccExamples(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("runs the terraform CLI; set TF_ACC=1 to run it (make test does)")
	}
	t.Parallel()

	terraform := os.Getenv("TF_ACC_TERRAFORM_PATH") // acctest.Main sets it from PATH
	if terraform == "" {
		t.Fatal("TF_ACC_TERRAFORM_PATH is not set; acctest.Main should have set it")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("the module root %s has no go.mod: %v", root, err)
	}
	examples := filepath.Join(root, "examples")

	pluginDir := t.TempDir()
	build := exec.CommandContext(t.Context(), "go", "build", "-o", filepath.Join(pluginDir, "terraform-provider-qcloud"), ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	cliConfig := filepath.Join(t.TempDir(), "terraformrc")
	writeExampleFile(t, cliConfig, fmt.Sprintf(`provider_installation {
  dev_overrides {
    "registry.terraform.io/tfqcloud/qcloud" = %q
  }
  direct {}
}
`, pluginDir))
	env := terraformEnv(cliConfig)

	runTerraform := func(t *testing.T, dir string, args ...string) {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), terraform, args...)
		cmd.Dir, cmd.Env = dir, env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Errorf("terraform %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out.String())
		}
	}

	t.Run("fmt", func(t *testing.T) {
		runTerraform(t, examples, "fmt", "-check", "-recursive", "-diff", "-no-color")
	})

	dirs := exampleDirs(t, examples)
	if len(dirs) == 0 {
		t.Fatalf("no example configurations found under %s", examples)
	}
	for _, dir := range dirs {
		rel, _ := filepath.Rel(examples, dir)
		t.Run("validate/"+filepath.ToSlash(rel), func(t *testing.T) {
			t.Parallel()
			work := t.TempDir()
			copyTerraformFiles(t, dir, work)
			runTerraform(t, work, "validate", "-no-color")
		})
	}
}

// terraformEnv is the environment of the test's terraform commands: this
// process's, minus anything that would change what terraform reads, plus the
// test's own CLI configuration.
func terraformEnv(cliConfig string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "TF_CLI_ARGS") ||
			slices.Contains([]string{"TF_CLI_CONFIG_FILE", "TF_DATA_DIR", "TF_WORKSPACE", "TF_PLUGIN_CACHE_DIR"}, name) {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "TF_CLI_CONFIG_FILE="+cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
}

// exampleDirs lists the directories under root that hold .tf files.
func exampleDirs(t *testing.T, root string) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != root {
			return filepath.SkipDir // .terraform and the like
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
		if e.IsDir() || filepath.Ext(e.Name()) != ".tf" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		declared = declared || bytes.Contains(b, []byte("required_providers"))
		writeExampleFile(t, filepath.Join(dst, e.Name()), string(b))
	}
	if !declared {
		writeExampleFile(t, filepath.Join(dst, "zz_required_providers_test.tf"), exampleRequiredProviders)
	}
}

func writeExampleFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
