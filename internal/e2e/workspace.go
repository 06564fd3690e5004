package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Credentials are what the provider signs with.
type Credentials struct {
	SecretID, SecretKey, Token string
}

// Region is the region of the emulator's world.
const Region = "ap-guangzhou"

// ProviderSource is the provider's registry address.
const ProviderSource = "registry.terraform.io/tfqcloud/qcloud"

// Workspace is a directory holding one Terraform configuration, run with the
// built provider through dev_overrides.
type Workspace struct {
	Dir string
	// TerraformPath is the terraform CLI.
	TerraformPath string
	// Endpoint goes to QCLOUD_ENDPOINT ("" leaves it unset).
	Endpoint string
	// Credentials go to TENCENTCLOUD_SECRET_ID/_KEY/_SECURITY_TOKEN unless
	// CredentialsInEnv is false.
	Credentials      Credentials
	CredentialsInEnv bool
	// Env is added to every terraform subprocess (e.g. TF_LOG=TRACE).
	Env []string

	cliConfig string
}

// NewWorkspace creates dir (if needed) and writes the CLI configuration with
// dev_overrides for the provider into it.
func NewWorkspace(dir string, bins Binaries, endpoint string, cred Credentials) (*Workspace, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	w := &Workspace{Dir: dir, TerraformPath: bins.Terraform, Endpoint: endpoint, Credentials: cred, CredentialsInEnv: true,
		cliConfig: filepath.Join(dir, ".terraformrc")}
	cli := fmt.Sprintf(`provider_installation {
  dev_overrides {
    %q = %q
  }
  direct {}
}
`, ProviderSource, bins.ProviderDir())
	if err := os.WriteFile(w.cliConfig, []byte(cli), 0o644); err != nil {
		return nil, err
	}
	return w, nil
}

// WriteFile writes a file (a configuration, a var file) into the workspace.
func (w *Workspace) WriteFile(name, content string) error {
	return os.WriteFile(filepath.Join(w.Dir, name), []byte(content), 0o600)
}

// WriteConfig replaces main.tf.
func (w *Workspace) WriteConfig(hcl string) error { return w.WriteFile("main.tf", hcl) }

// StatePath is the workspace's local state file.
func (w *Workspace) StatePath() string { return filepath.Join(w.Dir, "terraform.tfstate") }

// environ is the environment of a terraform subprocess: the harness's own,
// less anything that could point Terraform or the provider elsewhere, plus the
// workspace's settings.
func (w *Workspace) environ() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "TF_") || strings.HasPrefix(name, "TENCENTCLOUD_") || strings.HasPrefix(name, "QCLOUD_") ||
			name == "CHECKPOINT_DISABLE" {
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"TF_CLI_CONFIG_FILE="+w.cliConfig,
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
		"TENCENTCLOUD_REGION="+Region,
	)
	if w.Endpoint != "" {
		env = append(env, "QCLOUD_ENDPOINT="+w.Endpoint)
	}
	if w.CredentialsInEnv {
		env = append(env, "TENCENTCLOUD_SECRET_ID="+w.Credentials.SecretID, "TENCENTCLOUD_SECRET_KEY="+w.Credentials.SecretKey)
		if w.Credentials.Token != "" {
			env = append(env, "TENCENTCLOUD_SECURITY_TOKEN="+w.Credentials.Token)
		}
	}
	return append(env, w.Env...)
}

// Result is one finished terraform command.
type Result struct {
	Args           []string
	Stdout, Stderr string
	Wall           time.Duration
	ExitCode       int
	// Err is set when the command could not run or did not exit by itself
	// (killed, timed out); a non-zero exit code alone is not an Err.
	Err error
	// PeakRSS is the largest VmHWM, in bytes, of the terraform-provider-qcloud
	// processes seen in the command's process tree; ProviderProcesses counts
	// them.
	PeakRSS           int64
	ProviderProcesses int
}

// OK reports whether the command exited 0.
func (r *Result) OK() bool { return r.Err == nil && r.ExitCode == 0 }

// Output is stdout then stderr.
func (r *Result) Output() string { return r.Stdout + r.Stderr }

// PeakRSSMiB is PeakRSS in MiB.
func (r *Result) PeakRSSMiB() float64 { return float64(r.PeakRSS) / (1 << 20) }

// Diagnostics parses the diagnostics Terraform printed.
func (r *Result) Diagnostics() []Diagnostic { return ParseDiagnostics(r.Output()) }

