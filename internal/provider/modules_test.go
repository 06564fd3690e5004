package provider_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/acctest"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// moduleTestTimeout bounds one module's `terraform test`.
const moduleTestTimeout = 5 * time.Minute

// TestExampleModules runs `terraform test` on every module under
// examples/modules against an emulator, as a module author would: with a
// provider built from this tree, installed with dev_overrides, and the cloud
// settings in that command's environment only.
//
// terraform-exec cannot pass TF_REATTACH_PROVIDERS to `terraform test` (it
// refuses the variable in SetEnv and Test takes no Reattach option), hence a
// binary rather than the in-process provider the other tests reattach.
func TestExampleModules(t *testing.T) {
	acctest.EmulatorOnly(t, "the module tests name ids that exist only in the emulator's world")
	root := filepath.Join("..", "..", "examples", "modules")
	modules, err := filepath.Glob(filepath.Join(root, "*"))
	if err != nil || len(modules) == 0 {
		t.Fatalf("no modules found under %s (%v)", root, err)
	}
	cliConfig := installProvider(t)
	for _, dir := range modules {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			cloud := newParallelCloud(t)
			boundBefore := boundAddresses(cloud)
			work := t.TempDir()
			copyModule(t, dir, work)
			// Twice on one world: a test must leave the world as it found it,
			// normal public IPs and the reallocation quota included.
			for run := 1; run <= 2; run++ {
				env := emulatorEnvironment(cloud)
				env["TF_CLI_CONFIG_FILE"], env["CHECKPOINT_DISABLE"] = cliConfig, "1"
				runTerraformTest(t, work, env)
				if cloud.WriteCalls() == 0 {
					t.Errorf("terraform test passed without binding anything on the emulator (%s)", cloud.CallsOf())
				}
				if after := boundAddresses(cloud); !slices.Equal(after, boundBefore) {
					t.Errorf("run %d of terraform test left the bound addresses %v, want %v as before it", run, after, boundBefore)
				}
			}
			if n := cloud.Emulator.Stats().Calls["DisassociateAddress"]; n == 0 || reallocationsToday(t, cloud) != 0 {
				t.Errorf("terraform test reallocated normal public IPs (%d unbinds)", n)
			}
		})
	}
}

// installProvider builds the provider into a temporary directory and returns
// a CLI configuration whose dev_overrides point tfqcloud/qcloud at it.
func installProvider(t *testing.T) string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("building the provider for terraform test needs the go command on PATH: %v", err)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, goCmd, "build", "-o", filepath.Join(dir, "terraform-provider-qcloud"), ".")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build of the provider: %v\n%s", err, out)
	}
	config := filepath.Join(dir, "terraform.rc")
	writeFile(t, config, fmt.Sprintf(`provider_installation {
  dev_overrides {
    "tfqcloud/qcloud" = %q
  }
  direct {}
}
`, dir))
	return config
}

// runTerraformTest runs `terraform test` in dir with the environment less the
// caller's cloud settings plus env, and fails t with the runs' diagnostics
// unless every run passed.
func runTerraformTest(t *testing.T, dir string, env map[string]string) {
	t.Helper()
	tf, err := tfexec.NewTerraform(dir, os.Getenv("TF_ACC_TERRAFORM_PATH"))
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, kv := range acctest.WithoutCloud(os.Environ()) {
		name, value, _ := strings.Cut(kv, "=")
		vars[name] = value
	}
	maps.Copy(vars, env)
	if err := tf.SetEnv(tfexec.CleanEnv(vars)); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	tf.SetStderr(&stderr)
	ctx, cancel := context.WithTimeout(context.Background(), moduleTestTimeout)
	defer cancel()

	var out bytes.Buffer
	start := time.Now()
	err = tf.Test(ctx, &out)
	summary, messages := readTestOutput(t, &out)
	t.Logf("terraform test: %s in %s", summary, time.Since(start).Round(time.Millisecond))
	if err != nil || !strings.HasPrefix(summary, "pass") {
		t.Fatalf("terraform test failed (%v): %s\n%s\n%s", err, summary, strings.Join(messages, "\n"), stderr.String())
	}
}

// testOutputLine is the part of a `terraform test -json` line read here.
type testOutputLine struct {
	Level      string `json:"@level"`
	Message    string `json:"@message"`
	Type       string `json:"type"`
	Diagnostic *struct {
		Severity string `json:"severity"`
		Summary  string `json:"summary"`
		Detail   string `json:"detail"`
	} `json:"diagnostic"`
	TestSummary *struct {
		Status  string `json:"status"`
		Passed  int    `json:"passed"`
		Failed  int    `json:"failed"`
		Errored int    `json:"errored"`
		Skipped int    `json:"skipped"`
	} `json:"test_summary"`
}

// readTestOutput returns the summary ("pass: 9 passed, 0 failed, ...") and
// the runs' messages and error diagnostics.
func readTestOutput(t *testing.T, out *bytes.Buffer) (string, []string) {
	t.Helper()
	summary := "no summary"
	var messages []string
	scanner := bufio.NewScanner(out)
	scanner.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for scanner.Scan() {
		var line testOutputLine
		if err := json.Unmarshal(scanner.Bytes(), &line); err != nil {
			messages = append(messages, scanner.Text())
			continue
		}
		switch {
		case line.TestSummary != nil:
			s := line.TestSummary
			summary = fmt.Sprintf("%s: %d passed, %d failed, %d errored, %d skipped", s.Status, s.Passed, s.Failed, s.Errored, s.Skipped)
		case line.Diagnostic != nil && line.Diagnostic.Severity == "error":
			messages = append(messages, "Error: "+line.Diagnostic.Summary+"\n"+line.Diagnostic.Detail)
		case line.Type == "test_run" || line.Type == "test_file":
			messages = append(messages, line.Message)
		}
	}
	return summary, messages
}

// copyModule copies a module's configuration and test files.
func copyModule(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && path != src {
				return filepath.SkipDir // .terraform of a local run
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !strings.HasSuffix(path, ".tf") && !strings.HasSuffix(path, ".tftest.hcl") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o600)
	})
	if err != nil {
		t.Fatalf("copying %s: %v", src, err)
	}
}

// boundAddresses lists the addresses the emulator shows bound (normal public
// IPs included), in id order.
func boundAddresses(cloud *acctest.Cloud) []string {
	var ids []string
	for _, a := range cloud.Emulator.Snapshot().Addresses {
		if a.Status != emulator.StatusUnbind {
			ids = append(ids, a.AddressID)
		}
	}
	slices.Sort(ids)
	return ids
}
