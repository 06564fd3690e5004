package provider

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSettleContextOutlivesAnInterrupt(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	waitCtx, stop := settleContext(ctx)
	defer stop()
	cancel() // Ctrl-C
	select {
	case <-waitCtx.Done():
		t.Fatal("the wait was cut short by the interrupt")
	case <-time.After(200 * time.Millisecond):
	}
	stop()
	if !errors.Is(waitCtx.Err(), context.Canceled) {
		t.Fatalf("after stop: %v", waitCtx.Err())
	}
}

func TestSettleContextKeepsTheDeadline(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	waitCtx, stop := settleContext(ctx)
	defer stop()
	<-waitCtx.Done()
	if !errors.Is(waitCtx.Err(), context.DeadlineExceeded) {
		t.Fatalf("at the deadline: %v, want DeadlineExceeded (a timeout, not an interrupt)", waitCtx.Err())
	}
}
