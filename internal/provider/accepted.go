package provider

import (
	"context"
	"time"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
)

// acceptedWorkGrace is how long work the API may already have accepted goes
// on after the operation that asked for it stops waiting, interrupted
// (Ctrl-C, SIGTERM) or out of time: the wait for a bind's or unbind's task,
// and the look after a write whose reply was lost. Tasks take seconds, and
// seeing one through records its outcome instead of leaving the association
// tainted, to be undone and redone by the next apply. It is the one way a
// call outlives its caller.
const acceptedWorkGrace = 20 * time.Second

// afterAccepted returns the context for such work: ctx's values, ending
// acceptedWorkGrace (on clock) after ctx ends, however it ends.
func afterAccepted(ctx context.Context, clock client.Clock) (context.Context, context.CancelFunc) {
	work, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() {
		grace, stopGrace := clock.NewTimer(acceptedWorkGrace)
		defer stopGrace()
		select {
		case <-grace:
			cancel(context.Cause(ctx)) // ended as its caller did: interrupted, or out of time
		case <-work.Done():
		}
	})
	return work, func() { stop(); cancel(nil) }
}
