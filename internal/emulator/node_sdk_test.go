package emulator_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// nodeSDKDir is the Node.js project of the conformance suite in the source tree: the
// official Node.js SDK pinned by package-lock.json, and conformance.js. npm never runs
// in it: the SDK is installed in a cache directory outside the tree.
const nodeSDKDir = "testdata/node-sdk"

// TestNodeSDKConformance runs the official Node.js SDK's checks (conformance.js)
// against an in-process emulator. It installs the pinned SDK with npm ci into a cache
// directory keyed by the lockfile (reused when present), and skips, saying why, when
// node is not on PATH or the npm registry cannot be reached.
func TestNodeSDKConformance(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH: the Node.js SDK conformance suite needs it (" + err.Error() + ")")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dir, err := cachedNodeSDK(ctx, nil)
	var unreachable *registryUnreachableError
	if errors.As(err, &unreachable) {
		t.Skipf("the npm registry cannot be reached, so the pinned Node.js SDK cannot be installed: %v", err)
	}
	noError(t, err)
	// A copy of conformance.js beside the install, so that require() finds the pinned
	// SDK there whatever else lies around the source tree.
	script, err := os.CreateTemp(dir, "conformance-*.js")
	noError(t, err)
	t.Cleanup(func() { os.Remove(script.Name()) })
	src, err := os.ReadFile(filepath.Join(nodeSDKDir, "conformance.js"))
	noError(t, err)
	_, err = script.Write(src)
	noError(t, err)
	noError(t, script.Close())

	run := func(e *env) (string, error) {
		cmd := exec.CommandContext(ctx, node, script.Name())
		cmd.Dir = dir
		cmd.Env = append(os.Environ(),
			"NODE_PATH="+filepath.Join(dir, "node_modules"),
			"EMULATOR_ENDPOINT="+strings.TrimPrefix(e.srv.URL, "http://"),
			"SECRET_ID="+emulator.DefaultSecretID, "SECRET_KEY="+emulator.DefaultSecretKey,
			"REGION="+emulator.DefaultRegion, "ROLE_ARN="+emulator.DefaultRoleArn)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		return out.String(), err
	}
	// The real clock, as the SDK's own credential renewal reads it; tasks finish at the
	// next observation, so no check waits on time.
	realClock := func(o *emulator.Options) {
		o.Now = nil
		o.TaskDelay = 0
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
		// Every signing, and every new action, really reached the emulator.
		calls := e.emu.Stats().Calls
		if calls["DescribeAddressQuota"] < 6 {
			t.Fatalf("DescribeAddressQuota was called %d times, want one per signing", calls["DescribeAddressQuota"])
		}
		for _, action := range []string{"AssumeRole", "AssumeRoleWithWebIdentity", "GetCallerIdentity", "DescribeInstances"} {
			if calls[action] == 0 {
				t.Errorf("the suite never called %s: %v", action, calls)
			}
		}
	})

	// Each check must be able to fail: against an emulator that knows another
	// credential and has no roles or identity providers, every one of them does.
	t.Run("every check can fail", func(t *testing.T) {
		w := emulator.DefaultWorld()
		w.Roles, w.OIDCProviders = nil, nil
		for i := range w.Instances {
			w.Instances[i].CamRoleName = ""
		}
		e := newEnv(t, realClock, func(o *emulator.Options) {
			o.World = w
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

// An install that fails because the registry cannot be reached is a reason to skip;
// any other npm failure is a failure.
func TestNodeSDKInstallFailures(t *testing.T) {
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skip("npm is not on PATH (" + err.Error() + ")")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	isolated := []string{
		"npm_config_cache=" + t.TempDir(), // nothing cached: npm must ask the registry
		"npm_config_fetch_retries=0", "npm_config_audit=false", "npm_config_fund=false", "npm_config_update_notifier=false",
	}

	t.Run("registry unreachable", func(t *testing.T) {
		env := append(cloneStrings(isolated), "npm_config_registry=http://127.0.0.1:9/")
		err := installNodeSDK(ctx, copyNodeProject(t, nil), env)
		var unreachable *registryUnreachableError
		if !errors.As(err, &unreachable) {
			t.Fatalf("npm ci against a closed port: %v, want a registry-unreachable error", err)
		}
	})
	t.Run("broken lockfile", func(t *testing.T) {
		dir := copyNodeProject(t, []byte("{ not json"))
		err := installNodeSDK(ctx, dir, append(cloneStrings(isolated), "npm_config_registry=http://127.0.0.1:9/"))
		var unreachable *registryUnreachableError
		if err == nil || errors.As(err, &unreachable) {
			t.Fatalf("npm ci with a broken lockfile: %v, want a plain failure", err)
		}
	})
}

func cloneStrings(s []string) []string { return append([]string(nil), s...) }

// copyNodeProject copies package.json and package-lock.json (or lock, when given) into
// a temporary directory.
func copyNodeProject(t *testing.T, lock []byte) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"package.json", "package-lock.json"} {
		b, err := os.ReadFile(filepath.Join(nodeSDKDir, name))
		noError(t, err)
		if name == "package-lock.json" && lock != nil {
			b = lock
		}
		noError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	}
	return dir
}

// registryUnreachableError is an npm ci that failed because the registry could not be
// reached.
type registryUnreachableError struct{ output string }

func (e *registryUnreachableError) Error() string {
	return "npm could not reach the registry: " + lastLines(e.output, 3)
}

// npmNetworkFailure recognises npm's reports of a registry it cannot reach: connection
// refused or reset, no route, no DNS, timeouts, and its own "request … failed" wording.
var npmNetworkFailure = regexp.MustCompile(`(?i)\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ESOCKETTIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENETDOWN|ERR_SOCKET_TIMEOUT)\b|request to \S+ failed`)

// cachedNodeSDK returns a directory holding node_modules installed with npm ci from the
// suite's package.json and package-lock.json: under the user's cache directory, named
// by the hash of both files, reused when present. env is added to npm's environment.
func cachedNodeSDK(ctx context.Context, env []string) (string, error) {
	hash := sha256.New()
	for _, name := range []string{"package.json", "package-lock.json"} {
		b, err := os.ReadFile(filepath.Join(nodeSDKDir, name))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(hash, "%s %d\n", name, len(b))
		hash.Write(b)
	}
	sum := hex.EncodeToString(hash.Sum(nil))[:16]
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	final := filepath.Join(base, "terraform-provider-qcloud", "node-sdk-"+sum)
	if _, err := os.Stat(filepath.Join(final, "node_modules", ".package-lock.json")); err == nil {
		return final, nil
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return "", err
	}
	// Install next to the final place, then rename: a half-done install is never
	// taken for a complete one, and two test runs at once do not mix.
	staging, err := os.MkdirTemp(filepath.Dir(final), "node-sdk-"+sum+".staging-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(staging)
	for _, name := range []string{"package.json", "package-lock.json"} {
		b, err := os.ReadFile(filepath.Join(nodeSDKDir, name))
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(staging, name), b, 0o644); err != nil {
			return "", err
		}
	}
	if err := installNodeSDK(ctx, staging, env); err != nil {
		return "", err
	}
	if err := os.Rename(staging, final); err != nil {
		if _, statErr := os.Stat(filepath.Join(final, "node_modules", ".package-lock.json")); statErr == nil {
			return final, nil // another run finished first
		}
		return "", err
	}
	return final, nil
}

// installNodeSDK runs npm ci in dir. A failure to reach the registry is a
// *registryUnreachableError; any other failure carries npm's output.
func installNodeSDK(ctx context.Context, dir string, env []string) error {
	npm, err := exec.LookPath("npm")
	if err != nil {
		return fmt.Errorf("node is on PATH but npm is not: it installs the pinned Node.js SDK (%w)", err)
	}
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	switch {
	case err == nil:
		return nil
	case npmNetworkFailure.Match(out):
		return &registryUnreachableError{output: string(out)}
	}
	return fmt.Errorf("npm ci in %s: %v\n%s", dir, err, out)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
