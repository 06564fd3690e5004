package client

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// How reads of addresses are batched.
//
// Every read of addresses goes through one addressReader per client: a
// lookup of one address (LookupAddress), a lookup of what sits on a target
// (AddressesOn), and each poll of a wait (WaitAddress). It gathers what is
// asked and fetches it together with DescribeAddresses: up to 100 ids per
// call, and up to 100 instance or interface ids per filtered call.
//
//   - Lookups are sent after a short gathering window (readWindow), together
//     with whatever else arrived meanwhile.
//   - A poll is due after its own backoff, and is sent no sooner than
//     pollSpacing after the previous call; every call carries the ids of all
//     other waits in progress, so that many waits share one poll. The spacing
//     is short while one or two waits are in progress (a lone bind is seen
//     done soon after its task) and longer while many are (each call then
//     sees several tasks done).
//   - Snapshot: Terraform reads at most -parallelism (10) resources at once,
//     so gathering alone cannot do much better than 10 ids per call. The
//     first lookup of a process asks instead for the first page of every
//     address in the region (all types and statuses, 100 per page), which
//     says how many there are. When they fit in that page, it is the
//     snapshot. Otherwise the reader lists the other pages, together, as soon
//     as the lookups seen so far reach the number of pages left: from then
//     on, a plan or refresh of any size costs a call per 100 addresses of the
//     region. Lookups of addresses in the snapshot are answered from it; an
//     id it lacks is asked for by id (an address created meanwhile is not
//     taken for missing). What sits on a target is answered from it while no
//     write of this client has changed a binding. Polls watch a change
//     happen and always go to the API. A write takes the address it names
//     out of the snapshot, from the moment it is sent. The snapshot expires
//     after snapshotTTL.
const (
	readWindow      = 10 * time.Millisecond
	pollSpacingFew  = 250 * time.Millisecond
	pollSpacingMany = 750 * time.Millisecond
	snapshotTTL     = 2 * time.Minute
	// snapshotMaxPages bounds a listing: past it, reads go by id.
	snapshotMaxPages = 100
)

type readKind int

const (
	// lookup reads one address; the snapshot may answer it.
	lookup readKind = iota
	// onTarget reads what sits on an instance or network interface; a
	// snapshot no write has touched may answer it.
	onTarget
	// poll reads one address while waiting for it to change: always the API.
	poll
)

// readRequest is one caller waiting for one read.
type readRequest struct {
	ctx    context.Context
	kind   readKind
	id     string // lookup, poll: the address
	filter Filter // onTarget: instance-id or network-interface-id, one value
	due    time.Time
	reply  chan readResult
}

type readResult struct {
	addresses []Address
	err       error
}

type addressReader struct {
	c    *Client
	kick chan struct{}

	mu        sync.Mutex
	pending   []*readRequest
	running   bool
	lastFetch time.Time
	reads     int             // lookups of addresses and targets asked so far
	written   map[string]bool // addresses written through this client
	writes    int             // writes sent through this client
	snap      *snapshot
	noSnap    bool          // a probe failed: reads go by id
	loading   chan struct{} // closed when the probe or listing in progress ends
}

// snapshot is what the reader knows of every address of the region.
type snapshot struct {
	byID     map[string]Address
	total    int64 // addresses in the region, from the probe
	complete bool  // every page is in
	first    []Address
	taken    time.Time
	// writes counts the client's writes when the snapshot was taken.
	writes int
}

func newAddressReader(c *Client) *addressReader {
	return &addressReader{c: c, kick: make(chan struct{}, 1), written: map[string]bool{}}
}

// LookupAddress reads one address. An address that does not exist is an
// error that IsNotFound recognizes.
func (c *Client) LookupAddress(ctx context.Context, id string) (*Address, error) {
	found, err := c.reads.get(ctx, &readRequest{kind: lookup, id: id})
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, notFound("DescribeAddresses", CodeAddressNotFound, "the EIP "+id)
	}
	return &found[0], nil
}

