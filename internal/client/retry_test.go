package client

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// failingTransport fails every request with err, counting them.
type failingTransport struct {
	err   error
	calls atomic.Int32
}

func (f *failingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	f.calls.Add(1)
	return nil, f.err
}

func clientWithTransport(t *testing.T, rt http.RoundTripper) *Client {
	t.Helper()
	c, err := New(Config{SecretID: "id", SecretKey: "key", Region: "ap-guangzhou", Endpoint: "https://vpc.example.invalid",
		HTTPTransport: rt, RateLimit: RateLimit{Write: 1000, Read: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A read against an endpoint that refuses connections gives up within the
// read budget, however long the caller would wait, naming the cause.
func TestReadsGiveUpWithinTheirBudget(t *testing.T) {
	t.Parallel()
	refused := &failingTransport{err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}}
	c := clientWithTransport(t, refused)
	c.retry.readBudget = 2 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	_, err := c.Addresses(ctx, Query{IDs: []string{"eip-abcd1234"}})
	elapsed := time.Since(start)
	if !HasCode(err, CodeNetworkError) || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("err = %v, want a network error naming the cause", err)
	}
	if elapsed > 3*time.Second || refused.calls.Load() < 2 {
		t.Fatalf("gave up after %s and %d attempts; want retries within the 2 s read budget", elapsed, refused.calls.Load())
	}
}

// A write keeps retrying past the read budget, until its own deadline.
func TestWritesRetryUntilTheirDeadline(t *testing.T) {
	t.Parallel()
	refused := &failingTransport{err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}}
	c := clientWithTransport(t, refused)
	c.retry.readBudget = 200 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.Associate(ctx, "eip-abcd1234", Target{InstanceID: "ins-abcd1234"})
	if !HasCode(err, CodeNetworkError) || time.Since(start) < time.Second || refused.calls.Load() < 3 {
		t.Fatalf("err = %v after %s and %d attempts; want network errors retried past the 200 ms read budget",
			err, time.Since(start), refused.calls.Load())
	}
}

// A host name that does not resolve is not retried.
func TestUnresolvableHostIsNotRetried(t *testing.T) {
	t.Parallel()
	unresolvable := &failingTransport{err: &net.DNSError{Err: "no such host", Name: "vpc.example.invalid", IsNotFound: true}}
	c := clientWithTransport(t, unresolvable)
	_, err := c.LookupAddress(context.Background(), "eip-abcd1234")
	if !IsUnresolvable(err) || IsRetryable(err) {
		t.Fatalf("err = %v, want an unresolvable-host error that is not retryable", err)
	}
	if n := unresolvable.calls.Load(); n != 1 {
		t.Fatalf("%d attempts, want 1", n)
	}
}
