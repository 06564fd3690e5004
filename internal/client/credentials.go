package client

import (
	"context"
	"sync"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
)

// Credentials are what a request is signed with.
type Credentials struct {
	SecretID  string
	SecretKey string
	// Token is the security token of temporary credentials; empty for a key.
	Token string
	// Expires is when temporary credentials stop working; zero for a key,
	// which never expires.
	Expires time.Time
}

// CredentialSource gives the credentials a client signs with. A source of
// temporary credentials gives new ones at each Retrieve (a new AssumeRole, a
// new read of the metadata service); the client decides when to ask.
type CredentialSource interface {
	Retrieve(ctx context.Context) (Credentials, error)
	// Name says where the credentials come from, for messages and logs
	// ("assume_role", "the CVM metadata service"); never a secret.
	Name() string
}

// StaticCredentials are a key (and token) known beforehand: the provider
// arguments, the environment, a credentials file.
type StaticCredentials struct {
	Credentials
	Source string
}

func (s StaticCredentials) Retrieve(context.Context) (Credentials, error) { return s.Credentials, nil }

func (s StaticCredentials) Name() string { return s.Source }

// Renewal timing. Temporary credentials are renewed once what is left of
// them is at most the renewal window: a fifth of their lifetime (a 2-hour
// session renews 24 minutes before it ends, so a renewal that fails has
// time to be tried again while the old credentials still work), but never
// less than renewalFloor, which covers one attempt's request timeout (30 s)
// plus clock skew between this machine and the API, and never more than half
// the lifetime, so that very short sessions (seconds, in tests) are not
// renewed at every call.
const (
	renewalFloor = 60 * time.Second
	// renewalRetry is the pause after a failed renewal while the current
	// credentials still work, so that a failing STS is not asked at every call.
	renewalRetry = 5 * time.Second
)

// renewalWindow is how long before they expire credentials obtained with
// the given lifetime are renewed.
func renewalWindow(lifetime time.Duration) time.Duration {
	return max(lifetime/5, min(renewalFloor, lifetime/2))
}

// credential is what the SDK signs with (common.CredentialIface): the current
// credentials of a source, renewed before they expire by ensure, which send
// calls before every signed attempt. The SDK's own renewing credentials
// (RoleArnCredential, CvmRoleCredential) renew inside GetCredential, with no
// context and no way to report a failure (they log it and sign with the
// expired values); here a renewal is shared by every caller waiting on it,
// bounded by their contexts, and a failed one is the caller's error.
type credential struct {
	source CredentialSource
	clock  Clock
	log    LogFunc

	mu       sync.Mutex
	cur      Credentials
	have     bool
	obtained time.Time     // when cur was retrieved, on clock
	notUntil time.Time     // no renewal before then (after a failed one)
	running  chan struct{} // closed when the renewal in progress ends; nil when none runs
	lastErr  error         // the last renewal's error
	renewals int
}

var _ common.CredentialIface = (*credential)(nil)

func newCredential(source CredentialSource, clock Clock, log LogFunc) *credential {
	return &credential{source: source, clock: clock, log: log}
}

func (c *credential) GetCredential() (string, string, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cur.SecretID, c.cur.SecretKey, c.cur.Token
}

func (c *credential) GetSecretId() string { id, _, _ := c.GetCredential(); return id }

func (c *credential) GetSecretKey() string { _, key, _ := c.GetCredential(); return key }

func (c *credential) GetToken() string { _, _, token := c.GetCredential(); return token }

// needsRenewal reports whether credentials must be (re)fetched at now.
// Callers hold mu.
func (c *credential) needsRenewal(now time.Time) bool {
	if !c.usable(now) {
		return true
	}
	if c.cur.Expires.IsZero() || now.Before(c.notUntil) {
		return false
	}
	return c.cur.Expires.Sub(now) <= renewalWindow(c.cur.Expires.Sub(c.obtained))
}

// usable reports whether the current credentials still work at now.
// Callers hold mu.
func (c *credential) usable(now time.Time) bool {
	return c.have && (c.cur.Expires.IsZero() || now.Before(c.cur.Expires))
}

// ensure makes the credentials current for a request about to be signed: it
// renews them when they are due, one renewal at a time, every caller waiting
// on the one in progress. A renewal that fails while the current credentials
// still work is logged and tried again later; one that fails when they do
// not is the error.
func (c *credential) ensure(ctx context.Context) error {
	c.mu.Lock()
	if !c.needsRenewal(c.clock.Now()) {
		c.mu.Unlock()
		return nil
	}
	done := c.running
	if done == nil {
		done = make(chan struct{})
		c.running = done
		// The renewal is shared: it must not end because the caller that
		// started it stops waiting.
		go c.renew(context.WithoutCancel(ctx), done)
	}
	c.mu.Unlock()

	select {
	case <-ctx.Done():
		return ContextError(ctx, "credentials", "waiting for credentials from "+c.source.Name())
	case <-done:
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lastErr != nil && !c.usable(c.clock.Now()) {
		// Every waiting caller gets its own copy: callers annotate errors.
		e := *toAPIError("credentials", c.lastErr)
		return &e
	}
	return nil
}

// renew asks the source once. Its calls are bounded by the retry policy's
// read budget and each attempt's timeout, on the source's clock.
func (c *credential) renew(ctx context.Context, done chan struct{}) {
	got, err := c.source.Retrieve(ctx)
	if err == nil && (got.SecretID == "" || got.SecretKey == "") {
		err = &APIError{Action: "credentials", Code: CodeInvalidReply, Message: c.source.Name() + " gave no secret ID or secret key"}
	}
	now := c.clock.Now()

	c.mu.Lock()
	defer c.mu.Unlock()
	defer close(done)
	c.running = nil
	c.lastErr = err
	if err != nil {
		c.notUntil = now.Add(renewalRetry)
		c.log(ctx, "renewing credentials failed", map[string]any{
			"source": c.source.Name(), "error": err.Error(), "still_valid": c.usable(now),
		})
		return
	}
	c.cur, c.have, c.obtained, c.notUntil = got, true, now, time.Time{}
	c.renewals++
	fields := map[string]any{"source": c.source.Name(), "renewals": c.renewals}
	if !got.Expires.IsZero() {
		fields["expires"] = got.Expires.UTC().Format(time.RFC3339)
		fields["lifetime_s"] = int64(got.Expires.Sub(now).Seconds())
	}
	c.log(ctx, "obtained credentials", fields)
}
