package emulator

import (
	"context"
	"time"
)

// SetWallClock replaces the real time the emulator checks signature timestamps
// against, so that skew tests need no real clock.
func SetWallClock(e *Emulator, now func() time.Time) { e.wallNow = now }

// SetSleep replaces how the emulator waits out an injected delay, so that delay tests
// need no real clock. sleep reports whether the full wait happened.
func SetSleep(e *Emulator, sleep func(ctx context.Context, d time.Duration) bool) { e.sleep = sleep }
