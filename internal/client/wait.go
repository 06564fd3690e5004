package client

import (
	"context"
	"fmt"
	"time"
)

// pollInterval is the wait before poll number n (1-based) of an address or a
// task: quick at first, since tasks usually finish within a second, then
// backing off to pollMax.
func pollInterval(n int) time.Duration {
	const first, pollMax = 250 * time.Millisecond, 5 * time.Second
	d := first << min(n-1, 8)
	return min(d, pollMax)
}

// Wait describes a wait for an address to reach the state an operation aims at.
type Wait struct {
	AddressID string
	// Operation names the action waited for, for errors ("AssociateAddress").
	Operation string
	// TaskID, when known, lets the wait tell a failed task from a slow one.
	TaskID string
	// Done reports whether the address has reached the state aimed at.
	Done func(*Address) bool
}

// WaitAddress polls the address (through the shared, batched reader) until
// w.Done accepts it, and returns that observation. When the address shows no
// operation in flight and is not done, the task (if known) is asked: FAILED is
// an error naming the task; SUCCESS returns the observation for the caller to
// judge. When the address disappears the error is InvalidAddressId.NotFound.
// When ctx ends first, the error (ClientError.Timeout) names the last status.
func (c *Client) WaitAddress(ctx context.Context, w Wait) (*Address, error) {
	start := time.Now()
	var last *Address
	for n := 1; ; n++ {
		a, err := c.reads.get(ctx, w.AddressID, pollInterval(n), false)
		if err != nil {
			if ctx.Err() != nil {
				return last, c.waitTimeout(ctx, w, last, start)
			}
			return last, err
		}
		if a == nil {
			return nil, &APIError{Action: w.Operation, Code: "InvalidAddressId.NotFound", TaskID: w.TaskID,
				Message: fmt.Sprintf("the EIP %s disappeared while waiting for %s", w.AddressID, w.Operation)}
		}
		last = a
		if w.Done(a) {
			return a, nil
		}
		if !a.IsSettled() || w.TaskID == "" {
			continue
		}
		result, err := c.TaskResult(ctx, w.TaskID)
		switch {
		case err != nil && ctx.Err() != nil:
			return last, c.waitTimeout(ctx, w, last, start)
		case err != nil:
			return last, err
		case result == TaskFailed:
			return last, &APIError{Action: w.Operation, Code: CodeTaskFailed, TaskID: w.TaskID,
				Message: fmt.Sprintf("the task ended FAILED; the EIP %s is %s", w.AddressID, last.Status)}
		case result == TaskSuccess:
			// Finished, yet not in the state aimed at: changed by someone else
			// meanwhile, or the describe lags. One more look, then the caller judges.
			if a, err := c.reads.get(ctx, w.AddressID, pollInterval(1), false); err == nil && a != nil {
				last = a
			}
			return last, nil
		}
	}
}

func (c *Client) waitTimeout(ctx context.Context, w Wait, last *Address, start time.Time) error {
	status := "not yet observed"
	if last != nil {
		status = last.Status
	}
	err := contextError(ctx, w.Operation, fmt.Sprintf("waiting for the EIP %s: it was still %s after %s",
		w.AddressID, status, time.Since(start).Round(time.Second)))
	err.TaskID, err.Elapsed = w.TaskID, time.Since(start)
	return err
}

// WaitTask polls DescribeTaskResult until the task finishes. FAILED is an
// error naming the task.
func (c *Client) WaitTask(ctx context.Context, taskID, operation string) error {
	start := time.Now()
	for n := 1; ; n++ {
		if err := sleep(ctx, pollInterval(n)); err != nil {
			err := contextError(ctx, operation, fmt.Sprintf("waiting for task %s: it was still RUNNING after %s",
				taskID, time.Since(start).Round(time.Second)))
			err.TaskID, err.Elapsed = taskID, time.Since(start)
			return err
		}
		result, err := c.TaskResult(ctx, taskID)
		if err != nil {
			return err
		}
		switch result {
		case TaskSuccess:
			return nil
		case TaskFailed:
			return &APIError{Action: operation, Code: CodeTaskFailed, TaskID: taskID, Message: "the task ended FAILED"}
		}
	}
}
