package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/acctest"
)

// Region is the region of the emulator's world.
const Region = "ap-guangzhou"

// ProviderSource is the provider's registry address; OpenTofu reads the same
// source as openTofuProviderSource.
const (
	ProviderSource         = "registry.terraform.io/tfqcloud/qcloud"
	openTofuProviderSource = "registry.opentofu.org/tfqcloud/qcloud"
)

// Credentials are what the provider signs with.
type Credentials struct {
	SecretID, SecretKey, Token string
}

// Workspace is a directory holding one Terraform configuration, run with the
// built provider installed by dev_overrides, one command at a time. TF runs
// terraform there for what the harness does not wrap; OnMessage, when set,
// sees every -json UI message of a command as it comes.
type Workspace struct {
	Dir       string
	TF        *tfexec.Terraform
	OnMessage func(tfjson.LogMsg)
	env       []string // TF's environment, for Invoke
}

// NewWorkspace creates dir (if needed) with a CLI configuration whose
// dev_overrides point at the built provider. Its terraform commands get that
// configuration, the caller's environment less the cloud variables and
// Terraform's own settings, QCLOUD_ENDPOINT when endpoint is set, and the
// credentials in TENCENTCLOUD_* unless cred is zero.
func NewWorkspace(ctx context.Context, dir string, bins Binaries, endpoint string, cred Credentials) (*Workspace, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if dir, err = filepath.EvalSymlinks(dir); err != nil { // as /proc/<pid>/cwd shows it
		return nil, err
	}
	cliConfig := filepath.Join(dir, ".terraformrc")
	if err := writeWhole(cliConfig, fmt.Sprintf(`provider_installation {
  dev_overrides {
    %q = %q
    %q = %q
  }
  direct {}
}
`, ProviderSource, bins.ProviderDir(), openTofuProviderSource, bins.ProviderDir())); err != nil {
		return nil, err
	}
	tf, err := tfexec.NewTerraform(dir, bins.Terraform)
	if err != nil {
		return nil, err
	}
	env := map[string]string{}
	for _, kv := range acctest.WithoutCloud(os.Environ()) {
		// Terraform's settings come from the harness alone.
		if k, v, _ := strings.Cut(kv, "="); !strings.HasPrefix(k, "TF_") {
			env[k] = v
		}
	}
	env["TF_CLI_CONFIG_FILE"] = cliConfig
	env["CHECKPOINT_DISABLE"] = "1"
	env["TENCENTCLOUD_REGION"] = Region
	if endpoint != "" {
		env["QCLOUD_ENDPOINT"] = endpoint
	}
	if cred != (Credentials{}) {
		env["TENCENTCLOUD_SECRET_ID"], env["TENCENTCLOUD_SECRET_KEY"] = cred.SecretID, cred.SecretKey
		if cred.Token != "" {
			env["TENCENTCLOUD_SECURITY_TOKEN"] = cred.Token
		}
	}
	if err := tf.SetEnv(env); err != nil {
		return nil, err
	}
	// A cancelled command gets SIGINT (tfexec's way, as Ctrl-C), then SIGKILL.
	if err := tf.SetWaitDelay(10 * time.Second); err != nil {
		return nil, err
	}
	// tfexec asks terraform its version before the first command: now, out
	// of every timed command.
	if _, _, err := tf.Version(ctx, false); err != nil {
		return nil, err
	}
	ws := &Workspace{Dir: dir, TF: tf}
	for k, v := range env {
		ws.env = append(ws.env, k+"="+v)
	}
	return ws, nil
}

// WriteFile writes a file (a configuration, a var file) into the workspace.
func (w *Workspace) WriteFile(name, content string) error {
	return writeWhole(filepath.Join(w.Dir, name), content)
}

// WriteConfig replaces main.tf.
func (w *Workspace) WriteConfig(hcl string) error { return w.WriteFile("main.tf", hcl) }

// StatePath is the workspace's local state file.
func (w *Workspace) StatePath() string { return filepath.Join(w.Dir, "terraform.tfstate") }

// State is `terraform show -json` of the workspace's state.
func (w *Workspace) State(ctx context.Context) (*tfjson.State, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	return w.TF.Show(ctx)
}

// writeWhole writes a file under another name, then renames it: a terraform
// command running in the directory (Workspaces may share one) reads the old
// file or the new one, never one half written.
func writeWhole(name, content string) error {
	f, err := os.CreateTemp(filepath.Dir(name), filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	_, err = f.WriteString(content)
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Rename(f.Name(), name)
	}
	if err != nil {
		_ = os.Remove(f.Name())
	}
	return err
}
