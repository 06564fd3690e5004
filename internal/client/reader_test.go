package client_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/clocktest"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// Reads that arrive together share calls: on a fake clock, every lookup is
// queued before the gathering window ends, whatever the machine's load.
func TestConcurrentReadsShareCalls(t *testing.T) {
	t.Parallel()
	clock := clocktest.New(time.Now())
	c, emu := newTestClient(t, func(o *emulator.Options) { o.Scale = 150 }, func(cfg *client.Config) { cfg.Clock = clock })
	ctx := ctxWithTimeout(t, 30*time.Second)
	var wg sync.WaitGroup
	for i := 1; i <= 150; i++ {
		wg.Go(func() { lookupScaled(t, ctx, c, i) })
	}
	c.WaitForPendingReads(150)
	clock.Advance(client.ReadWindow)
	wg.Wait()
	// The first page says how many addresses there are: 150 lookups are worth
	// listing the other page.
	wantCalls(t, emu, "DescribeAddresses", 2, "150 concurrent reads")
}

// A plan or refresh of many addresses, ten at a time as Terraform's default
// parallelism reads them, costs a call per page of the region's addresses;
// a write takes the address written out of the snapshot.
func TestManyReadsUseASnapshot(t *testing.T) {
	t.Parallel()
	const n = 300
	c, emu := newTestClient(t, func(o *emulator.Options) { o.Scale = n }, nil)
	ctx := ctxWithTimeout(t, 60*time.Second)
	bindScaled(t, emu, n/2)
	sem := make(chan struct{}, 10)
	var wg sync.WaitGroup
	for i := 1; i <= n; i++ {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			lookupScaled(t, ctx, c, i)
		})
	}
	wg.Wait()
	// Four pages of addresses; at most one read by id before the lookups
	// made the listing worth it.
	if calls := emu.Stats().Calls["DescribeAddresses"]; calls > 5 {
		t.Fatalf("%d reads, ten at a time, made %d DescribeAddresses calls; want at most 5", n, calls)
	}
	if _, err := c.Disassociate(ctx, scaleID("eip", 1), client.UnbindOptions{}); err != nil {
		t.Fatal(err)
	}
	emu.ResetStats()
	for i := 2; i <= 41; i++ {
		if _, err := c.LookupAddress(ctx, scaleID("eip", i)); err != nil {
			t.Fatal(err)
		}
	}
	wantCalls(t, emu, "DescribeAddresses", 0, "a write to another address, 40 reads (answered from the snapshot)")
	a, err := c.LookupAddress(ctx, scaleID("eip", 1))
	if err != nil || (a.Status != client.StatusUnbinding && a.Status != client.StatusUnbind) {
		t.Fatalf("the address written: %+v, %v; want it read afresh (UNBINDING or UNBIND)", a, err)
	}
	wantCalls(t, emu, "DescribeAddresses", 1, "reading the address written")
	// What sits on a target is no longer answered from the snapshot.
	if _, err := c.AddressesOn(ctx, client.Target{InstanceID: scaleID("ins", 2)}); err != nil {
		t.Fatal(err)
	}
	wantCalls(t, emu, "DescribeAddresses", 2, "AddressesOn after a write")
}

// lookupScaled reads the i-th generated address, from any goroutine.
func lookupScaled(t *testing.T, ctx context.Context, c *client.Client, i int) {
	if a, err := c.LookupAddress(ctx, scaleID("eip", i)); err != nil || a.ID != scaleID("eip", i) {
		t.Errorf("read %d: %+v, %v", i, a, err)
	}
}

// Before any write, what sits on a target comes from the snapshot too, normal
// public IPs included; an id the snapshot lacks goes to the API.
func TestSnapshotAnswersTargetsAndMissesGoByID(t *testing.T) {
	t.Parallel()
	c, emu := newTestClient(t, nil, nil)
	ctx := ctxWithTimeout(t, 30*time.Second)
	if _, err := c.LookupAddress(ctx, "eip-demo0001"); err != nil { // the probe: the region fits in one page
		t.Fatal(err)
	}
	on, err := c.AddressesOn(ctx, client.Target{InstanceID: "ins-demo0006"})
	if err != nil || len(on) != 1 || on[0].Type != client.AddressTypeWanIP {
		t.Fatalf("on ins-demo0006: %+v, %v; want its normal public IP", on, err)
	}
	wantCalls(t, emu, "DescribeAddresses", 1, "the probe and AddressesOn")
	if _, err := c.LookupAddress(ctx, "eip-nope0000"); !client.IsNotFound(err) {
		t.Fatalf("missing address: %v", err)
	}
	wantCalls(t, emu, "DescribeAddresses", 2, "the probe and a lookup by id")
}

// A batched read stops calling the API once every caller has given up: on a
// fake clock, a throttled read's retries stop with its interrupt.
func TestBatchEndsWithItsCallers(t *testing.T) {
	t.Parallel()
	clock := clocktest.New(time.Now())
	c, emu := newTestClient(t, nil, func(cfg *client.Config) { cfg.Clock = clock })
	inject(t, emu, emulator.Fault{Action: "DescribeAddresses", Kind: emulator.FaultError, Code: "RequestLimitExceeded"})
	ctx, cancel := context.WithCancel(context.Background()) // a Read: no deadline
	done := make(chan error, 1)
	go func() {
		_, err := c.LookupAddress(ctx, "eip-demo0001")
		done <- err
	}()
	c.WaitForPendingReads(1)
	clock.Advance(client.ReadWindow)
	clock.WaitForTimers(1) // the first attempt was throttled: the retry's backoff
	cancel()               // Ctrl-C
	if err := <-done; !client.HasCode(err, client.CodeCanceled) {
		t.Fatalf("interrupted read: %v", err)
	}
	clock.WaitTimers(func(waiting int) bool { return waiting == 0 })
	before := emu.Stats().Calls["DescribeAddresses"]
	clock.Advance(time.Minute)
	if after := emu.Stats().Calls["DescribeAddresses"]; after != before {
		t.Fatalf("%d DescribeAddresses calls after the only caller gave up", after-before)
	}
}
