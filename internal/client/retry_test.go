package client

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/clocktest"
)

// autoClock is a fake clock whose timers fire at once, moving the clock to
// their due time: minutes of backoff run through in no time.
type autoClock struct{ *clocktest.Fake }

func (a autoClock) NewTimer(d time.Duration) (<-chan time.Time, func()) {
	return a.TimerAt(a.Now().Add(d))
}

func (a autoClock) TimerAt(deadline time.Time) (<-chan time.Time, func()) {
	c, stop := a.Fake.TimerAt(deadline)
	if d := deadline.Sub(a.Now()); d > 0 {
		a.Advance(d)
	}
	return c, stop
}

// failingTransport fails every request with err, counting them.
type failingTransport struct {
	err   error
	calls atomic.Int32
}

func (f *failingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	f.calls.Add(1)
	return nil, f.err
}

func clientWithTransport(t *testing.T, rt http.RoundTripper, clock Clock) *Client {
	t.Helper()
	c, err := New(Config{SecretID: "id", SecretKey: "key", Region: "ap-guangzhou", Endpoint: "https://vpc.example.invalid",
		HTTPTransport: rt, RateLimit: RateLimit{Write: 1000, Read: 1000}, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var refused = &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}

// A read gives up within the read budget, however long the caller would
// wait, naming the cause and how long it tried.
func TestReadsGiveUpWithinTheirBudget(t *testing.T) {
	t.Parallel()
	transport := &failingTransport{err: refused}
	clock := autoClock{clocktest.New(time.Now())}
	c := clientWithTransport(t, transport, clock)
	start := clock.Now()
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	_, err := c.Addresses(ctx, Query{IDs: []string{"eip-abcd1234"}})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != CodeNetworkError || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("err = %v, want a network error naming the cause", err)
	}
	spent := clock.Now().Sub(start)
	if spent > c.retry.readBudget || spent < c.retry.readBudget-c.retry.max || int(transport.calls.Load()) != apiErr.Attempts ||
		apiErr.Attempts < 20 || !strings.Contains(err.Error(), "attempts in") {
		t.Fatalf("gave up after %s and %d attempts (%v); want retries for the %s read budget", spent, apiErr.Attempts, err, c.retry.readBudget)
	}
}

// A write keeps retrying past the read budget, until its own deadline.
func TestWritesRetryUntilTheirDeadline(t *testing.T) {
	t.Parallel()
	transport := &failingTransport{err: refused}
	clock := autoClock{clocktest.New(time.Now())}
	c := clientWithTransport(t, transport, clock)
	ctx, cancel := context.WithDeadline(context.Background(), clock.Now().Add(5*time.Minute))
	defer cancel()
	start := clock.Now()
	_, err := c.Associate(ctx, "eip-abcd1234", Target{InstanceID: "ins-abcd1234"})
	if spent := clock.Now().Sub(start); !HasCode(err, CodeNetworkError) || spent <= c.retry.readBudget || spent > 5*time.Minute {
		t.Fatalf("err = %v after %s; want network errors retried past the read budget, until the 5 m deadline", err, spent)
	}
	if !MaybeApplied(err) {
		t.Fatal("a write that got no reply is not marked MaybeApplied")
	}
}

// Failures that do not pass on retry fail at once: a host name that does not
// resolve, and an https endpoint answering in plain HTTP.
func TestDeterministicFailuresAreNotRetried(t *testing.T) {
	t.Parallel()
	for name, cause := range map[string]error{
		"unresolvable": &net.DNSError{Err: "no such host", Name: "vpc.example.invalid", IsNotFound: true},
		"plain http":   tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			transport := &failingTransport{err: cause}
			c := clientWithTransport(t, transport, autoClock{clocktest.New(time.Now())})
			_, err := c.LookupAddress(context.Background(), "eip-abcd1234")
			if IsRetryable(err) || !errors.Is(err, cause) && !errors.As(err, new(*net.DNSError)) {
				t.Fatalf("err = %v, want the cause, not retryable", err)
			}
			if n := transport.calls.Load(); n != 1 {
				t.Fatalf("%d attempts, want 1", n)
			}
		})
	}
}

// Backoffs grow from the first step to the cap, jittered within half of it.
func TestBackoff(t *testing.T) {
	t.Parallel()
	p := defaultRetryPolicy
	for n, step := range map[int]time.Duration{1: 250 * time.Millisecond, 2: 500 * time.Millisecond, 3: time.Second, 4: 2 * time.Second, 30: 2 * time.Second} {
		for range 50 {
			if d := p.backoff(n); d < step/2 || d > step {
				t.Fatalf("backoff(%d) = %s, want between %s and %s", n, d, step/2, step)
			}
		}
	}
}
