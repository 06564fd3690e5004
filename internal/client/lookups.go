package client

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"
)

// lookupCache answers lookups of network interfaces or instances by id. What
// they are attached to and their states change rarely, and never through this
// provider, so an answer (found, or not found) is kept for the client's life
// (a Terraform command); other errors are not. Lookups of different ids that
// arrive within readWindow share calls of up to 100 ids. Where the kind can
// be listed (listPage), the first lookup asks instead for the region's first
// page, which says how many there are, and the other pages are listed as
// soon as the lookups seen reach their number, as the address reader does:
// Terraform reads -parallelism resources at once, so a plan of a thousand
// imports would otherwise make hundreds of calls. An id the listing lacks is
// asked for by id (it may have been created since).
type lookupCache[T any] struct {
	c *Client
	// action is the API action reads go through, for errors.
	action string
	// readMany reads up to maxIDsPerCall ids in one call; an id missing from
	// its answer does not exist.
	readMany func(ctx context.Context, ids []string) (map[string]*T, error)
	// notFound is the error of an id that does not exist.
	notFound func(id string) error
	// listPage, if set, reads the region's page at offset (100 to a page)
	// and how many there are in all.
	listPage func(ctx context.Context, offset int) (map[string]*T, int, error)

	mu       sync.Mutex
	entries  map[string]*cacheEntry[T]
	queued   []*cacheEntry[T]
	flushing bool

	// Owned by flush, which runs one at a time.
	asked   int
	listing *listing[T]
}

// listing is what a lookupCache has listed of the region.
type listing[T any] struct {
	found    map[string]*T
	total    int
	complete bool
	// abandoned: a page failed, or there are too many to list.
	abandoned bool
}

type cacheEntry[T any] struct {
	id string
	// askers are the contexts of those waiting while the entry is queued.
	askers []context.Context
	done   chan struct{}
	value  *T
	err    error
	// abandoned: the call ended because every asker stopped waiting; a
	// later asker asks again.
	abandoned bool
}

func newLookupCache[T any](c *Client, action string, readMany func(context.Context, []string) (map[string]*T, error),
	notFound func(string) error) *lookupCache[T] {
	return &lookupCache[T]{c: c, action: action, readMany: readMany, notFound: notFound, entries: map[string]*cacheEntry[T]{}}
}

