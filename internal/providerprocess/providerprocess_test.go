package providerprocess

import (
	"cmp"
	"fmt"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestQuietSDKLogsUnlessTerraformShowsThem(t *testing.T) {
	for _, set := range []string{"", "TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_SDK_PROTO"} {
		t.Run(cmp.Or(set, "none"), func(t *testing.T) {
			for _, v := range append([]string{"TF_LOG", "TF_LOG_PROVIDER"}, sdkLogLevelVariables...) {
				t.Setenv(v, "")
				_ = os.Unsetenv(v)
			}
			want := "OFF"
			if set != "" {
				t.Setenv(set, "DEBUG")
				want = "" // left alone
			}
			quietSDKLogsUnlessTerraformShowsThem()
			for _, v := range sdkLogLevelVariables {
				if got := os.Getenv(v); v != set && got != want {
					t.Errorf("with %q set, %s = %q, want %q", set, v, got, want)
				}
			}
		})
	}
}

func TestPrepareSetsTheMemoryLimitUnlessGOMEMLIMIT(t *testing.T) {
	previous := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(previous) })
	t.Setenv("GOMEMLIMIT", "")
	Prepare(true)
	if got := debug.SetMemoryLimit(-1); got != memoryLimit {
		t.Fatalf("memory limit = %d, want %d", got, memoryLimit)
	}
	debug.SetMemoryLimit(previous)
	t.Setenv("GOMEMLIMIT", "1GiB")
	Prepare(true)
	if got := debug.SetMemoryLimit(-1); got != previous {
		t.Fatalf("with GOMEMLIMIT set, the limit changed to %d", got)
	}
}

// The test binary plays three parts: the test starts a "parent", which starts
// an "orphan" (watching its parent) and exits at once; the orphan must follow.
func TestExitWhenOrphaned(t *testing.T) {
	switch os.Getenv("PROVIDERPROCESS_ROLE") {
	case "parent":
		cmd := exec.Command(os.Args[0], "-test.run=^TestExitWhenOrphaned$")
		cmd.Env = append(os.Environ(), "PROVIDERPROCESS_ROLE=orphan")
		ready, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Exit only once the orphan watches: Terraform, too, is alive
		// while its provider starts.
		if _, err := ready.Read(make([]byte, 1)); err != nil {
			t.Fatal(err)
		}
		fmt.Println(cmd.Process.Pid) // the test reads the orphan's pid
		os.Exit(0)
	case "orphan":
		exitWhenOrphaned(50 * time.Millisecond)
		fmt.Println("watching")
		time.Sleep(time.Minute)
		os.Exit(0)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestExitWhenOrphaned$")
	cmd.Env = append(os.Environ(), "PROVIDERPROCESS_ROLE=parent")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("parent: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("parent printed %q", out)
	}
	orphan, _ := os.FindProcess(pid)
	t.Cleanup(func() { _ = orphan.Kill() })
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if orphan.Signal(syscall.Signal(0)) != nil {
			return // gone
		}
		// A zombie (exited, not yet reaped by its new parent) counts as gone.
		if status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil && strings.Contains(string(status), "State:\tZ") {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the orphaned process %d was still running 10 s after its parent exited", pid)
}
