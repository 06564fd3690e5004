package client

import (
	"context"
	"sync"
	"time"
)

// RateLimit is the number of requests per second the client sends per action.
// The API documents 10/s for AssociateAddress and DisassociateAddress and
// 20/s for the Describe actions, counted per action and account.
type RateLimit struct {
	Write float64
	Read  float64
}

// DefaultRateLimit is the API's documented limit.
var DefaultRateLimit = RateLimit{Write: 10, Read: 20}

// writeActions are limited by RateLimit.Write; every other action by Read.
var writeActions = map[string]bool{actionAssociate: true, actionDisassociate: true}

// pacer spaces calls evenly at its rate: no bursts, so that a server counting
// with a token bucket of the same rate never sees more than it allows, however
// the replies' latencies vary.
type pacer struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time
}

func newPacer(perSecond float64) *pacer {
	if perSecond <= 0 {
		return &pacer{}
	}
	return &pacer{interval: time.Duration(float64(time.Second) / perSecond)}
}

// wait blocks until the caller's turn, or until ctx is done. A turn that
// would come after ctx's deadline is not taken; one given up is handed back
// when nobody has queued behind it.
func (p *pacer) wait(ctx context.Context) error {
	if p.interval == 0 {
		return ctx.Err()
	}
	p.mu.Lock()
	slot := later(p.next, time.Now())
	if deadline, ok := ctx.Deadline(); ok && slot.After(deadline) {
		p.mu.Unlock()
		return context.DeadlineExceeded
	}
	p.next = slot.Add(p.interval)
	p.mu.Unlock()
	d := time.Until(slot)
	if d <= 0 {
		return ctx.Err()
	}
	if err := sleep(ctx, d); err != nil {
		p.mu.Lock()
		if p.next.Equal(slot.Add(p.interval)) {
			p.next = slot
		}
		p.mu.Unlock()
		return err
	}
	return nil
}

// free is when a call could start without waiting.
func (p *pacer) free() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.next
}

func (c *Client) limiter(action string) *pacer {
	c.pacersMu.Lock()
	defer c.pacersMu.Unlock()
	p, ok := c.pacers[action]
	if !ok {
		rate := c.rateLimit.Read
		if writeActions[action] {
			rate = c.rateLimit.Write
		}
		p = newPacer(rate)
		c.pacers[action] = p
	}
	return p
}
