package client

import (
	"io"
	"net/http"
	"runtime"
	"strings"
)

// WaitForPendingReads blocks until n reads wait in the batcher: a test on a
// fake clock then moves the clock knowing what the next call carries.
func (c *Client) WaitForPendingReads(n int) {
	for {
		c.reads.mu.Lock()
		pending := len(c.reads.pending)
		c.reads.mu.Unlock()
		if pending >= n {
			return
		}
		runtime.Gosched()
	}
}

// ReadWindow is how long lookups are gathered before a call.
const ReadWindow = readWindow

// RoundTripOK answers every request 200 OK with itself as the JSON body.
type RoundTripOK string

func (body RoundTripOK) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Status: "200 OK", Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(string(body))), Request: r}, nil
}

// WaitForQueuedLookups blocks until that many interface and instance
// lookups wait for their gathering window.
func (c *Client) WaitForQueuedLookups(interfaces, instances int) {
	for queuedLookups(c.interfaces) < interfaces || queuedLookups(c.instances) < instances {
		runtime.Gosched()
	}
}

func queuedLookups[T any](l *lookupCache[T]) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.queued)
}
