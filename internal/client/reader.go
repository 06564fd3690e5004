package client

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// How reads of single addresses are batched.
//
// Every read of one address (Client.LookupAddress, and each poll of a wait) goes
// through one addressReader per client. It gathers the ids asked for and
// fetches them together with DescribeAddresses, up to 100 ids per call:
//
//   - A read is sent after a short gathering window (readWindow), together with
//     whatever other reads arrived meanwhile.
//   - A poll of a wait is due after its own backoff, and is sent no sooner than
//     pollSpacing after the previous call; every call also carries the ids of all
//     other waits in progress, so that many waits share one poll. The spacing
//     is short while one or two waits are in progress, so that a lone bind is
//     seen done soon after its task, and longer while many are: each call then
//     sees several tasks done, and a large apply or destroy, paced by the write
//     rate limit anyway, makes a fraction of a DescribeAddresses per resource.
//   - Snapshot: Terraform refreshes at most -parallelism (10) resources at once,
//     so gathering alone cannot do better than ~10 ids per call. Once a process
//     has read snapshotProbeAfter addresses, the reader asks
//     for the first page of the region's bound addresses (DescribeAddresses
//     filtered on the bound statuses, 100 per page), which tells how many there
//     are. When they fit in that page, it is the snapshot. Otherwise the reader
//     lists them all as soon as the reads seen so far would have cost as many
//     gathered calls as the listing takes (one page per snapshotReadsPerPage
//     reads), up to snapshotMaxPages. Reads that arrive while the list loads
//     wait for it. An id missing from the list (unbound or gone) is still read
//     by id, so drift is never decided from the list alone. A write made
//     through this client takes its address out of the snapshot (it is read
//     by id from then on: a destroy's looks before unbinding are still
//     answered from one listing), and stops the snapshot from answering what
//     sits on a target (AddressesOn). The snapshot expires after snapshotTTL.
const (
	readWindow           = 10 * time.Millisecond
	pollSpacingFew       = 250 * time.Millisecond
	pollSpacingMany      = 750 * time.Millisecond
	snapshotProbeAfter   = 10
	snapshotReadsPerPage = 4
	snapshotMaxPages     = 100
	snapshotTTL          = 2 * time.Minute
)

var boundStatuses = []string{StatusBind, StatusBindENI, StatusBinding, StatusUnbinding}

type readResult struct {
	address *Address
	err     error
}

// readKind tells a read from a poll of a wait.
type readKind int

const (
	// lookup: a read, sent after the gathering window and answerable from the
	// snapshot.
	lookup readKind = iota
	// poll: one poll of a wait, spaced from the previous call and always sent
	// to the API, since it watches a change happen.
	poll
)

// readRequest is one caller waiting for one address.
type readRequest struct {
	ctx   context.Context
	id    string
	due   time.Time // when the caller needs the observation
	kind  readKind
	reply chan readResult
}

type addressReader struct {
	c *Client

	mu        sync.Mutex
	pending   []*readRequest
	running   bool
	kick      chan struct{}
	lastFetch time.Time

	reads         int
	written       map[string]bool // addresses written through this client
	boundCount    int64           // bound addresses in the region, from the probe; -1 before it
	probed        []Address       // the probe's page, which the listing goes on from
	snapshot      map[string]Address
	snapshotTaken time.Time
	loading       chan struct{} // closed when the probe or listing in progress ends
}

func newAddressReader(c *Client) *addressReader {
	return &addressReader{c: c, kick: make(chan struct{}, 1), boundCount: -1, written: map[string]bool{}}
}

// LookupAddress reads one address; it returns nil without error when the
// address does not exist.
func (c *Client) LookupAddress(ctx context.Context, id string) (*Address, error) {
	return c.reads.get(ctx, id, 0, lookup)
}

