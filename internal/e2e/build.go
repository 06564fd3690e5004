package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// ModulePath is the Go module the harness builds.
const ModulePath = "github.com/tfqcloud/terraform-provider-qcloud"

// EmulatorBinaryName is the file name of the emulator binary.
const EmulatorBinaryName = "qcloud-emulator"

// Binaries are the programs the harness runs.
type Binaries struct {
	Provider, Emulator, Terraform string
}

// ProviderDir is the directory a Workspace's dev_overrides names.
func (b Binaries) ProviderDir() string { return filepath.Dir(b.Provider) }

// BuildOptions say where binaries come from: Provider and Emulator, when
// set, are prebuilt and used as they are (a provider must be named
// terraform-provider-qcloud, the name dev_overrides looks for); the others
// are built into Dir. Terraform empty means terraform on PATH.
type BuildOptions struct {
	Dir, Provider, Emulator, Terraform string
	// Version, when set, is the built provider's main.version.
	Version string
	// Log, when set, is told what is being built.
	Log func(format string, args ...any)
}

// FindTerraform returns the terraform CLI: the given path, else
// TF_ACC_TERRAFORM_PATH (what `make test` sets), else terraform on PATH; or an
// error saying that nothing will download one.
func FindTerraform(path string) (string, error) {
	if path == "" {
		path = os.Getenv("TF_ACC_TERRAFORM_PATH")
	}
	if path == "" {
		path = "terraform"
	}
	p, err := exec.LookPath(path)
	if err != nil {
		return "", fmt.Errorf("the terraform CLI (1.11 or later) is needed on PATH, and nothing here downloads one; "+
			"install it (https://developer.hashicorp.com/terraform/install): %w", err)
	}
	return p, nil
}

// ModuleRoot finds the directory of this module's go.mod, from the working
// directory upwards.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(b), "module "+ModulePath+"\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod of %s in the working directory or above it; run from inside the repository", ModulePath)
		}
		dir = parent
	}
}

// Build returns the binaries, compiling those not given (go build, about a
// minute cold, seconds with a warm build cache).
func Build(ctx context.Context, opts BuildOptions) (Binaries, error) {
	bins := Binaries{Provider: opts.Provider, Emulator: opts.Emulator}
	var err error
	if bins.Terraform, err = FindTerraform(opts.Terraform); err != nil {
		return bins, err
	}
	if opts.Provider != "" && filepath.Base(opts.Provider) != ProviderBinaryName {
		return bins, fmt.Errorf("prebuilt provider %s: the file must be named %s for dev_overrides", opts.Provider, ProviderBinaryName)
	}
	var versionFlags []string
	if opts.Version != "" {
		versionFlags = []string{"-ldflags", "-X main.version=" + opts.Version}
	}
	for _, b := range []struct {
		path      *string
		name, pkg string
		flags     []string
	}{{&bins.Provider, ProviderBinaryName, ".", versionFlags}, {&bins.Emulator, EmulatorBinaryName, "./cmd/qcloud-emulator", nil}} {
		build := *b.path == ""
		if build && opts.Dir == "" {
			return bins, errors.New("BuildOptions.Dir is required to build binaries")
		}
		if build {
			*b.path = filepath.Join(opts.Dir, b.name)
		}
		if *b.path, err = filepath.Abs(*b.path); err != nil {
			return bins, err
		}
		if build {
			if opts.Log != nil {
				opts.Log("building %s", *b.path)
			}
			if err := goBuild(ctx, *b.path, b.pkg, b.flags...); err != nil {
				return bins, err
			}
		}
	}
	return bins, checkExecutables(bins)
}

func checkExecutables(b Binaries) error {
	for _, p := range []string{b.Provider, b.Emulator, b.Terraform} {
		st, err := os.Stat(p)
		if err != nil {
			return err
		}
		if st.IsDir() || st.Mode()&0o111 == 0 {
			return fmt.Errorf("%s is not an executable file", p)
		}
	}
	return nil
}

// goBuild runs `go build -o out flags... pkg` in the module root (go build
// creates out's directory).
func goBuild(ctx context.Context, out, pkg string, flags ...string) error {
	root, err := ModuleRoot()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", append(append([]string{"build", "-o", out}, flags...), pkg)...)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
	}
	return nil
}

// BuildNoAPIProvider builds internal/e2e/noapiprovider, the provider's schemas
// without its API, as dir/terraform-provider-qcloud (for dev_overrides).
func BuildNoAPIProvider(ctx context.Context, dir string) (string, error) {
	out, err := filepath.Abs(filepath.Join(dir, ProviderBinaryName))
	if err != nil {
		return "", err
	}
	return out, goBuild(ctx, out, "./internal/e2e/noapiprovider")
}

// SharedTerraform unpacks the newest Terraform beside the clone
// (../shared/tools/terraform-<version>-linux_amd64.xz: nothing here downloads
// one) into dir (created if needed) and returns its path, or "" when there is
// none.
func SharedTerraform(ctx context.Context, dir string) (string, error) {
	return unpackShared(ctx, dir, "terraform")
}

// unpackShared unpacks ../shared/tools/<name>-*-linux_amd64.xz, the newest by
// name, into dir/<name>.
func unpackShared(ctx context.Context, dir, name string) (string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	archives, err := filepath.Glob(filepath.Join(root, "..", "shared", "tools", name+"-*-linux_amd64.xz"))
	if err != nil || len(archives) == 0 {
		return "", err
	}
	out := filepath.Join(dir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	f, err := os.OpenFile(out, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return "", err
	}
	defer f.Close()
	cmd := exec.CommandContext(ctx, "xz", "-dc", archives[len(archives)-1])
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = f, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("unpacking %s with xz: %v %s", archives[len(archives)-1], err, stderr.String())
	}
	return out, f.Close()
}
