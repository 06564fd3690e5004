package e2e

import (
	"context"
	"flag"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"
)

// InterruptContext returns a context that ends at the first SIGINT, SIGTERM
// or SIGHUP, so that everything the harness started unwinds through its
// cleanup. A second signal ends the program at once; its children die with
// it (Pdeathsig).
func InterruptContext() (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	context.AfterFunc(ctx, stop)
	return ctx, stop
}

// MakeWorkDir returns dir, created if needed, or a new temporary directory
// named prefix… when dir is empty.
func MakeWorkDir(dir, prefix string) (string, error) {
	if dir == "" {
		return os.MkdirTemp("", prefix)
	}
	return dir, os.MkdirAll(dir, 0o755)
}

// BuildFlags registers the flags that name prebuilt binaries.
func BuildFlags(b *BuildOptions) {
	flag.StringVar(&b.Provider, "provider", "", "prebuilt terraform-provider-qcloud (default: go build)")
	flag.StringVar(&b.Emulator, "emulator", "", "prebuilt qcloud-emulator (default: go build)")
	flag.StringVar(&b.Terraform, "terraform", "", "terraform CLI (default: on PATH)")
}

// Median is the median of ds, 0 when there is none.
func Median(ds []time.Duration) time.Duration {
	s := slices.Sorted(slices.Values(ds))
	if len(s) == 0 {
		return 0
	}
	return (s[(len(s)-1)/2] + s[len(s)/2]) / 2
}