// Summary describes the outcome in one line: "ok", or the exit status and the
// first error diagnostic's summary.
func (r *Result) Summary() string {
	if r.OK() {
		return "ok"
	}
	status := "exit " + strconv.Itoa(r.ExitCode)
	if r.Err != nil {
		status = r.Err.Error()
	}
	if errs := ErrorSummaries(r.Diagnostics()); len(errs) > 0 {
		return status + ": " + strings.Join(errs, "; ")
	}
	return status + ": no error diagnostic"
}

// Running is a terraform command in progress.
type Running struct {
	Args    []string
	cmd     *exec.Cmd
	stdout  *lockedBuffer
	stderr  *lockedBuffer
	start   time.Time
	sampler *rssSampler
	cancel  context.CancelFunc
	done    chan struct{}
	result  *Result
}

// Start starts `terraform args...` in the workspace. The command is killed
// (its whole process group) when ctx ends.
func (w *Workspace) Start(ctx context.Context, args ...string) (*Running, error) {
	ctx, cancel := context.WithCancel(ctx)
	cmd := groupCommand(ctx, w.TerraformPath, args...)
	cmd.Dir = w.Dir
	cmd.Env = w.environ()
	r := &Running{Args: args, cmd: cmd, stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, cancel: cancel, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = r.stdout, r.stderr
	r.start = time.Now()
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("starting terraform %s: %w", strings.Join(args, " "), err)
	}
	registerGroup(cmd.Process.Pid, "terraform "+strings.Join(args, " "))
	r.sampler = startRSSSampler(cmd.Process.Pid, 20*time.Millisecond)
	go r.wait(ctx)
	return r, nil
}

func (r *Running) wait(ctx context.Context) {
	err := r.cmd.Wait()
	wall := time.Since(r.start)
	peak, procs := r.sampler.finish()
	pid := r.cmd.Process.Pid
	// Whatever terraform left behind in its group (a provider it could not
	// stop) goes with it.
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	unregisterGroup(pid)
	res := &Result{Args: r.Args, Stdout: r.stdout.String(), Stderr: r.stderr.String(), Wall: wall,
		PeakRSS: peak, ProviderProcesses: procs}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr) && exitErr.Exited():
		res.ExitCode = exitErr.ExitCode()
	default:
		res.ExitCode = -1
		res.Err = err
		if ctx.Err() != nil {
			res.Err = fmt.Errorf("terraform %s did not finish: %w", strings.Join(r.Args, " "), context.Cause(ctx))
		}
	}
	r.result = res
	r.cancel()
	close(r.done)
}

// PID is terraform's process id (also its process group id).
func (r *Running) PID() int { return r.cmd.Process.Pid }

// Stdout and Stderr return what the command has printed so far.
func (r *Running) Stdout() string { return r.stdout.String() }

// Stderr returns what the command has printed to stderr so far.
func (r *Running) Stderr() string { return r.stderr.String() }

// Done is closed when the command has ended.
func (r *Running) Done() <-chan struct{} { return r.done }

// Wait waits for the command and returns its result.
func (r *Running) Wait() *Result {
	<-r.done
	return r.result
}

// Interrupt sends sig to terraform's process group, as a terminal's Ctrl-C
// (SIGINT) does to the foreground job.
func (r *Running) Interrupt(sig syscall.Signal) error {
	return syscall.Kill(-r.PID(), sig)
}

// Signal sends sig to the terraform process alone, as `kill PID` or
// `timeout` do.
func (r *Running) Signal(sig syscall.Signal) error {
	return syscall.Kill(r.PID(), sig)
}

// ProviderPIDs lists the provider processes terraform is running now.
func (r *Running) ProviderPIDs() []int { return ProviderPIDs(r.PID()) }

// Terraform runs `terraform args...` in the workspace and waits for it; the
// command is killed when timeout passes (0 means no timeout beyond ctx).
func (w *Workspace) Terraform(ctx context.Context, timeout time.Duration, args ...string) *Result {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, timeout, fmt.Errorf("timed out after %s", timeout))
		defer cancel()
	}
	r, err := w.Start(ctx, args...)
	if err != nil {
		return &Result{Args: args, Err: err, ExitCode: -1}
	}
	return r.Wait()
}

// Common argument lists.
var (
	ApplyArgs   = []string{"apply", "-auto-approve", "-input=false", "-no-color"}
	DestroyArgs = []string{"destroy", "-auto-approve", "-input=false", "-no-color"}
	PlanArgs    = []string{"plan", "-input=false", "-no-color"}
)

// Args appends extra arguments to a common argument list without aliasing it.
func Args(base []string, extra ...string) []string {
	return append(append([]string(nil), base...), extra...)
}
