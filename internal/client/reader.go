package client

import (
	"context"
	"slices"
	"sync"
	"time"
)

// How reads of single addresses are batched.
//
// Every read of one address (Client.Address, and each poll of a wait) goes
// through one addressReader per client. It gathers the ids asked for and
// fetches them together with DescribeAddresses, up to 100 ids per call:
//
//   - A read is sent after a short gathering window (readWindow), together with
//     whatever other reads arrived meanwhile.
//   - A poll of a wait is due after its own backoff, and is sent no sooner than
//     pollSpacing after the previous call; every call also carries the ids of all
//     other waits in progress, so that many waits share one poll.
//   - Snapshot: Terraform refreshes at most -parallelism (10) resources at once,
//     so gathering alone cannot do better than ~10 ids per call. Once a process
//     has read many addresses (snapshotFirstProbe, doubling on each refusal) and
//     has made no write, the reader lists all bound addresses of the region
//     (DescribeAddresses filtered on the bound statuses, 100 per page) if that
//     takes at most one page per snapshotReadsPerPage reads seen so far, and
//     answers further reads from that list. An id missing from it (unbound or
//     gone) is still read by id, so drift is never decided from the list alone.
//     Any write made through this client drops the snapshot for good, and it
//     expires after snapshotTTL.
const (
	readWindow           = 10 * time.Millisecond
	pollSpacing          = 250 * time.Millisecond
	snapshotFirstProbe   = 50
	snapshotReadsPerPage = 10
	snapshotMaxPages     = 100
	snapshotTTL          = 2 * time.Minute
)

var boundStatuses = []string{StatusBind, StatusBindENI, StatusBinding, StatusUnbinding}

type readResult struct {
	address *Address
	err     error
}

// readRequest is one caller waiting for one address.
type readRequest struct {
	ctx    context.Context
	id     string
	due    time.Time // when the caller needs the observation
	isRead bool      // a read (gathering window) rather than a poll (spacing)
	reply  chan readResult
}

type addressReader struct {
	c *Client

	mu        sync.Mutex
	pending   []*readRequest
	running   bool
	kick      chan struct{}
	lastFetch time.Time

	reads         int
	nextProbe     int
	wrote         bool
	snapshot      map[string]Address
	snapshotTaken time.Time
	snapshotBusy  bool
}

func newAddressReader(c *Client) *addressReader {
	return &addressReader{c: c, kick: make(chan struct{}, 1), nextProbe: snapshotFirstProbe}
}

// Address reads one address; it returns nil without error when the address
// does not exist.
func (c *Client) Address(ctx context.Context, id string) (*Address, error) {
	return c.reads.get(ctx, id, 0, true)
}

// get waits for an observation of id made no sooner than after from now.
func (r *addressReader) get(ctx context.Context, id string, after time.Duration, isRead bool) (*Address, error) {
	req := &readRequest{ctx: ctx, id: id, due: time.Now().Add(after), isRead: isRead, reply: make(chan readResult, 1)}
	r.mu.Lock()
	if isRead {
		r.reads++
	}
	r.pending = append(r.pending, req)
	if !r.running {
		r.running = true
		go r.run()
	}
	r.mu.Unlock()
	select {
	case r.kick <- struct{}{}:
	default:
	}
	select {
	case res := <-req.reply:
		return res.address, res.err
	case <-ctx.Done():
		r.drop(req)
		return nil, contextError(ctx, actionDescribe, "reading the address "+id)
	}
}

func (r *addressReader) drop(req *readRequest) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pending = slices.DeleteFunc(r.pending, func(p *readRequest) bool { return p == req })
}

// invalidate records a write: from now on nothing is answered from a snapshot.
func (r *addressReader) invalidate() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.wrote = true
	r.snapshot = nil
}

// run is the batching loop; it ends when nothing is pending.
func (r *addressReader) run() {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		r.mu.Lock()
		if len(r.pending) == 0 {
			r.running = false
			r.mu.Unlock()
			return
		}
		now := time.Now()
		next := r.nextSendLocked()
		if !next.After(now) {
			batch := r.takeBatchLocked(now)
			r.lastFetch = now
			r.mu.Unlock()
			go r.fetch(batch)
			continue
		}
		r.mu.Unlock()
		timer.Reset(next.Sub(now))
		select {
		case <-timer.C:
		case <-r.kick:
			if !timer.Stop() {
				<-timer.C
			}
		}
	}
}

// nextSendLocked is when the next call should go out.
func (r *addressReader) nextSendLocked() time.Time {
	var next time.Time
	for _, p := range r.pending {
		at := p.due.Add(readWindow)
		if !p.isRead {
			at = later(p.due, r.lastFetch.Add(pollSpacing))
		}
		if next.IsZero() || at.Before(next) {
			next = at
		}
	}
	return next
}

