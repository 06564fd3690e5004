package client

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// retryPolicy is the one retry policy of the provider: jittered exponential
// backoff for retryable errors (see IsRetryable). A write retries until the
// caller's deadline (its resource timeout); a read gives up after readBudget
// at most, so that a plan against an endpoint that does not answer fails in a
// minute, not in the minutes a write may take.
type retryPolicy struct {
	initial    time.Duration
	max        time.Duration
	readBudget time.Duration
}

// Throttling clears within a second and a busy EIP's task within a few, so
// waits stay short: a long one only delays everything queued behind it.
var defaultRetryPolicy = retryPolicy{
	initial:    250 * time.Millisecond,
	max:        2 * time.Second,
	readBudget: 60 * time.Second,
}

// errNoTurn is waitTurn's answer when the next turn under the rate limit
// would come after the caller's deadline.
var errNoTurn = errors.New("no turn under the rate limit before the deadline")

// backoff returns the wait before retry number n (1-based): the exponential
// step, jittered to between half and the whole of it so that many callers
// throttled together do not come back together.
func (p retryPolicy) backoff(n int) time.Duration {
	step := p.initial << min(n-1, 16)
	if step > p.max || step <= 0 {
		step = p.max
	}
	half := step / 2
	return half + rand.N(half+1)
}

// budget is when retries must stop.
func (p retryPolicy) budget(ctx context.Context, write bool, start time.Time) time.Time {
	deadline, hasDeadline := ctx.Deadline()
	if write && hasDeadline {
		return deadline
	}
	readEnd := start.Add(p.readBudget)
	if hasDeadline && deadline.Before(readEnd) {
		return deadline
	}
	return readEnd
}

// run calls try until it succeeds, fails with an error that is not
// retryable, or the next attempt could not start within the budget. try
// reports whether its attempt was sent (it first waits for a turn under the
// rate limit). The returned error is an *APIError; when retries were spent it
// names the attempts and the time they took.
//
// The loop is our own rather than a retry library's because it must carry,
// across attempts, whether any of them may have been carried out
// (MaybeApplied): a write whose reply was lost and whose retry is then
// refused must be looked up, not reported as refused.
func (p retryPolicy) run(ctx context.Context, clock Clock, action string, write bool,
	try func(context.Context) (bool, error), log LogFunc) error {
	start := clock.Now()
	deadline := p.budget(ctx, write, start)
	var last *APIError
	maybeApplied := false
	for attempt := 1; ; attempt++ {
		sent, err := try(ctx)
		if err == nil {
			return nil
		}
		elapsed := clock.Now().Sub(start)
		switch {
		case ctx.Err() != nil:
			// Interrupted, or out of time: then report what kept failing.
			if last == nil || errors.Is(context.Cause(ctx), context.Canceled) {
				last = ContextError(ctx, action, "waiting for a reply")
			}
			last.Attempts, last.Elapsed, last.MaybeApplied = attempt, elapsed, maybeApplied || sent
			return last
		case !sent && !errors.Is(err, errNoTurn):
			// Nothing was sent because the credentials could not be had:
			// their source's error (already retried) is the answer.
			apiErr := toAPIError(action, err)
			apiErr.Elapsed, apiErr.MaybeApplied = elapsed, maybeApplied
			return apiErr
		case !sent:
			if last == nil {
				last = &APIError{Action: action, Code: CodeTimeout, Message: "no turn under the client's rate limit before the operation's deadline"}
			}
			last.Elapsed, last.MaybeApplied = elapsed, maybeApplied
			return last
		}
		apiErr := toAPIError(action, err)
		maybeApplied = maybeApplied || noDefiniteAnswer(apiErr)
		apiErr.Attempts, apiErr.Elapsed, apiErr.MaybeApplied = attempt, elapsed, maybeApplied
		if !IsRetryable(apiErr) {
			return apiErr
		}
		last = apiErr
		wait := p.backoff(attempt)
		if clock.Now().Add(wait).After(deadline) {
			return apiErr
		}
		log(ctx, "retrying after a retryable error", map[string]any{
			"action": action, "code": apiErr.Code, "request_id": apiErr.RequestID,
			"attempt": attempt, "wait_ms": wait.Milliseconds(),
		})
		if sleep(ctx, clock, wait) != nil {
			apiErr.Elapsed = clock.Now().Sub(start)
			return apiErr
		}
	}
}