// get answers one id.
func (l *lookupCache[T]) get(ctx context.Context, id string) (*T, error) {
	answers, err := l.getMany(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	return answers[id].value, answers[id].err
}

// getMany answers each id: its value, or its not-found error. Any other
// error is returned as such.
func (l *lookupCache[T]) getMany(ctx context.Context, ids []string) (map[string]*cacheEntry[T], error) {
	for {
		entries := l.enqueue(ctx, ids)
		out := map[string]*cacheEntry[T]{}
		retry := false
		for _, e := range entries {
			select {
			case <-e.done:
			case <-ctx.Done():
				return nil, ContextError(ctx, l.action, "reading "+e.id)
			}
			switch {
			case e.abandoned:
				retry = true
			case e.err != nil && !l.isNotFound(e.err):
				return nil, e.err
			}
			out[e.id] = e
		}
		if !retry {
			return out, nil
		}
	}
}

func (l *lookupCache[T]) isNotFound(err error) bool {
	return IsInterfaceNotFound(err) || IsInstanceNotFound(err)
}

// enqueue returns the entries of ids, queueing those not yet asked for.
func (l *lookupCache[T]) enqueue(ctx context.Context, ids []string) []*cacheEntry[T] {
	l.mu.Lock()
	defer l.mu.Unlock()
	var entries []*cacheEntry[T]
	for _, id := range ids {
		e, ok := l.entries[id]
		switch {
		case !ok:
			e = &cacheEntry[T]{id: id, done: make(chan struct{}), askers: []context.Context{ctx}}
			l.entries[id] = e
			l.queued = append(l.queued, e)
		case slices.Contains(l.queued, e):
			e.askers = append(e.askers, ctx)
		}
		if !slices.Contains(entries, e) {
			entries = append(entries, e)
		}
	}
	if len(l.queued) > 0 && !l.flushing {
		l.flushing = true
		go l.flush(l.c.clock.Now().Add(readWindow))
	}
	return entries
}

// flush sends what was queued until the gathering window ends at windowEnd.
func (l *lookupCache[T]) flush(windowEnd time.Time) {
	timer, stop := l.c.clock.TimerAt(windowEnd)
	<-timer
	stop()
	l.mu.Lock()
	queued := l.queued
	l.queued = nil
	l.mu.Unlock()
	l.asked += len(queued)
	if l.listPage != nil {
		queued = l.answerFromListing(queued)
	}
	for chunk := range slices.Chunk(queued, maxIDsPerCall) {
		l.read(chunk)
	}
	l.mu.Lock()
	l.flushing = false
	if len(l.queued) > 0 {
		l.flushing = true
		go l.flush(l.c.clock.Now().Add(readWindow))
	}
	l.mu.Unlock()
}

// answerFromListing lists what is worth listing, answers the entries the
// listing holds, and returns the others.
func (l *lookupCache[T]) answerFromListing(queued []*cacheEntry[T]) []*cacheEntry[T] {
	if l.listing == nil {
		l.listing = &listing[T]{found: map[string]*T{}}
		l.listPages(queued, 0, 1)
	}
	if s := l.listing; !s.complete && !s.abandoned {
		pagesLeft := (s.total+maxIDsPerCall-1)/maxIDsPerCall - 1
		switch {
		case pagesLeft > snapshotMaxPages:
			s.abandoned = true
		case l.asked >= pagesLeft:
			l.listPages(queued, 1, pagesLeft)
		}
	}
	if l.listing.abandoned {
		return queued
	}
	var rest []*cacheEntry[T]
	for _, e := range queued {
		if v, ok := l.listing.found[e.id]; ok {
			l.answer(e, v, nil, false)
		} else {
			rest = append(rest, e)
		}
	}
	return rest
}

// listPages reads n pages from page first into the listing, on behalf of the
// askers of queued.
func (l *lookupCache[T]) listPages(queued []*cacheEntry[T], first, n int) {
	ctx, cancel := callersContext(askersOf(queued), l.c.retry.readBudget)
	defer cancel()
	s := l.listing
	for page := first; page < first+n; page++ {
		found, total, err := l.listPage(ctx, page*maxIDsPerCall)
		if err != nil {
			s.abandoned = true
			return
		}
		maps.Copy(s.found, found)
		s.total = total
	}
	s.complete = first+n >= (s.total+maxIDsPerCall-1)/maxIDsPerCall
}

// read answers a chunk of entries with one call.
func (l *lookupCache[T]) read(chunk []*cacheEntry[T]) {
	askers := askersOf(chunk)
	ids := make([]string, 0, len(chunk))
	for _, e := range chunk {
		ids = append(ids, e.id)
	}
	ctx, cancel := callersContext(askers, l.c.retry.readBudget)
	defer cancel()
	found, err := l.readMany(ctx, ids)
	abandoned := err != nil && !slices.ContainsFunc(askers, func(a context.Context) bool { return a.Err() == nil })
	for _, e := range chunk {
		l.answer(e, found[e.id], err, abandoned)
	}
}

// answer gives e its answer: value, or err, or (neither) not found.
func (l *lookupCache[T]) answer(e *cacheEntry[T], value *T, err error, abandoned bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e.askers = nil
	switch {
	case err != nil:
		e.err, e.abandoned = err, abandoned
		delete(l.entries, e.id) // not an answer: the next asker asks again
	case value != nil:
		e.value = value
	default:
		e.err = l.notFound(e.id)
	}
	close(e.done)
}

// oneAtATime reads ids one call each: what a call refused for one of its ids
// falls back to.
func oneAtATime[T any](ctx context.Context, ids []string, read func(context.Context, []string) (map[string]*T, error)) (map[string]*T, error) {
	found := map[string]*T{}
	for _, id := range ids {
		one, err := read(ctx, []string{id})
		if err != nil {
			return nil, err
		}
		maps.Copy(found, one)
	}
	return found, nil
}

func askersOf[T any](entries []*cacheEntry[T]) []context.Context {
	var askers []context.Context
	for _, e := range entries {
		askers = append(askers, e.askers...)
	}
	return askers
}
