package emulator_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// nodeSDKDir is the Node.js project of the conformance suite: the official Node.js SDK,
// pinned by package-lock.json.
const nodeSDKDir = "testdata/node-sdk"

// TestNodeSDKConformance runs the official Node.js SDK's checks (conformance.js)
// against an in-process emulator. It installs the pinned SDK with npm ci when
// node_modules is missing or older than the lockfile, and skips only without node.
func TestNodeSDKConformance(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH: the Node.js SDK conformance suite needs it (" + err.Error() + ")")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	installNodeSDK(ctx, t)

	run := func(e *env) (string, error) {
		cmd := exec.CommandContext(ctx, node, "conformance.js")
		cmd.Dir = nodeSDKDir
		cmd.Env = append(os.Environ(),
			"EMULATOR_ENDPOINT="+strings.TrimPrefix(e.srv.URL, "http://"),
			"SECRET_ID="+emulator.DefaultSecretID, "SECRET_KEY="+emulator.DefaultSecretKey,
			"REGION="+emulator.DefaultRegion)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		return out.String(), err
	}
	// The real clock, short tasks: the SDK polls DescribeTaskResult as a user would.
	realClock := func(o *emulator.Options) {
		o.Now = nil
		o.TaskDelay = 20 * time.Millisecond
	}

	t.Run("suite", func(t *testing.T) {
		e := newEnv(t, realClock)
		out, err := run(e)
		if err != nil {
			t.Fatalf("the Node.js SDK suite failed (%v):\n%s", err, out)
		}
		if !regexp.MustCompile(`(?m)^[1-9][0-9]* passed, 0 failed$`).MatchString(out) {
			t.Fatalf("no summary line:\n%s", out)
		}
		t.Logf("Node.js SDK suite:\n%s", out)
		// Every signing really reached the emulator.
		if calls := e.emu.Stats().Calls["DescribeAddressQuota"]; calls < 6 {
			t.Fatalf("DescribeAddressQuota was called %d times, want one per signing", calls)
		}
	})

	// Each check must be able to fail: against an emulator that knows another
	// credential, every one of them does.
	t.Run("every check can fail", func(t *testing.T) {
		e := newEnv(t, realClock, func(o *emulator.Options) {
			o.Credentials = []emulator.Credential{{SecretID: "AKIDsomeoneElse", SecretKey: "another-key"}}
		})
		out, err := run(e)
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Fatalf("want exit status 1, got %v:\n%s", err, out)
		}
		if strings.Contains(out, "\nok ") || strings.HasPrefix(out, "ok ") || !regexp.MustCompile(`(?m)^0 passed, [1-9][0-9]* failed$`).MatchString(out) {
			t.Fatalf("some check passed against the wrong credential:\n%s", out)
		}
	})
}

// installNodeSDK runs npm ci when node_modules is missing or was installed from
// another package-lock.json (its hash is kept in node_modules).
func installNodeSDK(ctx context.Context, t *testing.T) {
	t.Helper()
	lock, err := os.ReadFile(filepath.Join(nodeSDKDir, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(lock)
	want := hex.EncodeToString(sum[:])
	stamp := filepath.Join(nodeSDKDir, "node_modules", ".qcloud-lock-sha256")
	if got, err := os.ReadFile(stamp); err == nil && string(got) == want {
		return
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Fatalf("node is on PATH but npm is not: it installs the pinned Node.js SDK (%v)", err)
	}
	start := time.Now()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = nodeSDKDir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", nodeSDKDir, err, out)
	}
	if err := os.WriteFile(stamp, []byte(want), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("npm ci took %v", time.Since(start).Round(time.Millisecond))
}
