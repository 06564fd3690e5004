package e2e

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// InterruptContext returns a context that ends at the first SIGINT, SIGTERM
// or SIGHUP. Everything the harness started ends with it: tfexec interrupts
// terraform (and kills it if it lingers), emulators are killed, and the
// program unwinds through its cleanup. A second signal ends the program at
// once; its children die with it (Pdeathsig), and the providers follow their
// Terraform.
func InterruptContext() (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	context.AfterFunc(ctx, stop)
	return ctx, stop
}
