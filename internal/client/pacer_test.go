package client

import (
	"context"
	"sync"
	"testing"
	"time"
)

// Callers that give up must not leave their turns behind: a caller arriving
// at an idle pacer goes at once.
func TestPacerForgetsTurnsGivenUp(t *testing.T) {
	t.Parallel()
	p := newPacer(2, 1) // 500 ms apart
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			_ = p.Wait(ctx)
		}()
	}
	wg.Wait()
	time.Sleep(600 * time.Millisecond)
	start := time.Now()
	if err := p.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Fatalf("a caller at an idle pacer waited %s behind turns others gave up", d.Round(time.Millisecond))
	}
}

func TestPacerRefusesATurnPastTheDeadline(t *testing.T) {
	t.Parallel()
	p := newPacer(1, 1)
	if err := p.Wait(context.Background()); err != nil { // takes now; the next turn is 1 s away
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := p.Wait(ctx); err == nil {
		t.Fatal("a turn after the deadline was granted")
	}
	if d := time.Since(start); d > 50*time.Millisecond {
		t.Fatalf("refusing took %s; it should not wait for the deadline", d)
	}
}

func TestPacerSpacesCalls(t *testing.T) {
	t.Parallel()
	p := newPacer(20, 1)
	start := time.Now()
	for range 5 {
		if err := p.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 190*time.Millisecond {
		t.Fatalf("5 turns at 20/s took %s, want at least 200 ms", d)
	}
}