// AddressesOn returns every address bound to the target, normal public IPs
// included: on any private IP of the instance, or on the network interface's
// private IP.
func (c *Client) AddressesOn(ctx context.Context, t Target) ([]Address, error) {
	f := Filter{Name: "instance-id", Values: []string{t.InstanceID}}
	if t.InstanceID == "" {
		f = Filter{Name: "network-interface-id", Values: []string{t.NetworkInterfaceID}}
	}
	found, err := c.reads.get(ctx, &readRequest{kind: onTarget, filter: f})
	return slices.DeleteFunc(found, func(a Address) bool { return !a.BoundTo(t) }), err
}

// pollAddress reads the address no sooner than after from now, from the API.
func (c *Client) pollAddress(ctx context.Context, id string, after time.Duration) (*Address, error) {
	found, err := c.reads.get(ctx, &readRequest{kind: poll, id: id, due: c.clock.Now().Add(after)})
	if err != nil || len(found) == 0 {
		return nil, err
	}
	return &found[0], nil
}

// get queues req and waits for its answer.
func (r *addressReader) get(ctx context.Context, req *readRequest) ([]Address, error) {
	req.ctx, req.reply = ctx, make(chan readResult, 1)
	if req.due.IsZero() {
		req.due = r.c.clock.Now()
	}
	r.mu.Lock()
	if req.kind != poll {
		r.reads++
		// A snapshot that can answer does so at once.
		if a, ok := r.fromSnapshotLocked(req); ok {
			r.mu.Unlock()
			return a, nil
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
		return res.addresses, res.err
	case <-ctx.Done():
		r.drop(req)
		return nil, ContextError(ctx, "DescribeAddresses", "reading addresses")
	}
}

func (r *addressReader) drop(req *readRequest) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pending = slices.DeleteFunc(r.pending, func(p *readRequest) bool { return p == req })
}

// invalidate records a write to the address: from now on it is read by id,
// and the snapshot no longer says what sits on a target.
func (r *addressReader) invalidate(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.written[id] = true
	r.writes++
	if r.snap != nil {
		delete(r.snap.byID, id)
	}
}

// fromSnapshotLocked answers a lookup or onTarget read from a valid snapshot.
func (r *addressReader) fromSnapshotLocked(req *readRequest) ([]Address, bool) {
	s := r.snap
	if s == nil || r.c.clock.Now().Sub(s.taken) > snapshotTTL {
		return nil, false
	}
	switch req.kind {
	case lookup:
		a, ok := s.byID[req.id]
		if !ok {
			return nil, false
		}
		return []Address{a}, true
	case onTarget:
		if !s.complete || r.writes != s.writes {
			return nil, false
		}
		var on []Address
		for _, a := range s.byID {
			if matches(a, req.filter) {
				on = append(on, a)
			}
		}
		return on, true
	}
	return nil, false
}

func matches(a Address, f Filter) bool {
	if !a.IsBound() {
		return false
	}
	if f.Name == "instance-id" {
		return a.InstanceID == f.Values[0]
	}
	return a.NetworkInterfaceID == f.Values[0]
}

