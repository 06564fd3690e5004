package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"
)

// Command is one terraform command run through tfexec, its -json UI output
// going to w (or, already decoded, to each).
type Command struct {
	Name string
	run  func(ctx context.Context, tf *tfexec.Terraform, w io.Writer, each func(tfjson.LogMsg)) (changes bool, err error)
}

// Apply is `terraform apply -auto-approve -json`.
func Apply(opts ...tfexec.ApplyOption) Command {
	return Command{"apply", func(ctx context.Context, tf *tfexec.Terraform, w io.Writer, _ func(tfjson.LogMsg)) (bool, error) {
		return false, tf.ApplyJSON(ctx, w, opts...)
	}}
}

// Destroy is `terraform destroy -auto-approve -json`.
func Destroy(opts ...tfexec.DestroyOption) Command {
	return Command{"destroy", func(ctx context.Context, tf *tfexec.Terraform, w io.Writer, _ func(tfjson.LogMsg)) (bool, error) {
		return false, tf.DestroyJSON(ctx, w, opts...)
	}}
}

// Plan is `terraform plan -detailed-exitcode -json`; Result.Changes tells
// whether the plan has changes.
func Plan(opts ...tfexec.PlanOption) Command {
	return Command{"plan", func(ctx context.Context, tf *tfexec.Terraform, w io.Writer, _ func(tfjson.LogMsg)) (bool, error) {
		return tf.PlanJSON(ctx, w, opts...)
	}}
}

// Invoke is `terraform apply -auto-approve -json -invoke=ADDRESS`, which runs
// the action at address alone (Terraform 1.14+). tfexec has no option for
// -invoke: it runs the CLI itself, standard error joined to the output.
func (w *Workspace) Invoke(address string) Command {
	return Command{"apply -invoke", func(ctx context.Context, tf *tfexec.Terraform, out io.Writer, _ func(tfjson.LogMsg)) (bool, error) {
		cmd := exec.CommandContext(ctx, tf.ExecPath(), "apply", "-auto-approve", "-json", "-input=false", "-invoke="+address)
		cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = tf.WorkingDir(), w.env, out, out
		// As tfexec does: a process group of its own, SIGINT when ctx ends.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
		cmd.WaitDelay = 10 * time.Second
		return false, cmd.Run()
	}}
}

// Query is `terraform query -json` (Terraform 1.14+). Its messages go to
// *messages, its diagnostics to the Result too, but not its Stdout.
func Query(messages *[]tfjson.LogMsg, opts ...tfexec.QueryOption) Command {
	return Command{"query", func(ctx context.Context, tf *tfexec.Terraform, _ io.Writer, each func(tfjson.LogMsg)) (bool, error) {
		seq, err := tf.QueryJSON(ctx, opts...)
		if err != nil {
			return false, err
		}
		for next := range seq {
			if next.Err != nil {
				return false, next.Err
			}
			if next.Msg != nil {
				*messages = append(*messages, next.Msg)
				each(next.Msg)
			}
		}
		return false, nil
	}}
}

// Result is one finished terraform command: Err is nil when it succeeded,
// Changes is set when a plan has changes, Diagnostics are those of its -json
// output (Stdout), and PeakRSS is the largest VmHWM, in bytes, of the
// provider processes seen under terraform.
type Result struct {
	Command        string
	Err            error
	Changes        bool
	Wall           time.Duration
	Diagnostics    []tfjson.Diagnostic
	Stdout, Stderr string
	PeakRSS        int64
}

// OK reports whether the command succeeded.
func (r *Result) OK() bool { return r.Err == nil }

// PeakRSSMiB is PeakRSS in MiB.
func (r *Result) PeakRSSMiB() float64 { return float64(r.PeakRSS) / (1 << 20) }

