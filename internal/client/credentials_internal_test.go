package client

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/clocktest"
)

// fakeSource issues credentials valid for lifetime on clock; a gate holds
// each Retrieve until the test sends on it; fail makes it fail.
type fakeSource struct {
	clock    Clock
	lifetime time.Duration
	calls    atomic.Int32
	gate     chan struct{}
	fail     atomic.Bool
}

func (s *fakeSource) Name() string { return "the fake source" }

func (s *fakeSource) Retrieve(ctx context.Context) (Credentials, error) {
	n := s.calls.Add(1)
	if s.gate != nil {
		select {
		case <-s.gate:
		case <-ctx.Done():
			return Credentials{}, ctx.Err()
		}
	}
	if s.fail.Load() {
		return Credentials{}, &APIError{Action: "AssumeRole", Code: "UnauthorizedOperation", Message: "no"}
	}
	return Credentials{SecretID: fmt.Sprintf("id-%d", n), SecretKey: "key", Token: "token",
		Expires: s.clock.Now().Add(s.lifetime)}, nil
}

var epoch = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

func nopLog(context.Context, string, map[string]any) {}

func TestRenewalWindow(t *testing.T) {
	for lifetime, want := range map[time.Duration]time.Duration{
		7200 * time.Second:  1440 * time.Second, // a fifth
		43200 * time.Second: 8640 * time.Second,
		300 * time.Second:   60 * time.Second, // the floor
		100 * time.Second:   50 * time.Second, // half: the floor would renew at every call
		10 * time.Second:    5 * time.Second,
	} {
		if got := renewalWindow(lifetime); got != want {
			t.Errorf("renewalWindow(%s) = %s, want %s", lifetime, got, want)
		}
	}
}

func TestCredentialRenewsWhenDue(t *testing.T) {
	clock := clocktest.New(epoch)
	src := &fakeSource{clock: clock, lifetime: 100 * time.Second}
	c := newCredential(src, clock, nopLog)
	ctx := context.Background()
	ensure := func(wantCalls int32, wantID string) {
		t.Helper()
		if err := c.ensure(ctx); err != nil {
			t.Fatal(err)
		}
		if got := src.calls.Load(); got != wantCalls {
			t.Fatalf("at +%s: %d retrievals, want %d", clock.Now().Sub(epoch), got, wantCalls)
		}
		if id, _, _ := c.GetCredential(); id != wantID {
			t.Fatalf("at +%s: signing with %s, want %s", clock.Now().Sub(epoch), id, wantID)
		}
	}
	ensure(1, "id-1")
	clock.Advance(49 * time.Second) // 51 s left of 100: not due
	ensure(1, "id-1")
	clock.Advance(time.Second) // 50 s left: due
	ensure(2, "id-2")
	clock.Advance(49 * time.Second)
	ensure(2, "id-2")
	clock.Advance(200 * time.Second) // long expired: renewed before use
	ensure(3, "id-3")
}

func TestStaticCredentialsAreNeverRenewed(t *testing.T) {
	clock := clocktest.New(epoch)
	c := newCredential(StaticCredentials{Credentials: Credentials{SecretID: "a", SecretKey: "b"}}, clock, nopLog)
	for range 3 {
		if err := c.ensure(context.Background()); err != nil {
			t.Fatal(err)
		}
		clock.Advance(1000 * time.Hour)
	}
	if c.renewals != 1 {
		t.Fatalf("renewals = %d, want 1", c.renewals)
	}
}

// Many callers meeting due credentials wait on one renewal.
func TestCredentialRenewsOnceForConcurrentCallers(t *testing.T) {
	clock := clocktest.New(epoch)
	src := &fakeSource{clock: clock, lifetime: 100 * time.Second, gate: make(chan struct{})}
	c := newCredential(src, clock, nopLog)
	const callers = 20
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			if err := c.ensure(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	src.gate <- struct{}{} // unbuffered: received inside the one Retrieve
	wg.Wait()
	if got := src.calls.Load(); got != 1 {
		t.Fatalf("%d retrievals for %d concurrent callers, want 1", got, callers)
	}
}

// A caller that stops waiting gets its context's error; the renewal goes on
// for the others.
func TestCredentialWaitEndsWithTheCallersContext(t *testing.T) {
	clock := clocktest.New(epoch)
	src := &fakeSource{clock: clock, lifetime: 100 * time.Second, gate: make(chan struct{})}
	c := newCredential(src, clock, nopLog)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.ensure(ctx); !HasCode(err, CodeCanceled) {
		t.Fatalf("ensure with a canceled context = %v, want %s", err, CodeCanceled)
	}
	src.gate <- struct{}{} // the renewal it started still completes
	if err := c.ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := src.calls.Load(); got != 1 {
		t.Fatalf("%d retrievals, want 1", got)
	}
}

// A failed renewal while the credentials still work is tried again later,
// not at every call; once they have expired, it is the caller's error.
func TestCredentialRenewalFailure(t *testing.T) {
	clock := clocktest.New(epoch)
	src := &fakeSource{clock: clock, lifetime: 100 * time.Second}
	c := newCredential(src, clock, nopLog)
	ctx := context.Background()
	if err := c.ensure(ctx); err != nil {
		t.Fatal(err)
	}
	src.fail.Store(true)
	clock.Advance(60 * time.Second)
	if err := c.ensure(ctx); err != nil {
		t.Fatalf("a failed renewal with 40 s of credentials left: %v, want no error", err)
	}
	if err := c.ensure(ctx); err != nil || src.calls.Load() != 2 {
		t.Fatalf("right after a failed renewal: err %v, %d retrievals; want no error and no new retrieval", err, src.calls.Load())
	}
	clock.Advance(renewalRetry)
	_ = c.ensure(ctx)
	if got := src.calls.Load(); got != 3 {
		t.Fatalf("%d retrievals %s after the failure, want 3", got, renewalRetry)
	}
	clock.Advance(40 * time.Second) // expired
	err := c.ensure(ctx)
	if !HasCode(err, "UnauthorizedOperation") {
		t.Fatalf("ensure with expired credentials and a failing source = %v, want its error", err)
	}
	src.fail.Store(false)
	if err := c.ensure(ctx); err != nil {
		t.Fatal(err)
	}
	if id, _, _ := c.GetCredential(); id != "id-5" {
		t.Fatalf("signing with %s, want id-5", id)
	}
}
