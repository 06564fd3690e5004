package provider

import (
	"context"
	"sync"
	"time"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
)

// run is what the provider knows across the resources of one plan or one
// apply. Terraform configures a provider for each of them (a plan and its
// apply are separate provider processes), so a run lives from one Configure
// to the next.
//
// Plans never wait on one another and know only what they see, whatever the
// order Terraform plans them in:
//   - every resource's plan records the binding it asks for; whichever of two
//     conflicting bindings is planned second sees the first (planBinding);
//   - destroys that reallocate a normal public IP take a number, so that the
//     ones past today's quota are refused (countReallocation).
//
// An apply runs destroys and creates of different resources in no set order
// (no edge of Terraform's graph joins them), so a create may come before the
// destroy that frees its EIP or its target. It then waits for this apply to
// unbind what holds it (awaitUnbind): until that unbind ends, or until
// nothing else is in progress for idleGrace, which means nothing else in this
// apply will free it (every other operation has finished, or is waiting
// too, holding Terraform's -parallelism slots). Deletes learn from the run
// what creates did first: a binding a create found in place and took over
// (create_before_destroy, a renamed resource) is not unbound from under it.
type run struct {
	clock client.Clock
	idle  time.Duration

	mu         sync.Mutex
	changed    chan struct{} // closed and replaced whenever the run changes
	busy       int           // operations in progress that are not waiting on the run
	lastChange time.Time
	// starts counts operations started and unbinds begun or ended: what may
	// free an EIP. idleAt is its value when the run was last found idle, so
	// that every waiter of that moment gives up, not one per idle period.
	starts   int
	idleAt   int
	wasIdle  bool
	applying bool // a create, update or delete has started

	planned      []plannedBinding
	reallocating map[string]int // by EIP id: the destroys of this plan that reallocate, numbered

	quotaOnce sync.Once
	quota     *client.Quota
	quotaErr  error

	unbinds map[string]*unbindRecord // by EIP id: unbinds of this apply
	claimed map[string]client.Target // by EIP id: where a create of this apply found the EIP it now holds
}

// idleGrace is how long nothing else must be in progress before a waiting
// create concludes that nothing in its apply will free what it needs.
// Terraform starts the next operation within milliseconds of a slot freeing.
const idleGrace = time.Second

func newRun(clock client.Clock) *run {
	return &run{
		clock:        clock,
		idle:         idleGrace,
		changed:      make(chan struct{}),
		lastChange:   clock.Now(),
		reallocating: map[string]int{},
		unbinds:      map[string]*unbindRecord{},
		claimed:      map[string]client.Target{},
	}
}

// notifyLocked wakes every waiter; r.mu is held.
func (r *run) notifyLocked() {
	close(r.changed)
	r.changed = make(chan struct{})
	r.lastChange = r.clock.Now()
}

// active records an operation in progress until the returned function is
// called.
func (r *run) active() func() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.busy++
	r.starts++
	r.notifyLocked()
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.busy--
		r.notifyLocked()
	}
}

// startApply records that a create, update or delete has started.
func (r *run) startApply() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.applying = true
}

// isApplying reports whether this run applies changes. Terraform plans each
// create and update again just before applying it: those plans do not check
// again what the plan checked and showed.
func (r *run) isApplying() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.applying
}

// plannedBinding is a binding a resource's plan asks for.
type plannedBinding struct {
	id    associationID
	sitAt client.Target // where it sits, when known
}

// planBinding records b and returns the bindings planned before it, which b
// is to be checked against: of two bindings, the one planned second checks.
func (r *run) planBinding(b plannedBinding) []plannedBinding {
	r.mu.Lock()
	defer r.mu.Unlock()
	earlier := r.planned
	r.planned = append(r.planned[:len(r.planned):len(r.planned)], b)
	return earlier
}

// countReallocation numbers the destroys of this plan that reallocate a
// normal public IP, in the order they are planned; the same EIP keeps its
// number.
func (r *run) countReallocation(eipID string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.reallocating[eipID]; !ok {
		r.reallocating[eipID] = len(r.reallocating) + 1
	}
	return r.reallocating[eipID]
}

// dailyQuota reads the account's DAILY_PUBLIC_IP_ASSIGN quota once per run.
func (r *run) dailyQuota(ctx context.Context, c *client.Client) (*client.Quota, error) {
	r.quotaOnce.Do(func() { r.quota, r.quotaErr = c.DailyReallocationQuota(ctx) })
	return r.quota, r.quotaErr
}

// unbindRecord is an unbind of this apply.
type unbindRecord struct {
	finished bool
}

// startUnbind records that a delete is unbinding the EIP, which sat at at,
// until the returned function is called. It returns nil, recording nothing,
// when a create of this apply has claimed the EIP there: the create now
// holds that binding, and the delete has nothing to unbind. Checking and
// recording at once, under the run's lock, is what keeps a create from
// taking over a binding that a delete is unbinding (claim).
func (r *run) startUnbind(eipID string, at client.Target) func() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if from, ok := r.claimed[eipID]; ok && (from == at || !known(at)) {
		return nil
	}
	u := &unbindRecord{}
	r.unbinds[eipID] = u
	r.starts++
	r.notifyLocked()
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		u.finished = true
		r.starts++
		r.notifyLocked()
	}
}

// unbindUnderWay reports whether a delete of this apply is unbinding the EIP.
func (r *run) unbindUnderWay(eipID string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	u, ok := r.unbinds[eipID]
	return ok && !u.finished
}

// claim records that a create of this apply holds the EIP it found at a
// location: a binding in place that it takes over (create_before_destroy, a
// renamed resource), or one it unbinds to bind the EIP itself
// (allow_reassociation). A delete of the binding at that location in this
// apply then has nothing to do (startUnbind). It refuses, returning false,
// while a delete of this apply is unbinding the EIP: the create must wait
// for that unbind (awaitUnbind) and bind again, or it would record a binding
// that the unbind then removes.
func (r *run) claim(eipID string, from client.Target) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if u, ok := r.unbinds[eipID]; ok && !u.finished {
		return false
	}
	r.claimed[eipID] = from
	r.notifyLocked()
	return true
}

// awaitUnbind waits for this apply to unbind the EIP: until an unbind of it
// has finished (true), or none is under way and nothing else has been in
// progress for r.idle (false), or ctx ends. The waiting operation does not
// count as in progress meanwhile.
func (r *run) awaitUnbind(ctx context.Context, eipID string) (bool, error) {
	r.mu.Lock()
	r.busy--
	r.notifyLocked()
	defer func() {
		r.busy++
		r.notifyLocked()
		r.mu.Unlock()
	}()
	for {
		u, ok := r.unbinds[eipID]
		switch {
		case ok && u.finished:
			return true, nil
		case ok:
			// Under way: its delete is in progress, so the run is not idle.
		case r.wasIdle && r.idleAt == r.starts:
			return false, nil // found idle meanwhile, and nothing started since
		case r.busy <= 0 && r.clock.Now().Sub(r.lastChange) >= r.idle:
			r.wasIdle, r.idleAt = true, r.starts
			return false, nil
		}
		changed := r.changed
		var timer <-chan time.Time
		stop := func() {}
		if r.busy <= 0 {
			timer, stop = r.clock.TimerAt(r.lastChange.Add(r.idle))
		}
		r.mu.Unlock()
		var err error
		select {
		case <-changed:
		case <-timer:
		case <-ctx.Done():
			err = ctx.Err()
		}
		stop()
		r.mu.Lock()
		if err != nil {
			return false, err
		}
	}
}
