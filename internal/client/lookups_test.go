package client_test

import (
	"sync"
	"testing"
	"time"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/clocktest"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// Lookups of interfaces and instances that arrive together share a call; an
// id that does not exist is answered as such without failing the others, and
// every answer is kept.
func TestConcurrentLookupsShareCalls(t *testing.T) {
	t.Parallel()
	const n = 12
	emu, url := newEmulator(t, func(o *emulator.Options) { o.Scale = n })
	clock := clocktest.New(time.Now())
	c := clientFor(t, url, func(cfg *client.Config) { cfg.Clock = clock })
	ctx := ctxWithTimeout(t, 30*time.Second)
	var wg sync.WaitGroup
	lookup := func(kind string, i int) {
		defer wg.Done()
		id := scaleID(kind, i)
		var err error
		if kind == "eni" {
			var eni *client.NetworkInterface
			eni, err = c.LookupNetworkInterface(ctx, id)
			if err == nil && eni.InstanceID != scaleID("ins", i) {
				t.Errorf("%s is attached to %q, want %s", id, eni.InstanceID, scaleID("ins", i))
			}
		} else {
			var ins *client.Instance
			ins, err = c.LookupInstance(ctx, id)
			if err == nil && ins.ID != id {
				t.Errorf("looked up %s, got %s", id, ins.ID)
			}
		}
		switch {
		case i > n && kind == "eni" && !client.IsInterfaceNotFound(err), i > n && kind == "ins" && !client.IsInstanceNotFound(err):
			t.Errorf("%s, which does not exist: %v, want not found", id, err)
		case i <= n && err != nil:
			t.Errorf("%s: %v", id, err)
		}
	}
	for i := 1; i <= n+1; i++ {
		wg.Add(2)
		go lookup("eni", i)
		go lookup("ins", i)
	}
	c.WaitForQueuedLookups(n+1, n+1)
	clock.Advance(client.ReadWindow)
	wg.Wait()
	// The region's interfaces fit in the first page, which answers all but
	// the one that does not exist: it is asked for by id, in case it was
	// created since.
	if got, want := emu.Stats().Calls["DescribeNetworkInterfaces"], 2; got != want {
		t.Errorf("%d concurrent interface lookups made %d DescribeNetworkInterfaces calls, want %d", n+1, got, want)
	}
	if got := emu.Stats().Calls["DescribeInstances"]; got != 1 {
		t.Errorf("%d concurrent instance lookups made %d DescribeInstances calls, want 1", n+1, got)
	}

	emu.ResetStats()
	wg.Add(2)
	lookup("eni", 1)
	lookup("ins", n+1)
	if calls := emu.Stats().Calls; calls["DescribeNetworkInterfaces"]+calls["DescribeInstances"] != 0 {
		t.Errorf("answers already given were asked again: %v", calls)
	}
}

// A plan of many imports reads their interfaces ten at a time: the region's
// interfaces are listed once the lookups reach the pages left, and answer the
// rest.
func TestManyInterfaceLookupsUseAListing(t *testing.T) {
	t.Parallel()
	const n = 300
	emu, url := newEmulator(t, func(o *emulator.Options) { o.Scale = n })
	c := clientFor(t, url, nil)
	ctx := ctxWithTimeout(t, 60*time.Second)
	sem := make(chan struct{}, 10)
	var wg sync.WaitGroup
	for i := 1; i <= n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if eni, err := c.LookupNetworkInterface(ctx, scaleID("eni", i)); err != nil || eni.ID != scaleID("eni", i) {
				t.Errorf("lookup %d: %+v, %v", i, eni, err)
			}
		}()
	}
	wg.Wait()
	// The first page, at most two reads by id before the lookups reach the
	// three other pages, and those pages.
	if calls := emu.Stats().Calls["DescribeNetworkInterfaces"]; calls > 6 {
		t.Fatalf("%d lookups, ten at a time, made %d DescribeNetworkInterfaces calls; want at most 6", n, calls)
	}
}
