package client

import (
	"context"
	"fmt"
	"time"
)

// pollInterval is the wait before poll number n (1-based) of an address:
// quick at first, since tasks usually finish within a second, then backing
// off to pollMax.
func pollInterval(n int) time.Duration {
	const first, pollMax = 250 * time.Millisecond, 5 * time.Second
	d := first << min(n-1, 8)
	return min(d, pollMax)
}

// Task is an asynchronous operation on an address: what AssociateAddress and
// DisassociateAddress start.
type Task struct {
	// Action names the operation, for errors ("AssociateAddress").
	Action    string
	AddressID string
	// ID is the task's id when known (empty when a lost reply never gave it);
	// it lets a wait tell a failed task from a slow one.
	ID string
}

// WaitAddress polls the task's address (through the shared, batched reader)
// until reached accepts it, and returns that observation. When the address
// shows no operation in flight and is not reached, the task (if its id is
// known) is asked: FAILED is an error naming the task; SUCCESS returns the
// observation for the caller to judge. An address that disappears is an
// error IsNotFound recognizes. When ctx ends first, the error
// (ClientError.Timeout or ClientError.Canceled) names the last status.
func (c *Client) WaitAddress(ctx context.Context, task Task, reached func(*Address) bool) (*Address, error) {
	start := c.clock.Now()
	var last *Address
	for n := 1; ; n++ {
		a, err := c.pollAddress(ctx, task.AddressID, pollInterval(n))
		switch {
		case err != nil && ctx.Err() != nil:
			return last, c.waitTimeout(ctx, task, last, start)
		case err != nil:
			return last, err
		case a == nil:
			return nil, &APIError{Action: task.Action, Code: CodeAddressNotFound, TaskID: task.ID,
				Message: fmt.Sprintf("the EIP %s disappeared while waiting for %s", task.AddressID, task.Action)}
		}
		last = a
		if reached(a) {
			return a, nil
		}
		if !a.IsSettled() || task.ID == "" {
			continue
		}
		result, err := c.taskResult(ctx, task.ID)
		switch {
		case err != nil && ctx.Err() != nil:
			return last, c.waitTimeout(ctx, task, last, start)
		case err != nil:
			return last, err
		case result == taskFailed:
			return last, &APIError{Action: task.Action, Code: CodeTaskFailed, TaskID: task.ID,
				Message: fmt.Sprintf("the task ended FAILED; the EIP %s is %s", task.AddressID, last.Status)}
		case result == taskSuccess:
			// Finished, yet not in the state aimed at: changed by someone else
			// meanwhile, or the describe lags. One more look, then the caller judges.
			if a, err := c.pollAddress(ctx, task.AddressID, pollInterval(1)); err == nil && a != nil {
				last = a
			}
			return last, nil
		}
	}
}

func (c *Client) waitTimeout(ctx context.Context, task Task, last *Address, start time.Time) error {
	status := "not yet observed"
	if last != nil {
		status = last.Status
	}
	elapsed := c.clock.Now().Sub(start)
	err := ContextError(ctx, task.Action, fmt.Sprintf("waiting for the EIP %s: it was still %s after %s",
		task.AddressID, status, elapsed.Round(time.Second)))
	err.TaskID, err.Elapsed = task.ID, elapsed
	return err
}
