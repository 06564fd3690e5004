// Package clocktest is a clock that moves only when a test moves it: timer
// schedules run in tests without sleeping, however loaded the machine.
package clocktest

import (
	"slices"
	"sync"
	"time"
)

// Fake is a clock that Advance alone moves; it implements client.Clock.
type Fake struct {
	mu      sync.Mutex
	now     time.Time
	timers  []*timer
	changed *sync.Cond
}

type timer struct {
	at time.Time
	c  chan time.Time
}

// New returns a fake clock reading start.
func New(start time.Time) *Fake {
	f := &Fake{now: start}
	f.changed = sync.NewCond(&f.mu)
	return f
}

func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// NewTimer returns a channel that receives once the clock has advanced by d.
func (f *Fake) NewTimer(d time.Duration) (<-chan time.Time, func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.timerAtLocked(f.now.Add(d))
}

// TimerAt returns a channel that receives once the clock reads deadline.
func (f *Fake) TimerAt(deadline time.Time) (<-chan time.Time, func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.timerAtLocked(deadline)
}

func (f *Fake) timerAtLocked(deadline time.Time) (<-chan time.Time, func()) {
	t := &timer{at: deadline, c: make(chan time.Time, 1)}
	if !deadline.After(f.now) {
		t.c <- f.now
		return t.c, func() {}
	}
	f.timers = append(f.timers, t)
	f.changed.Broadcast()
	return t.c, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.timers = slices.DeleteFunc(f.timers, func(o *timer) bool { return o == t })
		f.changed.Broadcast()
	}
}

// Advance moves the clock forward by d, firing the timers due by then.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	f.timers = slices.DeleteFunc(f.timers, func(t *timer) bool {
		if t.at.After(f.now) {
			return false
		}
		t.c <- f.now
		return true
	})
	f.changed.Broadcast()
}

// WaitForTimers blocks until at least n timers are waiting.
func (f *Fake) WaitForTimers(n int) { f.WaitTimers(func(waiting int) bool { return waiting >= n }) }

// WaitTimers blocks until done accepts the number of timers waiting.
func (f *Fake) WaitTimers(done func(waiting int) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for !done(len(f.timers)) {
		f.changed.Wait()
	}
}
