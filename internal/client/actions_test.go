package client

import (
	"context"
	"testing"
	"time"

	vpc "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc/v20170312"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/clocktest"
)

// An action the registry does not know is not sent.
func TestUnregisteredActionIsNotSent(t *testing.T) {
	t.Parallel()
	transport := &failingTransport{err: refused}
	c := clientWithTransport(t, transport, nil)
	err := c.send(context.Background(), vpc.NewReleaseAddressesRequest(), vpc.NewReleaseAddressesResponse())
	if !HasCode(err, CodeUnregisteredAction) || transport.calls.Load() != 0 {
		t.Fatalf("err = %v after %d requests; want it refused before sending", err, transport.calls.Load())
	}
}

// Every write says what its success changes, so that no read is answered
// from what the write made stale.
func TestEveryWriteInvalidatesWhatItChanges(t *testing.T) {
	t.Parallel()
	for name, a := range actions {
		if a.write && a.invalidates == nil {
			t.Errorf("the write %s does not say which addresses it changes", name)
		}
		if a.rate <= 0 || a.service == "" || a.version == "" {
			t.Errorf("%s lacks its service, version or documented rate: %+v", name, a)
		}
	}
	req := vpc.NewAssociateAddressRequest()
	req.AddressId = new(string)
	*req.AddressId = "eip-abcd1234"
	if got := actions["AssociateAddress"].invalidates(req); len(got) != 1 || got[0] != "eip-abcd1234" {
		t.Errorf("AssociateAddress invalidates %v", got)
	}
}

// Each action is paced at its documented rate unless the configuration sets
// one; writes never burst, reads start half a second's worth at once.
func TestPacing(t *testing.T) {
	t.Parallel()
	documented, configured := RateLimit{}, RateLimit{Write: 2, Read: 3}
	for _, tt := range []struct {
		limit  RateLimit
		action string
		rate   float64
		burst  int
	}{
		{documented, "AssociateAddress", 10, 1}, {documented, "DisassociateAddress", 10, 1},
		{documented, "DescribeAddresses", 20, 10}, {documented, "DescribeTaskResult", 20, 10},
		{documented, "DescribeAddressQuota", 10, 5}, {documented, "DescribeNetworkInterfaces", 100, 50},
		{documented, "DescribeInstances", 40, 20},
		{configured, "AssociateAddress", 2, 1}, {configured, "DescribeNetworkInterfaces", 3, 2},
	} {
		c := clientWithTransport(t, &failingTransport{err: refused}, nil)
		c.rateLimit = tt.limit
		if l := c.limiter(tt.action, actions[tt.action]); float64(l.Limit()) != tt.rate || l.Burst() != tt.burst {
			t.Errorf("%s, %+v configured: %v/s, burst %d; want %v/s, burst %d", tt.action, tt.limit, l.Limit(), l.Burst(), tt.rate, tt.burst)
		}
	}
}

const taskReply = `{"Response":{"TaskId":"1","RequestId":"r"}}`

// Writes are spaced on the client's clock: 11 of them at 10/s take a second.
func TestWritesAreSpaced(t *testing.T) {
	t.Parallel()
	clock := autoClock{clocktest.New(time.Now())}
	c := clientWithTransport(t, RoundTripOK(taskReply), clock)
	c.rateLimit = RateLimit{}
	start := clock.Now()
	for range 11 {
		if _, err := c.Associate(context.Background(), "eip-abcd1234", Target{InstanceID: "ins-abcd1234"}); err != nil {
			t.Fatal(err)
		}
	}
	if spent := clock.Now().Sub(start); spent != time.Second {
		t.Fatalf("11 writes at 10/s took %s on the client's clock, want 1s", spent)
	}
}

// A turn that would come after the caller's deadline is refused at once.
func TestNoTurnPastTheDeadline(t *testing.T) {
	t.Parallel()
	clock := clocktest.New(time.Now())
	c := clientWithTransport(t, RoundTripOK(taskReply), clock)
	c.rateLimit = RateLimit{Write: 1}
	if _, err := c.Associate(context.Background(), "eip-abcd1234", Target{InstanceID: "ins-abcd1234"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithDeadline(context.Background(), clock.Now().Add(500*time.Millisecond))
	defer cancel()
	_, err := c.Associate(ctx, "eip-abcd1234", Target{InstanceID: "ins-abcd1234"})
	if !HasCode(err, CodeTimeout) || MaybeApplied(err) {
		t.Fatalf("err = %v; want a timeout before anything was sent", err)
	}
}
