package client

import (
	"context"
	"time"
)

// Clock is the time the client paces, retries, batches and polls by. Tests
// replace it to run those schedules without waiting.
type Clock interface {
	Now() time.Time
	// NewTimer returns a channel that receives once d has passed, and a
	// function that stops it.
	NewTimer(d time.Duration) (<-chan time.Time, func())
	// TimerAt is NewTimer for a deadline: a schedule computed from an
	// earlier Now() fires on time even if the clock moved since.
	TimerAt(deadline time.Time) (<-chan time.Time, func())
}

// RealClock is the wall clock.
type RealClock struct{}

func (RealClock) Now() time.Time { return time.Now() }

func (RealClock) NewTimer(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTimer(d)
	return t.C, func() { t.Stop() }
}

func (c RealClock) TimerAt(deadline time.Time) (<-chan time.Time, func()) {
	return c.NewTimer(time.Until(deadline))
}

// sleep waits for d on clock, or until ctx is done.
func sleep(ctx context.Context, clock Clock, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	c, stop := clock.NewTimer(d)
	defer stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-c:
		return nil
	}
}