// takeBatchLocked removes and returns the requests that are due, plus, to
// fill the calls they need up to 100 ids each, the earliest of the others
// (they get an early observation for free).
func (r *addressReader) takeBatchLocked(now time.Time) []*readRequest {
	slices.SortStableFunc(r.pending, func(a, b *readRequest) int { return a.due.Compare(b.due) })
	ids := map[string]bool{}
	var batch, notDue []*readRequest
	for _, p := range r.pending {
		if p.due.After(now) {
			notDue = append(notDue, p)
			continue
		}
		ids[p.id] = true
		batch = append(batch, p)
	}
	room := (maxAddressIDsPerCall - len(ids)%maxAddressIDsPerCall) % maxAddressIDsPerCall
	r.pending = r.pending[:0]
	for _, p := range notDue {
		switch {
		case ids[p.id]:
		case room > 0:
			ids[p.id] = true
			room--
		default:
			r.pending = append(r.pending, p)
			continue
		}
		batch = append(batch, p)
	}
	return batch
}

// fetch answers a batch, from the snapshot where it may, else by id.
func (r *addressReader) fetch(batch []*readRequest) {
	ctx, cancel := batchContext(batch, r.c.retry.noDeadlineBudget)
	defer cancel()

	byID := map[string][]*readRequest{}
	var ids []string
	for _, p := range batch {
		if _, seen := byID[p.id]; !seen {
			ids = append(ids, p.id)
		}
		byID[p.id] = append(byID[p.id], p)
	}

	if snap := r.snapshotFor(ctx, batch); snap != nil {
		var missing []string
		for _, id := range ids {
			a, ok := snap[id]
			if !ok {
				missing = append(missing, id)
				continue
			}
			for _, p := range byID[id] {
				p.reply <- readResult{address: &a}
			}
		}
		ids = missing
	}

	for chunk := range slices.Chunk(ids, maxAddressIDsPerCall) {
		found, err := r.c.Addresses(ctx, Query{IDs: chunk})
		index := map[string]Address{}
		for _, a := range found {
			index[a.ID] = a
		}
		for _, id := range chunk {
			var res readResult
			if err != nil {
				res.err = err
			} else if a, ok := index[id]; ok {
				res.address = &a
			}
			for _, p := range byID[id] {
				p.reply <- res
			}
		}
	}
}

// batchContext carries the first caller's values (for logging) and the latest
// deadline among the callers, so that no caller's budget is cut short.
func batchContext(batch []*readRequest, budget time.Duration) (context.Context, context.CancelFunc) {
	deadline := time.Now().Add(budget)
	latest := time.Time{}
	for _, p := range batch {
		d, ok := p.ctx.Deadline()
		if !ok {
			latest = deadline
			break
		}
		latest = later(latest, d)
	}
	return context.WithDeadline(context.WithoutCancel(batch[0].ctx), latest)
}

// snapshotFor returns the snapshot to answer reads from, taking one first if
// this process has read enough addresses for it to pay off; nil otherwise.
func (r *addressReader) snapshotFor(ctx context.Context, batch []*readRequest) map[string]Address {
	if !slices.ContainsFunc(batch, func(p *readRequest) bool { return p.isRead }) {
		return nil
	}
	r.mu.Lock()
	if r.snapshot != nil && time.Since(r.snapshotTaken) < snapshotTTL {
		defer r.mu.Unlock()
		return r.snapshot
	}
	if r.wrote || r.snapshotBusy || r.reads < r.nextProbe {
		r.mu.Unlock()
		return nil
	}
	r.snapshotBusy = true
	maxPages := min(r.reads/snapshotReadsPerPage, snapshotMaxPages)
	r.nextProbe = r.reads * 2
	r.mu.Unlock()

	snap, taken := r.takeSnapshot(ctx, maxPages)

	r.mu.Lock()
	defer r.mu.Unlock()
	r.snapshotBusy = false
	if snap == nil || r.wrote {
		return nil
	}
	r.snapshot, r.snapshotTaken = snap, taken
	return snap
}

// takeSnapshot lists the bound addresses, unless that needs more than
// maxPages calls.
func (r *addressReader) takeSnapshot(ctx context.Context, maxPages int) (map[string]Address, time.Time) {
	taken := time.Now()
	q := Query{Filters: []Filter{{Name: "address-status", Values: boundStatuses}}}
	first, total, err := r.c.describePage(ctx, q, 0)
	if err != nil {
		return nil, taken
	}
	pages := int((total + describePageSize - 1) / describePageSize)
	r.c.log(ctx, "considering a snapshot of bound addresses", map[string]any{
		"bound_addresses": total, "pages": pages, "max_pages": maxPages,
	})
	if pages > maxPages {
		return nil, taken
	}
	snap := make(map[string]Address, total)
	for _, a := range first {
		snap[a.ID] = a
	}
	for offset := int64(len(first)); offset < total; {
		page, _, err := r.c.describePage(ctx, q, offset)
		if err != nil {
			return nil, taken
		}
		if len(page) == 0 {
			break
		}
		for _, a := range page {
			snap[a.ID] = a
		}
		offset += int64(len(page))
	}
	return snap, taken
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
