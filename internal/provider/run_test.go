package provider

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/clocktest"
)

// The run's coordination on deterministic schedules: a fake clock that moves
// only when the test moves it, and no sleeps.

func newTestRun() (*run, *clocktest.Fake) {
	clock := clocktest.New(time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC))
	return newRun(clock), clock
}

type awaited struct {
	freed bool
	err   error
}

// await starts an operation that waits for an unbind of eip, and returns
// where its outcome arrives.
func await(ctx context.Context, r *run, eip string) <-chan awaited {
	out := make(chan awaited, 1)
	go func() {
		defer r.active()()
		freed, err := r.awaitUnbind(ctx, eip)
		out <- awaited{freed, err}
	}()
	return out
}

func pending(t *testing.T, out <-chan awaited) {
	t.Helper()
	select {
	case got := <-out:
		t.Fatalf("the wait ended with %+v; want it still waiting", got)
	default:
	}
}

// A create waiting for the destroy that frees its EIP binds as soon as that
// destroy has finished, however long it takes: a destroy in progress keeps
// the run from being idle.
func TestRunAwaitUnbindEndsWithTheUnbind(t *testing.T) {
	t.Parallel()
	r, clock := newTestRun()
	out := await(context.Background(), r, "eip-a")
	clock.WaitForTimers(1) // waiting, nothing else in progress: the idle timer runs

	endDelete := r.active()
	unbound := r.startUnbind("eip-a", client.Target{})
	clock.Advance(10 * time.Minute) // a slow task; the delete is in progress all along
	pending(t, out)

	unbound()
	endDelete()
	if got := <-out; !got.freed || got.err != nil {
		t.Fatalf("got %+v, want freed", got)
	}
}

// An unbind that finished before the create asked is seen at once.
func TestRunAwaitUnbindAlreadyDone(t *testing.T) {
	t.Parallel()
	r, _ := newTestRun()
	r.startUnbind("eip-a", client.Target{})()
	if got := <-await(context.Background(), r, "eip-a"); !got.freed || got.err != nil {
		t.Fatalf("got %+v, want freed", got)
	}
}

// With nothing else in progress (every other operation finished, or waiting
// too), a create gives up after exactly the idle grace: nothing else in the
// run will free what it needs.
func TestRunAwaitUnbindGivesUpWhenIdle(t *testing.T) {
	t.Parallel()
	r, clock := newTestRun()
	out := await(context.Background(), r, "eip-a")
	clock.WaitForTimers(1)
	clock.Advance(idleGrace - time.Millisecond)
	pending(t, out)
	clock.Advance(time.Millisecond)
	if got := <-out; got.freed || got.err != nil {
		t.Fatalf("got %+v, want not freed, no error", got)
	}
}

// Two creates waiting on each other's destroys, holding every slot: both give
// up after the idle grace instead of waiting for their timeout.
func TestRunAwaitUnbindWaitersAloneGiveUp(t *testing.T) {
	t.Parallel()
	r, clock := newTestRun()
	first := await(context.Background(), r, "eip-a")
	second := await(context.Background(), r, "eip-b")
	clock.WaitForTimers(2)
	clock.Advance(idleGrace)
	for _, out := range []<-chan awaited{first, second} {
		if got := <-out; got.freed || got.err != nil {
			t.Fatalf("got %+v, want not freed", got)
		}
	}
}

// Another operation in progress (a read, a destroy of something else) keeps
// the wait going; the idle grace counts from when the last one ended.
func TestRunAwaitUnbindWaitsWhileOthersWork(t *testing.T) {
	t.Parallel()
	r, clock := newTestRun()
	other := r.active()
	out := await(context.Background(), r, "eip-a")
	clock.Advance(time.Hour)
	pending(t, out)

	other()
	clock.WaitForTimers(1)
	clock.Advance(idleGrace - time.Millisecond)
	pending(t, out)
	// A new operation starts (Terraform filled the slot): the grace starts over.
	r.active()()
	clock.WaitForTimers(1)
	clock.Advance(idleGrace - time.Millisecond)
	pending(t, out)
	clock.Advance(time.Millisecond)
	if got := <-out; got.freed {
		t.Fatalf("got %+v, want not freed", got)
	}
}

