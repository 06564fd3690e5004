package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"golang.org/x/mod/semver"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/acctest"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/e2e"
)

func TestMain(m *testing.M) {
	acctest.Main(m)
}

// TestDocsAreCurrent renders the docs with tfplugindocs (pinned in tools/go.mod)
// into a scratch directory and compares them with docs/, which it never
// writes: edit the schema, templates/ or examples/, then run make generate.
func TestDocsAreCurrent(t *testing.T) {
	// tfplugindocs takes the rendered directory relative to the provider
	// directory (this one), even when it is absolute.
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	scratch, err := filepath.Rel(root, out)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), "go", "run", "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs", "generate",
		"--provider-dir", "..", "--provider-name", "qcloud", "--rendered-website-dir", scratch)
	cmd.Dir = "tools"
	// tfplugindocs runs the terraform on PATH: put the one make generate uses
	// first (the Terraform beside the clone), else the one the tests use.
	terraformDir := docsTerraformDir(t)
	cmd.Env = append(acctest.WithoutCloud(os.Environ()), "PATH="+terraformDir+string(os.PathListSeparator)+os.Getenv("PATH"),
		"TF_CLI_CONFIG_FILE="+os.DevNull, "CHECKPOINT_DISABLE=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tfplugindocs generate: %v\n%s", err, out)
	}
	want := readTree(t, out)
	got := readTree(t, "docs")
	for name, content := range want {
		if current, ok := got[name]; !ok {
			t.Errorf("docs/%s is missing: run make generate and commit docs/", name)
		} else if !bytes.Equal(current, content) {
			t.Errorf("docs/%s is stale: run make generate and commit docs/", name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("docs/%s is generated from nothing any more: remove it (make generate does)", name)
		}
	}
}

// docsTerraformDir is the directory of the terraform that renders the docs:
// one that knows resource identities and list resources (1.14+), without
// which the docs come out without them. It skips t when there is none.
func docsTerraformDir(t *testing.T) string {
	t.Helper()
	newer, err := e2e.SharedTerraform(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if newer != "" {
		return filepath.Dir(newer)
	}
	terraform := os.Getenv("TF_ACC_TERRAFORM_PATH")
	out, err := exec.CommandContext(t.Context(), terraform, "version", "-json").Output()
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err != nil || json.Unmarshal(out, &v) != nil {
		t.Fatalf("%s version -json: %v %s", terraform, err, out)
	}
	if semver.Compare("v"+v.Version, "v1.14.0") < 0 {
		t.Skipf("docs/ is rendered with Terraform 1.14 or later (identities, list resources); %s is %s and there is "+
			"none in ../shared/tools beside the clone", terraform, v.Version)
	}
	return filepath.Dir(terraform)
}

// readTree reads every file under root, by slash path relative to root.
func readTree(t *testing.T, root string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := fs.WalkDir(os.DirFS(root), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files[path], err = os.ReadFile(filepath.Join(root, path))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
