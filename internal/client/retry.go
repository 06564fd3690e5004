package client

import (
	"context"
	"errors"
	"fmt"
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

// budget is when retries of action must stop.
func (p retryPolicy) budget(ctx context.Context, action string, start time.Time) time.Time {
	deadline, hasDeadline := ctx.Deadline()
	if writeActions[action] && hasDeadline {
		return deadline
	}
	readEnd := start.Add(p.readBudget)
	if hasDeadline && deadline.Before(readEnd) {
		return deadline
	}
	return readEnd
}

// do runs call until it succeeds, fails with an error that is not retryable,
// or the next attempt could not start within the budget. Every attempt first
// waits for the action's rate limiter. The returned error is an *APIError;
// when retries were spent it names the attempts and the time they took.
//
// The loop is our own rather than a retry library's because it must carry,
// across attempts, whether any of them may have been carried out (MaybeApplied):
// a write whose reply was lost and whose retry is then refused must be looked
// up, not reported as refused.
func (c *Client) do(ctx context.Context, action string, call func(ctx context.Context) error) error {
	start := time.Now()
	deadline := c.retry.budget(ctx, action, start)
	var last *APIError
	maybeApplied := false
	for attempt := 1; ; attempt++ {
		err := c.waitTurn(ctx, action)
		if err != nil && ctx.Err() == nil {
			// No turn under the rate limit before the deadline.
			if last == nil {
				last = &APIError{Action: action, Code: CodeTimeout, Message: "no turn under the client's rate limit before the operation's deadline"}
			}
			last.Elapsed, last.MaybeApplied = time.Since(start), maybeApplied
			return last
		}
		sent := err == nil
		status := &replyStatus{}
		if sent {
			err = c.attempt(withReplyStatus(ctx, status), call)
		}
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			// Interrupted, or out of time: then report what kept failing.
			if last == nil || errors.Is(ctx.Err(), context.Canceled) {
				last = contextError(ctx, action, "waiting for a reply")
			}
			last.Attempts, last.Elapsed = attempt, time.Since(start)
			last.MaybeApplied = maybeApplied || sent
			return last
		}
		apiErr := toAPIError(action, err)
		if apiErr.Action == "" {
			apiErr.Action = action
		}
		if apiErr.Code == CodeParseError || apiErr.Code == CodeHTTPStatus {
			apiErr.HTTPStatus = status.code
		}
		maybeApplied = maybeApplied || (sent && noDefiniteAnswer(apiErr))
		apiErr.Attempts, apiErr.Elapsed, apiErr.MaybeApplied = attempt, time.Since(start), maybeApplied
		if !IsRetryable(apiErr) {
			return apiErr
		}
		last = apiErr
		wait := c.retry.backoff(attempt)
		if time.Now().Add(wait).After(deadline) {
			return apiErr
		}
		c.log(ctx, "retrying after a retryable error", map[string]any{
			"action": action, "code": apiErr.Code, "request_id": apiErr.RequestID,
			"attempt": attempt, "wait_ms": wait.Milliseconds(),
		})
		if sleep(ctx, wait) != nil {
			apiErr.Elapsed = time.Since(start)
			return apiErr
		}
	}
}

// attempt runs one call with the per-request timeout, so that a reply that
// never comes costs one attempt, not the whole operation. The SDK panics on
// some malformed replies (a body of `null`, for one): that becomes an error
// like any other unusable reply.
func (c *Client) attempt(ctx context.Context, call func(ctx context.Context) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &APIError{Code: CodeParseError, Message: fmt.Sprintf("the reply could not be decoded: %v", p)}
		}
	}()
	attemptCtx, cancel := context.WithTimeout(ctx, c.requestTimeout)
	defer cancel()
	return call(attemptCtx)
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
