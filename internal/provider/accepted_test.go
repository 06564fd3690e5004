package provider

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/clocktest"
)

// Work the API may have accepted goes on for the grace after its caller is
// interrupted, and no longer.
func TestAfterAcceptedOutlivesAnInterrupt(t *testing.T) {
	t.Parallel()
	clock := clocktest.New(time.Now())
	type key struct{}
	ctx, interrupt := context.WithCancel(context.WithValue(context.Background(), key{}, "kept"))
	work, stop := afterAccepted(ctx, clock)
	defer stop()

	interrupt()
	clock.WaitForTimers(1)
	clock.Advance(acceptedWorkGrace - time.Millisecond)
	if work.Err() != nil {
		t.Fatalf("the work ended %s into the grace", acceptedWorkGrace-time.Millisecond)
	}
	if work.Value(key{}) != "kept" {
		t.Error("the work lost its caller's values")
	}
	clock.Advance(time.Millisecond)
	<-work.Done()
	if !errors.Is(context.Cause(work), context.Canceled) {
		t.Errorf("the work ended by %v, want its caller's interrupt", context.Cause(work))
	}
}

// Out of time is the same: the grace counts from the deadline.
func TestAfterAcceptedOutlivesTheDeadline(t *testing.T) {
	t.Parallel()
	clock := clocktest.New(time.Now())
	ctx, cancel := context.WithDeadline(context.Background(), time.Now())
	defer cancel()
	work, stop := afterAccepted(ctx, clock)
	defer stop()
	clock.WaitForTimers(1)
	if work.Err() != nil {
		t.Fatal("the work ended with its caller's deadline")
	}
	clock.Advance(acceptedWorkGrace)
	<-work.Done()
	if !errors.Is(context.Cause(work), context.DeadlineExceeded) {
		t.Errorf("the work ended by %v, want its caller's deadline", context.Cause(work))
	}
}

// Work that finishes first stops the grace.
func TestAfterAcceptedStops(t *testing.T) {
	t.Parallel()
	clock := clocktest.New(time.Now())
	ctx, interrupt := context.WithCancel(context.Background())
	_, stop := afterAccepted(ctx, clock)
	interrupt()
	clock.WaitForTimers(1)
	stop()
	clock.WaitTimers(func(waiting int) bool { return waiting == 0 })
}