// get waits for an observation of id made no sooner than after from now.
func (r *addressReader) get(ctx context.Context, id string, after time.Duration, kind readKind) (*Address, error) {
	req := &readRequest{ctx: ctx, id: id, due: time.Now().Add(after), kind: kind, reply: make(chan readResult, 1)}
	r.mu.Lock()
	if kind == lookup {
		r.reads++
		// A snapshot that holds the address answers at once: no window to wait.
		if a, ok := r.snapshot[id]; ok && time.Since(r.snapshotTaken) <= snapshotTTL {
			r.mu.Unlock()
			return &a, nil
		}
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

// invalidate records a write to the address: from now on it is read by id.
func (r *addressReader) invalidate(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.written[id] = true
	delete(r.snapshot, id)
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
		// A call waiting for its rate-limit slot would carry only the ids
		// known when it was formed: form it when the slot comes instead.
		next := later(r.nextSendLocked(), freeAt(r.c.limiter(actionDescribe), now))
		if !next.After(now) {
			batch := r.takeBatchLocked(now)
			r.lastFetch = now
			r.mu.Unlock()
			go r.fetch(batch)
			continue
		}
		r.mu.Unlock()
		timer.Reset(next.Sub(now))
		// Since Go 1.23 Reset discards a tick not yet received: no draining.
		select {
		case <-timer.C:
		case <-r.kick:
		}
	}
}

// nextSendLocked is when the next call should go out.
func (r *addressReader) nextSendLocked() time.Time {
	waits := 0
	for _, p := range r.pending {
		if p.kind == poll {
			waits++
		}
	}
	spacing := pollSpacingFew
	if waits > 2 {
		spacing = pollSpacingMany
	}
	var next time.Time
	for _, p := range r.pending {
		at := p.due.Add(readWindow)
		if p.kind == poll {
			at = later(p.due, r.lastFetch.Add(spacing))
		}
		if next.IsZero() || at.Before(next) {
			next = at
		}
	}
	return next
}

// takeBatchLocked removes and returns the requests that are due, plus, when a
// poll is among them (a call goes to the API), the earliest of the others, to
// fill that call up to 100 ids (they get an early observation for free).
// Reads alone may all be answered from the snapshot: they bring no poll along.
func (r *addressReader) takeBatchLocked(now time.Time) []*readRequest {
	slices.SortStableFunc(r.pending, func(a, b *readRequest) int { return a.due.Compare(b.due) })
	ids := map[string]bool{}
	var batch, notDue []*readRequest
	pollDue := false
	for _, p := range r.pending {
		if p.due.After(now) {
			notDue = append(notDue, p)
			continue
		}
		ids[p.id] = true
		batch = append(batch, p)
		pollDue = pollDue || p.kind == poll
	}
	room := (maxAddressIDsPerCall - len(ids)%maxAddressIDsPerCall) % maxAddressIDsPerCall
	if !pollDue {
		room = 0
	}
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
	callers := make([]context.Context, len(batch))
	for i, p := range batch {
		callers[i] = p.ctx
	}
	ctx, cancel := batchContext(callers, r.c.retry.readBudget)
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
		// The snapshot answers reads; polls of waits watch a change happen
		// and go to the API.
		var toAPI []string
		for _, id := range ids {
			a, found := snap[id]
			var rest []*readRequest
			for _, p := range byID[id] {
				if found && p.kind == lookup {
					p.reply <- readResult{address: &a}
				} else {
					rest = append(rest, p)
				}
			}
			if len(rest) > 0 {
				byID[id] = rest
				toAPI = append(toAPI, id)
			}
		}
		ids = toAPI
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

// batchContext is what a batch's calls run under: the first caller's values
// (for logging), the latest of the callers' deadlines (budget from now for a
// caller without one), so that no caller's time is cut short, and an end as
// soon as every caller has stopped waiting.
func batchContext(callers []context.Context, budget time.Duration) (context.Context, context.CancelFunc) {
	var latest time.Time
	for _, ctx := range callers {
		d, ok := ctx.Deadline()
		if !ok {
			d = time.Now().Add(budget)
		}
		latest = later(latest, d)
	}
	ctx, cancel := context.WithDeadline(context.WithoutCancel(callers[0]), latest)
	var waiting atomic.Int64
	waiting.Store(int64(len(callers)))
	stops := make([]func() bool, 0, len(callers))
	for _, caller := range callers {
		stops = append(stops, context.AfterFunc(caller, func() {
			if waiting.Add(-1) == 0 {
				cancel()
			}
		}))
	}
	return ctx, func() {
		for _, stop := range stops {
			stop()
		}
		cancel()
	}
}

// snapshotFor returns the snapshot to answer the batch's reads from, probing
// or listing first when the rule above says so; nil when reads go by id.
func (r *addressReader) snapshotFor(ctx context.Context, batch []*readRequest) map[string]Address {
	if !slices.ContainsFunc(batch, func(p *readRequest) bool { return p.kind == lookup }) {
		return nil
	}
	r.mu.Lock()
	for r.loading != nil {
		loading := r.loading
		r.mu.Unlock()
		select {
		case <-loading:
		case <-ctx.Done():
			return nil
		}
		r.mu.Lock()
	}
	defer r.mu.Unlock()
	if r.snapshot != nil && time.Since(r.snapshotTaken) > snapshotTTL {
		r.snapshot = nil
	}
	if r.snapshot != nil {
		return r.snapshot
	}

	// Every type, normal public IPs included, so that the snapshot also
	// tells what sits on a target (AddressesOn).
	q := Query{Filters: []Filter{{Name: "address-status", Values: boundStatuses}, {Name: "address-type", Values: allAddressTypes}}}
	// worthListing reports whether a listing of that many bound addresses
	// costs no more calls than the reads seen so far would by id.
	reads := r.reads
	worthListing := func(bound int64) bool {
		pages := (bound + describePageSize - 1) / describePageSize
		return bound > 0 && pages <= snapshotMaxPages && int64(reads) >= pages*snapshotReadsPerPage
	}
	var load func() (map[string]Address, int64, error)
	switch {
	case r.boundCount < 0 && reads >= snapshotProbeAfter:
		load = func() (map[string]Address, int64, error) {
			first, total, err := r.c.describePage(ctx, q, 0)
			if err != nil || int64(len(first)) >= total {
				return index(first), total, err
			}
			if !worthListing(total) {
				r.probed = first
				return nil, total, nil // list later, if the reads justify it
			}
			all, err := r.c.addressesFrom(ctx, q, first)
			return index(all), int64(len(all)), err
		}
	case worthListing(r.boundCount):
		load = func() (map[string]Address, int64, error) {
			all, err := r.c.addressesFrom(ctx, q, r.probed)
			return index(all), int64(len(all)), err
		}
	default:
		return nil
	}

	loading := make(chan struct{})
	r.loading = loading
	r.mu.Unlock()
	snap, total, err := load()
	r.c.log(ctx, "snapshot of bound addresses", map[string]any{
		"bound_addresses": total, "taken": snap != nil, "reads_so_far": reads, "error": errString(err),
	})
	r.mu.Lock()
	r.loading = nil
	close(loading)
	if err != nil {
		r.boundCount = 0 // listing failed: reads go by id from now on
		return nil
	}
	r.boundCount = total
	if snap != nil {
		for id := range r.written {
			delete(snap, id)
		}
		r.snapshot, r.snapshotTaken = snap, time.Now()
	}
	return r.snapshot
}

// completeSnapshot returns the snapshot when one is valid and no write has
// changed a binding since, else nil; it never takes one.
func (r *addressReader) completeSnapshot() map[string]Address {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.snapshot == nil || len(r.written) > 0 || time.Since(r.snapshotTaken) > snapshotTTL {
		return nil
	}
	return r.snapshot
}

func index(addresses []Address) map[string]Address {
	m := make(map[string]Address, len(addresses))
	for _, a := range addresses {
		m[a.ID] = a
	}
	return m
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
