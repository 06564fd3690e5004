package e2e

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// artifact is one thing a user, a log collector or a CI system keeps.
type artifact struct {
	name, content string
}

// leaks reports where any of the secrets appears in the artifacts, with a
// little context around the first occurrence.
func leaks(artifacts []artifact, secrets map[string]string) []string {
	var out []string
	for _, a := range artifacts {
		for what, s := range secrets {
			i := strings.Index(a.content, s)
			if i < 0 {
				continue
			}
			from, to := max(i-60, 0), min(i+len(s)+20, len(a.content))
			out = append(out, fmt.Sprintf("the %s appears in %s: …%s…", what, a.name, a.content[from:to]))
		}
	}
	return out
}

func TestLeaksFindsASecret(t *testing.T) {
	got := leaks([]artifact{{"stdout", "x secret_key = ABC123 y"}, {"state", "nothing"}}, map[string]string{"secret key": "ABC123"})
	if len(got) != 1 || !strings.Contains(got[0], "secret key appears in stdout") {
		t.Fatalf("leaks = %q", got)
	}
}

// TestSecretsNeverLeak runs terraform, with TF_LOG=TRACE, with a credential
// whose secret key and security token are unique random strings: given
// through the environment, through the provider block, and as the start of
// temporary credentials (a web identity, an assumed role); then with a wrong
// secret key. No secret may appear in any output, log, state or plan JSON.
func TestSecretsNeverLeak(t *testing.T) {
	ctx, bins := startTest(t, 8*time.Minute)
	dir := t.TempDir()

	cred := Credentials{SecretID: "AKIDe2e" + rand.Text(), SecretKey: "e2eSecretKey" + rand.Text(), Token: "e2eSecurityToken" + rand.Text()}
	wrongKey := "e2eWrongSecretKey" + rand.Text()
	secrets := map[string]string{"secret key": cred.SecretKey, "security token": cred.Token, "wrong secret key": wrongKey}

	emu := startEmulator(ctx, t, EmulatorConfig{Binary: bins.Emulator, SecretID: cred.SecretID, SecretKey: cred.SecretKey,
		Token: cred.Token, Scale: 3, TaskDelay: 50 * time.Millisecond})
	ctl := emu.Control()

	var artifacts []artifact
	keep := func(name, content string) { artifacts = append(artifacts, artifact{name, content}) }
	keepFile := func(name, path string) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("reading %s: %v", name, err)
			return
		}
		keep(name, string(b))
	}
	// workspace is a workspace whose terraform logs at TRACE to a file, kept
	// with the other artifacts at the end.
	workspace := func(name, endpoint string, cred Credentials) *Workspace {
		t.Helper()
		ws, err := NewWorkspace(ctx, filepath.Join(dir, name), bins, endpoint, cred)
		if err != nil {
			t.Fatal(err)
		}
		logPath := filepath.Join(dir, name+"-trace.log")
		if err := ws.TF.SetLogPath(logPath); err != nil { // TF_LOG=TRACE
			t.Fatal(err)
		}
		t.Cleanup(func() { keepFile(name+" TF_LOG=TRACE file", logPath) })
		return ws
	}
	run := func(ws *Workspace, label string, wantOK bool, cmd Command) *Result {
		t.Helper()
		res := ws.Run(ctx, 3*time.Minute, cmd)
		keep(label+" stdout", res.Stdout)
		keep(label+" stderr", res.Stderr)
		if res.OK() != wantOK {
			t.Fatalf("terraform %s: %s (want ok=%v)\nstdout:\n%s\nstderr:\n%s", cmd.Name, res.Summary(), wantOK, res.Stdout, res.Stderr)
		}
		return res
	}
	// planJSON saves a plan and renders it as JSON (tfjson.Plan). Terraform
	// itself records the values of root-module input variables in a plan
	// (sensitive or not), so with the credential in variables the plan's
	// Variables are left out of the scan.
	planJSON := func(ws *Workspace, label string, opts ...tfexec.PlanOption) {
		t.Helper()
		run(ws, label+" plan", true, Plan(append(opts, tfexec.Out("tfplan"))...))
		var stderr strings.Builder
		ws.TF.SetStderr(&stderr)
		plan, err := ws.TF.ShowPlanFile(ctx, "tfplan")
		ws.TF.SetStderr(nil)
		keep(label+" show -json stderr", stderr.String())
		if err != nil {
			t.Fatalf("terraform show -json: %v", err)
		}
		if len(opts) > 0 {
			plan.Variables = nil
		}
		b, err := json.Marshal(plan)
		if err != nil {
			t.Fatal(err)
		}
		keep(label+" plan JSON", string(b))
	}
	writeCalls := func() int {
		s, err := ctl.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return s.Calls["AssociateAddress"] + s.Calls["DisassociateAddress"]
	}
	// The scan runs after every workspace's cleanup has kept its log.
	t.Cleanup(func() {
		for _, leak := range leaks(artifacts, secrets) {
			t.Error(leak)
		}
		total := 0
		for _, a := range artifacts {
			total += len(a.content)
		}
		t.Logf("scanned %d artifacts (%d bytes) for %d secrets (keys, tokens, the web identity token, issued credentials)", len(artifacts), total, len(secrets))
	})

	// Temporary credentials the provider obtains and renews last 3 s; the web
	// identity token they start from, and every credential issued, may not
	// leak either.
	if err := ctl.call(ctx, "POST", "settings", map[string]string{"sessionLifetime": "3s"}, nil); err != nil {
		t.Fatal(err)
	}
	var minted struct {
		Token string `json:"token"`
	}
	if err := ctl.call(ctx, "POST", "oidc/token", map[string]string{"ttl": "1h"}, &minted); err != nil || minted.Token == "" {
		t.Fatalf("minting a web identity token: %v", err)
	}
	secrets["web identity token"] = minted.Token
	tokenFile := filepath.Join(dir, "oidc-token")
	if err := os.WriteFile(tokenFile, []byte(minted.Token), 0o600); err != nil {
		t.Fatal(err)
	}
	variables := `
variable "secret_key" {
  type      = string
  sensitive = true
}

variable "security_token" {
  type      = string
  sensitive = true
}`
	staticKey := fmt.Sprintf(`  secret_id      = %q
  secret_key     = var.secret_key
  security_token = var.security_token`, cred.SecretID)
	for _, auth := range []struct {
		name string
		// provider is what the provider block holds besides the endpoint;
		// empty: no provider block arguments, the credential and endpoint
		// come from the environment.
		provider string
	}{
		{"env", ""},
		{"provider-block", staticKey},
		{"web-identity", fmt.Sprintf(`  assume_role_with_web_identity {
    role_arn                = %q
    session_name            = "e2e"
    web_identity_token_file = %q
  }`, emulator.DefaultRoleArn, tokenFile)},
		{"assume-role", staticKey + fmt.Sprintf(`
  assume_role {
    role_arn     = %q
    session_name = "e2e"
  }`, emulator.DefaultRoleArn)},
	} {
		config := func(n int) string { return AssociationsConfig{N: n}.HCL() }
		apply, plan, destroy := Apply(), []tfexec.PlanOption(nil), Destroy()
		var ws *Workspace
		if auth.provider == "" {
			ws = workspace(auth.name, emu.URL, cred)
		} else {
			// The credential in sensitive variables set in a -var-file.
			ws = workspace(auth.name, "", Credentials{})
			if err := ws.WriteFile("secrets.tfvars", fmt.Sprintf("secret_key     = %q\nsecurity_token = %q\n", cred.SecretKey, cred.Token)); err != nil {
				t.Fatal(err)
			}
			provider := fmt.Sprintf("provider \"qcloud\" {\n  endpoint = %q\n%s\n}", emu.URL, auth.provider)
			config = func(n int) string { return AssociationsConfig{N: n, Provider: provider, Extra: variables}.HCL() }
			varFile := tfexec.VarFile("secrets.tfvars")
			apply, plan, destroy = Apply(varFile), []tfexec.PlanOption{varFile}, Destroy(varFile)
		}
		if err := ws.WriteConfig(config(2)); err != nil {
			t.Fatal(err)
		}
		before := writeCalls()
		run(ws, auth.name+" apply", true, apply)
		if writeCalls() == before {
			t.Fatalf("the %s apply made no write call: the credential was not exercised", auth.name)
		}
		keepFile(auth.name+" state after apply", ws.StatePath())
		if err := ws.WriteConfig(config(3)); err != nil {
			t.Fatal(err)
		}
		planJSON(ws, auth.name, plan...)
		run(ws, auth.name+" destroy", true, destroy)
		keepFile(auth.name+" state after destroy", ws.StatePath())
	}

	// A wrong secret key: the authentication failure's diagnostic, too.
	wrong := cred
	wrong.SecretKey = wrongKey
	wrongWS := workspace("wrong-key", emu.URL, wrong)
	if err := wrongWS.WriteConfig(AssociationsConfig{N: 1}.HCL()); err != nil {
		t.Fatal(err)
	}
	res := run(wrongWS, "wrong-key apply", false, Apply())
	if CountMentioning(res.Diagnostics, "AuthFailure") == 0 {
		t.Errorf("the wrong-key apply did not fail with an authentication diagnostic:\n%s", res.Stdout)
	}
	if st, err := os.ReadFile(wrongWS.StatePath()); err == nil {
		keep("wrong-key state", string(st))
	}

	// Every credential the emulator issued is a secret too.
	world, err := ctl.World(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(world.Sessions) < 2 {
		t.Fatalf("the emulator issued %d sessions; the temporary credentials were not exercised", len(world.Sessions))
	}
	for i, sess := range world.Sessions {
		secrets[fmt.Sprintf("issued secret key %d", i)] = sess.TmpSecretKey
		secrets[fmt.Sprintf("issued token %d", i)] = sess.Token
	}
}