// Summary is "ok", or how terraform ended and its errors' summaries.
func (r *Result) Summary() string {
	if r.OK() {
		return "ok"
	}
	status := r.Err.Error()
	if exitErr := (*exec.ExitError)(nil); errors.As(r.Err, &exitErr) {
		status = exitErr.String() // "signal: killed"
		if exitErr.Exited() {
			status = "exit " + strconv.Itoa(exitErr.ExitCode())
		}
	}
	if errs := ErrorSummaries(r.Diagnostics); len(errs) > 0 {
		return status + ": " + strings.Join(errs, "; ")
	}
	return status + ": no error diagnostic"
}

// Running is a terraform command in progress.
type Running struct {
	process *terraformProcess
	done    chan struct{}
	result  *Result
}

// Start starts the command in the workspace; ctx ending interrupts it.
func (w *Workspace) Start(ctx context.Context, c Command) *Running {
	r := &Running{process: watchTerraform(w.Dir), done: make(chan struct{})}
	stdout, stderr := &strings.Builder{}, &strings.Builder{}
	var diags []tfjson.Diagnostic
	each := func(msg tfjson.LogMsg) {
		if d, ok := msg.(tfjson.DiagnosticLogMessage); ok {
			diags = append(diags, d.Diagnostic)
		}
		if w.OnMessage != nil {
			w.OnMessage(msg)
		}
	}
	w.TF.SetStderr(stderr)
	start := time.Now()
	go func() {
		changes, err := c.run(ctx, w.TF, io.MultiWriter(stdout, &MessageWriter{Each: each}), each)
		wall := time.Since(start)
		// tfexec keeps the writers for later commands: drop them.
		w.TF.SetStdout(nil)
		w.TF.SetStderr(nil)
		peak := r.process.finish()
		if err != nil && ctx.Err() != nil {
			err = fmt.Errorf("terraform %s did not finish: %w", c.Name, context.Cause(ctx))
		}
		r.result = &Result{Command: c.Name, Err: err, Changes: changes, Wall: wall, Diagnostics: diags,
			Stdout: stdout.String(), Stderr: stderr.String(), PeakRSS: peak}
		close(r.done)
	}()
	return r
}

// Run runs the command and waits for it, for timeout at most (0: no bound
// but ctx).
func (w *Workspace) Run(ctx context.Context, timeout time.Duration, c Command) *Result {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, timeout, fmt.Errorf("timed out after %s", timeout))
		defer cancel()
	}
	return w.Start(ctx, c).Wait()
}

// Done is closed when the command has ended.
func (r *Running) Done() <-chan struct{} { return r.done }

// Wait waits for the command and returns its result.
func (r *Running) Wait() *Result {
	<-r.done
	return r.result
}

// PID is terraform's process id, also its process group's; 0 if terraform
// ended before it was seen.
func (r *Running) PID() int { return r.process.pid(r.done) }

// Interrupt sends sig to terraform's process group, as a terminal's Ctrl-C
// does.
func (r *Running) Interrupt(sig syscall.Signal) error { return r.signal(-1, sig) }

// Signal sends sig to the terraform process alone, as `kill PID` does.
func (r *Running) Signal(sig syscall.Signal) error { return r.signal(1, sig) }

func (r *Running) signal(sign int, sig syscall.Signal) error {
	pid := r.PID()
	if pid == 0 {
		return errors.New("terraform's process was not seen")
	}
	return syscall.Kill(sign*pid, sig)
}

// ProviderPIDs lists the provider processes terraform runs now.
func (r *Running) ProviderPIDs() []int {
	if pid := r.PID(); pid != 0 {
		return ProviderPIDs(pid)
	}
	return nil
}

// WriteLog writes the command's outcome and output to path.
func (r *Result) WriteLog(path string) error {
	log := fmt.Sprintf("# terraform %s: %s, %.3f s\n--- stdout (-json)\n%s\n--- stderr\n%s", r.Command, r.Summary(), r.Wall.Seconds(), r.Stdout, r.Stderr)
	return os.WriteFile(path, []byte(log), 0o644)
}
