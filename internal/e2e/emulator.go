package e2e

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// EmulatorConfig is the command line of one qcloud-emulator process. Binary
// and LogPath (its standard error, and its output after the URL line; the
// directory is created) are required; a zero field keeps the emulator's default (Listen: a free
// loopback port; StartTimeout, the wait for the URL line: 15 s).
type EmulatorConfig struct {
	Binary, Listen, LogPath string
	// SecretID, SecretKey and Token are the credential it accepts.
	SecretID, SecretKey, Token string
	// Scale is -scale: N instances ins-scNNNNNN and UNBIND EIPs eip-scNNNNNN.
	Scale                int
	StatePath, RateLimit string
	TaskDelay            time.Duration
	// Verbose adds -v (one log line per request).
	Verbose      bool
	StartTimeout time.Duration
}

// Credentials returns the credential the emulator accepts, defaults applied.
func (c EmulatorConfig) Credentials() Credentials {
	cred := Credentials{SecretID: c.SecretID, SecretKey: c.SecretKey, Token: c.Token}
	if cred.SecretID == "" {
		cred.SecretID = emulator.DefaultSecretID
	}
	if cred.SecretKey == "" {
		cred.SecretKey = emulator.DefaultSecretKey
	}
	return cred
}

func (c EmulatorConfig) args() []string {
	args := []string{"-listen", cmp.Or(c.Listen, "127.0.0.1:0")}
	if c.Scale > 0 {
		args = append(args, "-scale", strconv.Itoa(c.Scale))
	}
	if c.TaskDelay > 0 {
		args = append(args, "-task-delay", c.TaskDelay.String())
	}
	for _, f := range [][2]string{{"-secret-id", c.SecretID}, {"-secret-key", c.SecretKey}, {"-security-token", c.Token},
		{"-state", c.StatePath}, {"-rate-limit", c.RateLimit}} {
		if f[1] != "" {
			args = append(args, f[0], f[1])
		}
	}
	if c.Verbose {
		args = append(args, "-v")
	}
	return args
}

// EmulatorProcess is a running qcloud-emulator.
type EmulatorProcess struct {
	Config EmulatorConfig
	// URL is what the emulator printed, e.g. http://127.0.0.1:40123.
	URL     string
	pid     int
	done    chan struct{}
	waitErr error
	stopped sync.Once
	asked   atomic.Bool // the harness stopped or killed it
}

// StartEmulator starts the emulator and waits for its URL line (ctx bounds
// the wait). Call Stop (or Kill) when done with it.
func StartEmulator(ctx context.Context, cfg EmulatorConfig) (*EmulatorProcess, error) {
	if cfg.Binary == "" || cfg.LogPath == "" {
		return nil, errors.New("EmulatorConfig.Binary and LogPath are required")
	}
	if err := os.MkdirAll(filepath.Dir(cfg.LogPath), 0o755); err != nil {
		return nil, err
	}
	log, err := os.OpenFile(cfg.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	p := &EmulatorProcess{Config: cfg, done: make(chan struct{})}
	cmd := exec.Command(cfg.Binary, cfg.args()...)
	// Its own process group, out of reach of the terminal's Ctrl-C: an
	// interrupted terraform still finishes against it, and the harness stops
	// it afterwards. It is killed should the harness die first.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Stderr = log
	stdout, err := cmd.StdoutPipe()
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		_ = log.Close()
		return nil, fmt.Errorf("starting %s: %w", cfg.Binary, err)
	}
	p.pid = cmd.Process.Pid

	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, err := r.ReadString('\n')
		if err == nil {
			lines <- strings.TrimSpace(line)
		}
		close(lines)
		_, _ = io.Copy(log, r) // keep draining: a full pipe would block the emulator
	}()
	go func() {
		p.waitErr = cmd.Wait()
		_ = log.Close()
		close(p.done)
	}()

	timeout := cmp.Or(cfg.StartTimeout, 15*time.Second)
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case line, ok := <-lines:
		if ok {
			u, err := url.Parse(line)
			if err == nil && u.Scheme == "http" && u.Host != "" {
				p.URL = line
				return p, nil
			}
			p.Kill()
			return nil, fmt.Errorf("qcloud-emulator printed %q as its first line, not its URL; log:\n%s", line, p.Log())
		}
		<-p.done
		return nil, fmt.Errorf("qcloud-emulator exited before printing its URL (%v); log:\n%s", p.waitErr, p.Log())
	case <-timer.C:
		p.Kill()
		return nil, fmt.Errorf("qcloud-emulator printed no URL within %s; log:\n%s", timeout, p.Log())
	case <-ctx.Done():
		p.Kill()
		return nil, ctx.Err()
	}
}

// PID is the emulator's process id.
func (p *EmulatorProcess) PID() int { return p.pid }

// Control returns a client of the emulator's control surface.
func (p *EmulatorProcess) Control() *Control { return NewControl(p.URL) }

// Log returns what the emulator has written to LogPath.
func (p *EmulatorProcess) Log() string {
	b, _ := os.ReadFile(p.Config.LogPath)
	return string(b)
}

// Done is closed when the process has ended.
func (p *EmulatorProcess) Done() <-chan struct{} { return p.done }

// ExitErr is how the process ended (nil for status 0); valid once Done is
// closed.
func (p *EmulatorProcess) ExitErr() error {
	<-p.done
	return p.waitErr
}

// DiedUnasked reports whether the process has ended without the harness
// stopping or killing it (a crash, or a signal from outside the harness).
func (p *EmulatorProcess) DiedUnasked() bool { return p.Exited() && !p.asked.Load() }

// Exited reports whether the process has ended.
func (p *EmulatorProcess) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stop asks the emulator to shut down (SIGTERM: it writes its -state file one
// last time) and kills its process group if it has not exited within 5 s.
func (p *EmulatorProcess) Stop() { p.end(syscall.SIGTERM, 5*time.Second) }

// Kill ends the emulator at once (SIGKILL), as a crash or an OOM kill would.
func (p *EmulatorProcess) Kill() { p.end(syscall.SIGKILL, 0) }

func (p *EmulatorProcess) end(sig syscall.Signal, grace time.Duration) {
	p.asked.Store(true)
	p.stopped.Do(func() {
		_ = syscall.Kill(-p.pid, sig)
		select {
		case <-p.done:
		case <-time.After(grace):
			_ = syscall.Kill(-p.pid, syscall.SIGKILL)
			<-p.done
		}
	})
}

// Restart kills the emulator and starts it again on the same address with the
// same configuration (so the same -state file), after pause.
func (p *EmulatorProcess) Restart(ctx context.Context, pause time.Duration) (*EmulatorProcess, error) {
	p.Kill()
	if pause > 0 {
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	cfg := p.Config
	if u, err := url.Parse(p.URL); err == nil { // checked at the start
		cfg.Listen = u.Host
	}
	var last error
	for range 20 { // the port may take a moment to be free again
		q, err := StartEmulator(ctx, cfg)
		if err == nil {
			return q, nil
		}
		last = err
		select {
		case <-time.After(250 * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return nil, fmt.Errorf("restarting the emulator on %s: %w", cfg.Listen, last)
}
