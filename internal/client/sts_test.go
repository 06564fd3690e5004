package client_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/clocktest"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

var stsEpoch = time.Date(2030, 6, 15, 12, 0, 0, 0, time.UTC)

// lockstep is an emulator and a client clock that move together: sessions
// expire on the emulator's clock, and the client judges them on its own.
type lockstep struct {
	emu   *emulator.Emulator
	url   string
	clock *clocktest.Fake
}

func (l lockstep) advance(d time.Duration) {
	l.clock.Advance(d)
	l.emu.AdvanceClock(d)
}

func newLockstep(t *testing.T, sessionLifetime string) lockstep {
	t.Helper()
	emu, u := newEmulator(t, func(o *emulator.Options) {
		o.Now = func() time.Time { return stsEpoch }
		o.Settings.SessionLifetime = sessionLifetime
		o.RateLimit = emulator.RateLimit{}
	})
	return lockstep{emu: emu, url: u, clock: clocktest.New(stsEpoch)}
}

// sourced is a client on the lockstep clock signing with credentials from src.
func (l lockstep) sourced(t *testing.T, src client.CredentialSource) *client.Client {
	t.Helper()
	return clientFor(t, l.url, func(c *client.Config) { c.SecretID, c.SecretKey, c.Credentials, c.Clock = "", "", src, l.clock })
}

// roleClient is a client that signs with a role assumed with the default key.
func (l lockstep) roleClient(t *testing.T, in client.AssumeRoleInput) *client.Client {
	t.Helper()
	base := clientFor(t, l.url, func(c *client.Config) { c.Clock = l.clock })
	return l.sourced(t, &client.AssumeRoleSource{Via: base, Input: in})
}

func TestAssumeRoleSignsEveryCallAndRenews(t *testing.T) {
	t.Parallel()
	l := newLockstep(t, "100s")
	c := l.roleClient(t, client.AssumeRoleInput{RoleArn: emulator.DefaultRoleArn, SessionName: "ci-test"})
	ctx := context.Background() // no deadline: the client runs on the fake clock

	id, err := c.CallerIdentity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if id.Type != "CAMRole" || id.AccountID != emulator.DefaultAccountID || !strings.HasSuffix(id.UserID, ":ci-test") {
		t.Fatalf("caller = %+v, want the role's session ci-test", id)
	}
	first := l.emu.Snapshot().Sessions[0]
	// 100 s sessions renew with 50 s left.
	for _, step := range []struct {
		advance     time.Duration
		assumeRoles int
	}{{49 * time.Second, 1}, {time.Second, 2}, {49 * time.Second, 2}, {40 * time.Second, 3}} {
		l.advance(step.advance)
		if _, err := c.DailyReallocationQuota(ctx); err != nil {
			t.Fatalf("after %s: %v", l.clock.Now().Sub(stsEpoch), err)
		}
		wantCalls(t, l.emu, "AssumeRole", step.assumeRoles, l.clock.Now().Sub(stsEpoch).String())
	}
	// The first session has expired: without renewal, calls would fail.
	stale := clientFor(t, l.url, func(cfg *client.Config) {
		cfg.SecretID, cfg.SecretKey, cfg.SecurityToken = first.TmpSecretID, first.TmpSecretKey, first.Token
	})
	if _, err := stale.DailyReallocationQuota(ctx); !client.HasCode(err, "AuthFailure.TokenFailure") {
		t.Fatalf("the first session, expired: %v, want AuthFailure.TokenFailure", err)
	}
	if c.Renewals() != 3 {
		t.Fatalf("Renewals() = %d, want 3", c.Renewals())
	}
}