// The wait ends with its context.
func TestRunAwaitUnbindInterrupted(t *testing.T) {
	t.Parallel()
	r, clock := newTestRun()
	ctx, cancel := context.WithCancel(context.Background())
	other := r.active()
	defer other()
	out := await(ctx, r, "eip-a")
	clock.Advance(time.Hour)
	cancel()
	if got := <-out; got.freed || !errors.Is(got.err, context.Canceled) {
		t.Fatalf("got %+v, want canceled", got)
	}
}

// Of two bindings, the one planned second sees the first, whichever it is.
func TestRunPlanBindingReturnsTheEarlierOnes(t *testing.T) {
	t.Parallel()
	r, _ := newTestRun()
	a := plannedBinding{id: associationID{EIPID: "eip-a", Target: client.Target{InstanceID: "ins-1"}}}
	b := plannedBinding{id: associationID{EIPID: "eip-b", Target: client.Target{InstanceID: "ins-1"}}}
	if earlier := r.planBinding(a); len(earlier) != 0 {
		t.Fatalf("the first binding saw %v", earlier)
	}
	if earlier := r.planBinding(b); len(earlier) != 1 || earlier[0] != a {
		t.Fatalf("the second binding saw %v, want the first", earlier)
	}
}

// Reallocating destroys are numbered in the order they are planned; a second
// plan of the same one keeps its number.
func TestRunCountReallocation(t *testing.T) {
	t.Parallel()
	r, _ := newTestRun()
	if n := r.countReallocation("eip-a"); n != 1 {
		t.Fatalf("first = %d", n)
	}
	if n := r.countReallocation("eip-b"); n != 2 {
		t.Fatalf("second = %d", n)
	}
	if n := r.countReallocation("eip-a"); n != 1 {
		t.Fatalf("the first again = %d", n)
	}
}

// A create's claim covers the binding it came from, not another one: a
// delete of that binding then has nothing to do, a delete of another one
// unbinds.
func TestRunClaim(t *testing.T) {
	t.Parallel()
	r, _ := newTestRun()
	at := client.Target{NetworkInterfaceID: "eni-1", PrivateIP: "10.0.0.1"}
	if !r.claim("eip-a", at) {
		t.Fatal("a claim with no unbind under way was refused")
	}
	switch {
	case r.startUnbind("eip-a", at) != nil:
		t.Error("the delete of the claimed binding unbinds it")
	case r.startUnbind("eip-a", client.Target{}) != nil:
		t.Error("a binding whose location is not known is not taken for the claimed one")
	case r.startUnbind("eip-a", client.Target{NetworkInterfaceID: "eni-1", PrivateIP: "10.0.0.2"}) == nil:
		t.Error("a binding elsewhere is taken for the claimed one")
	case r.startUnbind("eip-b", at) == nil:
		t.Error("another EIP is claimed")
	}
}

// A create may not take over a binding that a delete of the same apply is
// unbinding (a renamed resource): its claim is refused until the unbind ends,
// and it then waits for that unbind, whatever the order they run in.
func TestRunClaimWhileUnbinding(t *testing.T) {
	t.Parallel()
	r, _ := newTestRun()
	at := client.Target{InstanceID: "ins-1"}
	unbound := r.startUnbind("eip-a", at)
	if r.claim("eip-a", at) {
		t.Fatal("a create took over a binding a delete is unbinding")
	}
	out := await(context.Background(), r, "eip-a")
	pending(t, out)
	unbound()
	if got := <-out; !got.freed || got.err != nil {
		t.Fatalf("got %+v, want freed once the unbind ended", got)
	}
	if !r.claim("eip-a", at) {
		t.Error("a claim after the unbind ended was refused")
	}
}
