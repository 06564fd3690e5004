package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-exec/tfexec"
	"golang.org/x/mod/sumdb/dirhash"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/acctest"
)

// TestReleaseSnapshotInstallsFromMirror checks what `make release-snapshot`
// leaves in dist/ (and runs it after): terraform init installs this platform's
// zip from a filesystem mirror, not dev_overrides, locking the zip's hash.
func TestReleaseSnapshotInstallsFromMirror(t *testing.T) {
	zips, _ := filepath.Glob(filepath.Join("dist", "terraform-provider-qcloud_*_"+runtime.GOOS+"_"+runtime.GOARCH+".zip"))
	if len(zips) != 1 {
		t.Skipf("no release snapshot for %s_%s in dist/ (found %d): run make release-snapshot", runtime.GOOS, runtime.GOARCH, len(zips))
	}
	zip := zips[0]
	version := regexp.MustCompile(`terraform-provider-qcloud_(.+)_` + runtime.GOOS + `_` + runtime.GOARCH + `\.zip$`).FindStringSubmatch(zip)[1]
	checkSums(t, version)

	mirror := t.TempDir()
	packed := filepath.Join(mirror, "registry.terraform.io", "tfqcloud", "qcloud")
	writeFile(t, filepath.Join(packed, filepath.Base(zip)), string(readFile(t, zip)))
	work := t.TempDir()
	cliConfig := filepath.Join(work, "terraformrc")
	writeFile(t, cliConfig, fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path = %q\n  }\n}\n", mirror))
	writeFile(t, filepath.Join(work, "main.tf"), fmt.Sprintf(`terraform {
  required_providers {
    qcloud = {
      source  = "tfqcloud/qcloud"
      version = %q
    }
  }
}
`, version))

	tf, err := tfexec.NewTerraform(work, os.Getenv("TF_ACC_TERRAFORM_PATH"))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TF_CLI_CONFIG_FILE": cliConfig, "CHECKPOINT_DISABLE": "1"}
	for _, kv := range acctest.WithoutCloud(os.Environ()) {
		name, value, _ := strings.Cut(kv, "=")
		if _, set := env[name]; !set && !strings.HasPrefix(name, "TF_") {
			env[name] = value
		}
	}
	if err := tf.SetEnv(env); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := tf.Init(ctx); err != nil {
		t.Fatalf("terraform init from the mirror: %v", err)
	}
	lock := readFile(t, filepath.Join(work, ".terraform.lock.hcl"))
	h1, err := dirhash.HashZip(zip, dirhash.Hash1)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`provider "registry.terraform.io/tfqcloud/qcloud"`, `version     = "` + version + `"`, `"` + h1 + `"`} {
		if !strings.Contains(string(lock), want) {
			t.Errorf("the lock file lacks %s:\n%s", want, lock)
		}
	}
	// The installed binary serves the provider's schema.
	schema, err := tf.ProvidersSchema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := schema.Schemas["registry.terraform.io/tfqcloud/qcloud"].ResourceSchemas["qcloud_eip_association"]; !ok {
		t.Fatalf("the installed provider serves no qcloud_eip_association: %v", schema.Schemas)
	}
}

// checkSums checks that SHA256SUMS covers every zip of the version and the
// registry manifest.
func checkSums(t *testing.T, version string) {
	t.Helper()
	prefix := filepath.Join("dist", "terraform-provider-qcloud_"+version)
	sums := map[string]string{}
	for line := range strings.Lines(string(readFile(t, prefix+"_SHA256SUMS"))) {
		if sum, name, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "  "); ok {
			sums[name] = sum
		}
	}
	zips, _ := filepath.Glob(prefix + "_*.zip")
	if len(zips) < 5 {
		t.Errorf("%d zips for %s, want every platform the Registry serves", len(zips), version)
	}
	files := map[string]string{"terraform-provider-qcloud_" + version + "_manifest.json": "terraform-registry-manifest.json"}
	for _, z := range zips {
		files[filepath.Base(z)] = z
	}
	for name, path := range files {
		if got := sha256File(t, path); sums[name] != got {
			t.Errorf("SHA256SUMS has %q for %s, want %s", sums[name], name, got)
		}
	}
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	sum := sha256.Sum256(readFile(t, path))
	return hex.EncodeToString(sum[:])
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeFile writes content to path, making its directory.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