// Concurrent calls meeting due credentials share one AssumeRole.
func TestAssumeRoleRenewalIsSharedByConcurrentCalls(t *testing.T) {
	t.Parallel()
	l := newLockstep(t, "100s")
	c := l.roleClient(t, client.AssumeRoleInput{RoleArn: emulator.DefaultRoleArn, SessionName: "ci-test"})
	ctx := context.Background() // no deadline: the client runs on the fake clock
	if err := c.Authenticate(ctx); err != nil {
		t.Fatal(err)
	}
	l.advance(60 * time.Second)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := c.CallerIdentity(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	wantCalls(t, l.emu, "AssumeRole", 2, "the first and 20 concurrent calls due to renew")
}

func TestAssumeRoleSendsPolicyAndExternalID(t *testing.T) {
	t.Parallel()
	l := newLockstep(t, "none")
	ctx := context.Background() // no deadline: the client runs on the fake clock
	policy := `{"version":"2.0","statement":[{"effect":"allow","action":["vpc:DescribeAddresses"],"resource":["*"]}]}`
	c := l.roleClient(t, client.AssumeRoleInput{
		RoleArn:     "qcs::cam::uin/" + emulator.DefaultAccountID + ":roleName/" + emulator.DefaultExternalRoleName,
		SessionName: "ci-test", Duration: 900 * time.Second, Policy: policy, ExternalID: emulator.DefaultExternalID,
	})
	if err := c.Authenticate(ctx); err != nil {
		t.Fatal(err)
	}
	body := lastBody(t, l.emu, "AssumeRole")
	if body["ExternalId"] != emulator.DefaultExternalID || body["DurationSeconds"] != float64(900) || body["Policy"] != url.QueryEscape(policy) {
		t.Fatalf("AssumeRole sent %v", body)
	}
}

func TestAssumeRoleErrors(t *testing.T) {
	t.Parallel()
	l := newLockstep(t, "none")
	ctx := context.Background() // no deadline: the client runs on the fake clock
	external := "qcs::cam::uin/" + emulator.DefaultAccountID + ":roleName/" + emulator.DefaultExternalRoleName
	for _, tt := range []struct {
		name string
		in   client.AssumeRoleInput
		code string
	}{
		{"no such role", client.AssumeRoleInput{RoleArn: "qcs::cam::uin/100000000001:roleName/nope", SessionName: "ci"}, "ResourceNotFound.RoleNotFound"},
		{"external id missing", client.AssumeRoleInput{RoleArn: external, SessionName: "ci"}, "UnauthorizedOperation"},
		{"external id wrong", client.AssumeRoleInput{RoleArn: external, SessionName: "ci", ExternalID: "wrong-id"}, "UnauthorizedOperation"},
		{"duration too long", client.AssumeRoleInput{RoleArn: emulator.DefaultRoleArn, SessionName: "ci", Duration: 43201 * time.Second}, "InvalidParameter.OverTimeError"},
	} {
		c := l.roleClient(t, tt.in)
		err := c.Authenticate(ctx)
		if !client.HasCode(err, tt.code) {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
		}
		// A call whose credentials cannot be had is not sent.
		if _, err := c.DailyReallocationQuota(ctx); !client.HasCode(err, tt.code) {
			t.Errorf("%s: a call: %v, want %s", tt.name, err, tt.code)
		}
		wantCalls(t, l.emu, "DescribeAddressQuota", 0, tt.name+" (no credentials)")
	}
}

func webIdentityToken(t *testing.T, emu *emulator.Emulator, ttl time.Duration) string {
	t.Helper()
	tok, err := emu.WebIdentityToken(emulator.WebIdentityTokenRequest{TTL: emulator.Duration(ttl)})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// The token file is read again at each renewal: CI systems rotate it.
func TestWebIdentityRenewsWithTheTokenFileAsItIsThen(t *testing.T) {
	t.Parallel()
	l := newLockstep(t, "100s")
	ctx := context.Background() // no deadline: the client runs on the fake clock
	file := filepath.Join(t.TempDir(), "token")
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(file, []byte(s+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// The first token expires before the renewal: only the file's new token
	// can renew (the emulator's record redacts tokens, so this is the check).
	first := webIdentityToken(t, l.emu, 55*time.Second)
	write(first)
	anon := clientFor(t, l.url, func(c *client.Config) { c.SecretID, c.SecretKey, c.Anonymous, c.Clock = "", "", true, l.clock })
	c := l.sourced(t, &client.WebIdentitySource{Via: anon, TokenFile: file,
		Input: client.WebIdentityInput{ProviderID: emulator.DefaultOIDCProviderID, RoleArn: emulator.DefaultRoleArn, SessionName: "ci"}})
	if _, err := c.DailyReallocationQuota(ctx); err != nil {
		t.Fatal(err)
	}
	l.advance(60 * time.Second)
	second := webIdentityToken(t, l.emu, 70*time.Second)
	write(second)
	if _, err := c.DailyReallocationQuota(ctx); err != nil {
		t.Fatal(err)
	}
	if calls, errs := l.emu.Stats().Calls["AssumeRoleWithWebIdentity"], l.emu.Stats().Errors["AssumeRoleWithWebIdentity"]; calls != 2 || len(errs) != 0 {
		t.Fatalf("want two AssumeRoleWithWebIdentity calls, both accepted (the second with the rotated token); got %d, errors %v", calls, errs)
	}

	// An expired token, a missing file: the renewal fails; once the
	// credentials expire, so do calls, each saying why.
	l.advance(60 * time.Second)
	write(first) // expired by now
	l.advance(50 * time.Second)
	if _, err := c.DailyReallocationQuota(ctx); !client.HasCode(err, "InvalidParameter.WebIdentityTokenError") {
		t.Fatalf("with an expired token: %v", err)
	}
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	l.advance(10 * time.Second)
	if _, err := c.DailyReallocationQuota(ctx); !client.HasCode(err, client.CodeTokenFileUnreadable) || strings.Contains(err.Error(), first) {
		t.Fatalf("with no token file: %v", err)
	}
}

func TestWebIdentityTokenMissing(t *testing.T) {
	t.Parallel()
	l := newLockstep(t, "none")
	anon := clientFor(t, l.url, func(c *client.Config) { c.SecretID, c.SecretKey, c.Anonymous = "", "", true })
	src := &client.WebIdentitySource{Via: anon, Input: client.WebIdentityInput{ProviderID: "OIDC", RoleArn: emulator.DefaultRoleArn, SessionName: "ci"}}
	if _, err := src.Retrieve(context.Background()); !client.HasCode(err, client.CodeTokenMissing) {
		t.Fatalf("no token: %v", err)
	}
	// An anonymous client refuses signed actions without sending them.
	if _, err := anon.CallerIdentity(context.Background()); !client.HasCode(err, client.CodeUnregisteredAction) {
		t.Fatalf("GetCallerIdentity from an anonymous client: %v", err)
	}
	wantCalls(t, l.emu, "GetCallerIdentity", 0, "an anonymous client's refusal")
}

func TestCVMRoleFromTheMetadataService(t *testing.T) {
	t.Parallel()
	l := newLockstep(t, "100s")
	ctx := context.Background() // no deadline: the client runs on the fake clock
	anon := clientFor(t, l.url, func(c *client.Config) { c.SecretID, c.SecretKey, c.Anonymous = "", "", true })
	cvm := func(endpoint, role string) *client.Client {
		return l.sourced(t, &client.CVMRoleSource{Via: anon, Endpoint: endpoint, Role: role})
	}
	c := cvm(l.url, emulator.DefaultCVMRoleName)
	id, err := c.CallerIdentity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if id.Type != "CAMRole" || !strings.HasPrefix(id.UserID, emulator.DefaultCVMRoleID+":") {
		t.Fatalf("caller = %+v, want the CVM role", id)
	}
	l.advance(60 * time.Second)
	if _, err := c.CallerIdentity(ctx); err != nil {
		t.Fatal(err)
	}
	if c.Renewals() != 2 {
		t.Fatalf("Renewals() = %d after 60 s of a 100 s session, want 2", c.Renewals())
	}
	if err := cvm(l.url, "not-attached").Authenticate(ctx); !client.HasCode(err, client.CodeRoleNotAttached) {
		t.Fatalf("a role not attached: %v", err)
	}
	if err := cvm("http://127.0.0.1:1", emulator.DefaultCVMRoleName).Authenticate(ctx); !client.HasCode(err, client.CodeMetadataUnreachable) {
		t.Fatalf("no metadata service: %v", err)
	}
}
