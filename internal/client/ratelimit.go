package client

import (
	"context"
	"time"

	"golang.org/x/time/rate"
)

// documentedRates are the API's limits, in requests per second per action and
// account.
var documentedRates = map[string]float64{
	actionAssociate:     10,
	actionDisassociate:  10,
	actionDescribe:      20,
	actionTaskResult:    20,
	actionDescribeQuota: 10,
	actionDescribeENIs:  100,
}

// writeActions are limited by RateLimit.Write; every other action by Read.
var writeActions = map[string]bool{actionAssociate: true, actionDisassociate: true}

// RateLimit caps the requests per second the client sends of each action. A
// zero field keeps each action's documented rate.
type RateLimit struct {
	// Write applies to AssociateAddress and DisassociateAddress, each.
	Write float64
	// Read applies to each Describe action.
	Read float64
}

// rateFor is the rate the client sends action at.
func (r RateLimit) rateFor(action string) float64 {
	configured := r.Read
	if writeActions[action] {
		configured = r.Write
	}
	if configured > 0 {
		return configured
	}
	if documented, ok := documentedRates[action]; ok {
		return documented
	}
	return documentedRates[actionDescribe]
}

// newPacer spaces calls evenly at perSecond: a server counting with a token
// bucket of the same rate never sees more than it allows, however the replies'
// latencies vary. Reads may go two at once (a plan's check reads an EIP and
// what sits on its target together); writes never burst. rate.Limiter refuses
// a turn that would come after the context's deadline, and hands back the
// turn of a caller that stops waiting.
func newPacer(perSecond float64, burst int) *rate.Limiter {
	return rate.NewLimiter(rate.Limit(perSecond), burst)
}

// freeAt is when, as seen at now, a call could start without waiting.
func freeAt(l *rate.Limiter, now time.Time) time.Time {
	missing := 1 - l.TokensAt(now)
	if missing <= 0 {
		return now
	}
	return now.Add(time.Duration(missing / float64(l.Limit()) * float64(time.Second)))
}

func (c *Client) limiter(action string) *rate.Limiter {
	c.pacersMu.Lock()
	defer c.pacersMu.Unlock()
	p, ok := c.pacers[action]
	if !ok {
		burst := 2
		if writeActions[action] {
			burst = 1
		}
		p = newPacer(c.rateLimit.rateFor(action), burst)
		c.pacers[action] = p
	}
	return p
}

// waitTurn waits for action's turn under the rate limit.
func (c *Client) waitTurn(ctx context.Context, action string) error {
	return c.limiter(action).Wait(ctx)
}