// run is the batching loop; it ends when nothing is pending.
func (r *addressReader) run() {
	for {
		r.mu.Lock()
		if len(r.pending) == 0 {
			r.running = false
			r.mu.Unlock()
			return
		}
		now := r.c.clock.Now()
		// A call waiting for its rate-limit turn would carry only what was
		// asked when it was formed: form it when the turn comes instead.
		next := later(r.nextSendLocked(), freeAt(r.c.limiter("DescribeAddresses", actions["DescribeAddresses"]), now))
		if !next.After(now) {
			batch := r.takeBatchLocked(now)
			r.lastFetch = now
			r.mu.Unlock()
			go r.fetch(batch)
			continue
		}
		r.mu.Unlock()
		timer, stop := r.c.clock.TimerAt(next)
		select {
		case <-timer:
		case <-r.kick:
		}
		stop()
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
// poll is among them (a call goes to the API), the earliest other reads of
// addresses, to fill that call up to 100 ids: they get an early observation
// for free.
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
		if p.kind != onTarget {
			ids[p.id] = true
		}
		batch = append(batch, p)
		pollDue = pollDue || p.kind == poll
	}
	room := 0
	if pollDue {
		room = (maxIDsPerCall - len(ids)%maxIDsPerCall) % maxIDsPerCall
	}
	r.pending = r.pending[:0]
	for _, p := range notDue {
		switch {
		case p.kind != onTarget && ids[p.id]:
		case p.kind != onTarget && room > 0:
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

// maxIDsPerCall is how many ids (or filter values) one call carries.
const maxIDsPerCall = 100

// fetch answers a batch: from the snapshot where it may, else from the API.
func (r *addressReader) fetch(batch []*readRequest) {
	callers := make([]context.Context, 0, len(batch))
	for _, p := range batch {
		callers = append(callers, p.ctx)
	}
	ctx, cancel := callersContext(callers, r.c.retry.readBudget)
	defer cancel()

	if err := r.loadSnapshot(ctx, batch); err != nil && !refusedListing(err) {
		// What failed the listing (the network, the credentials) fails the
		// reads too: one call says so, not two.
		for _, p := range batch {
			p.reply <- readResult{err: err}
		}
		return
	}
	var byID, byFilter []*readRequest
	r.mu.Lock()
	for _, p := range batch {
		if p.kind != poll {
			if a, ok := r.fromSnapshotLocked(p); ok {
				p.reply <- readResult{addresses: a}
				continue
			}
		}
		if p.kind == onTarget {
			byFilter = append(byFilter, p)
		} else {
			byID = append(byID, p)
		}
	}
	r.mu.Unlock()

	answer := func(waiting []*readRequest, q Query, key func(Address) string, keyOf func(*readRequest) string) {
		found, err := r.c.Addresses(ctx, q)
		index := map[string][]Address{}
		for _, a := range found {
			index[key(a)] = append(index[key(a)], a)
		}
		for _, p := range waiting {
			p.reply <- readResult{addresses: index[keyOf(p)], err: err}
		}
	}
	for chunk := range chunkBy(byID, func(p *readRequest) string { return p.id }) {
		answer(chunk.requests, Query{IDs: chunk.keys}, func(a Address) string { return a.ID },
			func(p *readRequest) string { return p.id })
	}
	for _, name := range []string{"instance-id", "network-interface-id"} {
		withName := slices.DeleteFunc(slices.Clone(byFilter), func(p *readRequest) bool { return p.filter.Name != name })
		key := func(a Address) string { return a.InstanceID }
		if name == "network-interface-id" {
			key = func(a Address) string { return a.NetworkInterfaceID }
		}
		for chunk := range chunkBy(withName, func(p *readRequest) string { return p.filter.Values[0] }) {
			answer(chunk.requests, Query{Filters: []Filter{{Name: name, Values: chunk.keys}, {Name: "address-type", Values: allAddressTypes}}},
				key, func(p *readRequest) string { return p.filter.Values[0] })
		}
	}
}

// requestChunk is up to maxIDsPerCall distinct keys and the requests for them.
type requestChunk struct {
	keys     []string
	requests []*readRequest
}

// chunkBy groups requests by key, maxIDsPerCall keys to a chunk.
func chunkBy(requests []*readRequest, key func(*readRequest) string) func(func(requestChunk) bool) {
	return func(yield func(requestChunk) bool) {
		var c requestChunk
		seen := map[string]bool{}
		for _, p := range requests {
			k := key(p)
			if !seen[k] {
				if len(c.keys) == maxIDsPerCall {
					if !yield(c) {
						return
					}
					c, seen = requestChunk{}, map[string]bool{}
				}
				seen[k] = true
				c.keys = append(c.keys, k)
			}
			c.requests = append(c.requests, p)
		}
		if len(c.requests) > 0 {
			yield(c)
		}
	}
}

// callersContext is what a call made for several callers runs under: the
// first caller's values (for logging), at most the read budget, and an end as
// soon as every caller has stopped waiting.
func callersContext(callers []context.Context, budget time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(callers[0]), budget)
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

// allAddresses selects every address of the region.
var allAddresses = Query{Filters: []Filter{{Name: "address-type", Values: allAddressTypes}}}

// refusedListing reports whether the API refused the listing itself (a
// filter it does not know, say), which reads by id may still get past.
func refusedListing(err error) bool {
	return hasCodePrefix(err, "InvalidParameter") || HasCode(err, "UnsupportedOperation", "LimitExceeded.NumberOfFilters")
}

// loadSnapshot probes, or lists, when the rule above says so; it returns what
// made that fail. Batches that arrive meanwhile wait for it.
func (r *addressReader) loadSnapshot(ctx context.Context, batch []*readRequest) error {
	if !slices.ContainsFunc(batch, func(p *readRequest) bool { return p.kind != poll }) {
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
	if r.snap != nil && r.c.clock.Now().Sub(r.snap.taken) > snapshotTTL {
		r.snap = nil // too old: probe again
	}
	var load func() (*snapshot, error)
	switch s := r.snap; {
	case r.noSnap:
		return nil
	case s == nil:
		load = func() (*snapshot, error) {
			first, total, err := r.c.describePage(ctx, allAddresses, 0)
			if err != nil {
				return nil, err
			}
			s := &snapshot{byID: index(first), total: total, first: first, complete: int64(len(first)) >= total}
			// Lookups asked while the probe ran count too; r.mu is not held here.
			r.mu.Lock()
			worth := !s.complete && r.worthListing(total)
			r.mu.Unlock()
			if worth {
				return r.list(ctx, s)
			}
			return s, nil
		}
	case !s.complete && r.worthListing(s.total):
		load = func() (*snapshot, error) { return r.list(ctx, s) }
	default:
		return nil
	}
	loading := make(chan struct{})
	r.loading = loading
	writes := r.writes
	r.mu.Unlock()
	s, err := load()
	r.c.log(ctx, "snapshot of addresses", map[string]any{"addresses": snapshotSize(s), "error": errString(err)})
	r.mu.Lock()
	r.loading = nil
	close(loading)
	if err != nil {
		r.noSnap = true
		return err
	}
	for id := range r.written {
		delete(s.byID, id)
	}
	s.taken, s.writes = r.c.clock.Now(), writes
	r.snap = s
	return nil
}

// worthListing reports whether listing every page of total addresses costs
// no more calls than the lookups seen so far (each would otherwise cost up to
// a call); r.mu is held.
func (r *addressReader) worthListing(total int64) bool {
	pages := (total + describePageSize - 1) / describePageSize
	return pages <= snapshotMaxPages && int64(r.reads) >= pages-1
}

// list reads the pages after the probe's.
func (r *addressReader) list(ctx context.Context, s *snapshot) (*snapshot, error) {
	all, err := r.c.addressesAfter(ctx, allAddresses, s.first, s.total)
	if err != nil {
		return nil, err
	}
	return &snapshot{byID: index(all), total: int64(len(all)), complete: true}, nil
}

func snapshotSize(s *snapshot) int {
	if s == nil {
		return 0
	}
	return len(s.byID)
}

func index(addresses []Address) map[string]Address {
	m := make(map[string]Address, len(addresses))
	for _, a := range addresses {
		m[a.ID] = a
	}
	return m
}

// freeAt is when, as seen at now, a call could start without waiting.
func freeAt(l *rate.Limiter, now time.Time) time.Time {
	missing := 1 - l.TokensAt(now)
	if missing <= 0 {
		return now
	}
	return now.Add(time.Duration(missing / float64(l.Limit()) * float64(time.Second)))
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
