package provider

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
)

// quietPeriod is how long nothing else must have happened before a resource
// waiting on another one of this run concludes that the other is not coming.
const quietPeriod = time.Second

// runLedger is what this provider process knows of the Terraform command it
// serves (Terraform starts provider processes afresh for each command): which
// bindings its resources are making or unmaking, and whether any of its
// resource operations is still going on. It lets one resource take into
// account what another does in the same run: a create that waits for the
// destroy freeing its target (a for_each key changed from one EIP to
// another), or two resources that bind the same EIP.
//
// Terraform runs independent resources concurrently and in no set order, so
// a resource waiting for another cannot know that the other will come; it
// waits until it does, or until the run has been quiet (nothing else in
// progress) for quietPeriod.
type runLedger struct {
	mu        sync.Mutex
	changed   chan struct{} // closed and replaced whenever the ledger changes
	busy      int           // resource operations in progress that are not waiting on the ledger
	lastStart time.Time
	applied   bool // a create, update or delete has started: this is an apply

	unbinds map[string]*unbindEntry    // by EIP id: unbinds planned or under way in this run
	binds   map[string][]*bindingClaim // by EIP id: binds this run makes
	read    map[string]bool            // by EIP id: associations this run refreshed

	reallocating map[string]int // by EIP id: destroys this plan makes with reallocation, numbered
	quotaOnce    sync.Once
	quota        *client.Quota
	quotaErr     error
}

func newRunLedger() *runLedger {
	return &runLedger{
		changed:      make(chan struct{}),
		unbinds:      map[string]*unbindEntry{},
		binds:        map[string][]*bindingClaim{},
		read:         map[string]bool{},
		reallocating: map[string]int{},
	}
}

// notifyLocked wakes every waiter; l.mu is held.
func (l *runLedger) notifyLocked() {
	close(l.changed)
	l.changed = make(chan struct{})
}

// active records a resource operation in progress until the returned
// function is called.
func (l *runLedger) active() func() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.busy++
	l.lastStart = time.Now()
	l.notifyLocked()
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.busy--
		l.notifyLocked()
	}
}

// startApply records that a create, update or delete has started.
func (l *runLedger) startApply() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.applied = true
}

// applying reports whether this run applies changes: Terraform plans each
// create again just before applying it, and those plans need no checks of
// their own (the apply meets the API's answer at once).
func (l *runLedger) applying() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.applied
}

// waitUntil waits until ready (called with l.mu held) reports true, or until
// the run has been quiet for quietPeriod (it then returns false), or ctx
// ends. The waiting operation does not count as busy meanwhile.
func (l *runLedger) waitUntil(ctx context.Context, ready func() bool) (bool, error) {
	l.mu.Lock()
	l.busy--
	defer func() {
		l.busy++
		l.mu.Unlock()
	}()
	for {
		if ready() {
			return true, nil
		}
		quietFor := time.Duration(0)
		if l.busy <= 0 {
			quietFor = time.Since(l.lastStart)
			if quietFor >= quietPeriod {
				return false, nil
			}
		}
		changed := l.changed
		l.mu.Unlock()
		timer := time.NewTimer(quietPeriod - quietFor)
		var err error
		select {
		case <-changed:
		case <-timer.C:
		case <-ctx.Done():
			err = ctx.Err()
		}
		timer.Stop()
		l.mu.Lock()
		if err != nil {
			return false, err
		}
	}
}

// unbindEntry is an unbind this run plans or carries out.
type unbindEntry struct {
	l        *runLedger
	a        association
	onto     string    // the instance the EIP is bound to, if any
	planned  bool      // planned only (seen in a plan), not under way
	finished time.Time // when it ended; zero while under way
}

// done records that the unbind has ended, whatever its outcome.
func (u *unbindEntry) done() {
	u.l.mu.Lock()
	defer u.l.mu.Unlock()
	u.finished = time.Now()
	u.l.notifyLocked()
}

// affects reports whether the unbind frees target.
func (u *unbindEntry) affects(target client.Target) bool {
	if target.InstanceID != "" {
		return u.onto == target.InstanceID || u.a.id.Target.InstanceID == target.InstanceID
	}
	return u.a.sitAt == location{NetworkInterfaceID: target.NetworkInterfaceID, PrivateIP: target.PrivateIP} ||
		u.a.id.Target == target
}

// startUnbind records that a destroy of a is under way, until done.
func (l *runLedger) startUnbind(a association, instanceID string) *unbindEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	u := &unbindEntry{l: l, a: a, onto: instanceID}
	l.unbinds[a.id.EIPID] = u
	l.notifyLocked()
	return u
}

// planUnbind records that this run's plan destroys a.
func (l *runLedger) planUnbind(a association, instanceID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.unbinds[a.id.EIPID]; !ok {
		l.unbinds[a.id.EIPID] = &unbindEntry{l: l, a: a, onto: instanceID, planned: true}
	}
	l.notifyLocked()
}

// unbindUnderWayOn reports whether this run is unbinding an EIP from
// target; l.mu is held.
func (l *runLedger) unbindUnderWayOnLocked(target client.Target) bool {
	for _, u := range l.unbinds {
		if !u.planned && u.finished.IsZero() && u.affects(target) {
			return true
		}
	}
	return false
}

// unbindEndedOnLocked reports whether an unbind of this run on target ended
// after since; l.mu is held.
func (l *runLedger) unbindEndedOnLocked(target client.Target, since time.Time) bool {
	for _, u := range l.unbinds {
		if u.finished.After(since) && u.affects(target) {
			return true
		}
	}
	return false
}

// waitForUnbindsOn waits until no unbind of this run is under way on target.
func (l *runLedger) waitForUnbindsOn(ctx context.Context, target client.Target) error {
	l.mu.Lock()
	underWay := l.unbindUnderWayOnLocked(target)
	l.mu.Unlock()
	if !underWay {
		return nil
	}
	_, err := l.waitUntil(ctx, func() bool { return !l.unbindUnderWayOnLocked(target) })
	return err
}

// awaitUnbindOn waits for this run to unbind an EIP from target: until an
// unbind on it has ended after since, with none under way (true), or the run
// is quiet with none (false).
func (l *runLedger) awaitUnbindOn(ctx context.Context, target client.Target, since time.Time) (bool, error) {
	return l.waitUntil(ctx, func() bool {
		return !l.unbindUnderWayOnLocked(target) && l.unbindEndedOnLocked(target, since)
	})
}

// awaitPlannedUnbind waits until this run plans (or carries out) an unbind of
// the EIP from the binding the address shows, or the run is quiet.
func (l *runLedger) awaitPlannedUnbind(ctx context.Context, addr *client.Address) (bool, error) {
	return l.waitUntil(ctx, func() bool {
		u, ok := l.unbinds[addr.ID]
		return ok && u.a.heldBy(addr)
	})
}

// bindingClaim is a create's claim on an EIP: two resources of one run that
// bind the same EIP to the same target would both believe they manage it.
type bindingClaim struct {
	l       *runLedger
	id      associationID
	pending bool // its bind has not been answered yet
	ok      bool // the API accepted its bind (or it carried on one)
}

// claimBinding records that a create is about to bind id's EIP.
func (l *runLedger) claimBinding(id associationID) *bindingClaim {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := &bindingClaim{l: l, id: id, pending: true}
	l.binds[id.EIPID] = append(l.binds[id.EIPID], c)
	return c
}

// made records that the API accepted the claimed bind: the claim then lasts
// for the rest of the run.
func (c *bindingClaim) made() {
	c.l.mu.Lock()
	defer c.l.mu.Unlock()
	c.ok, c.pending = true, false
	c.l.notifyLocked()
}

// release ends the claim's part in the run: a claim whose bind was not made
// is forgotten.
func (c *bindingClaim) release() {
	c.l.mu.Lock()
	defer c.l.mu.Unlock()
	c.pending = false
	if !c.ok {
		c.l.binds[c.id.EIPID] = slices.DeleteFunc(c.l.binds[c.id.EIPID], func(o *bindingClaim) bool { return o == c })
	}
	c.l.notifyLocked()
}

// otherOwner names another create of this run whose bind of the same EIP the
// API accepted, waiting for any still unanswered; "" when there is none.
func (c *bindingClaim) otherOwner(ctx context.Context) string {
	var owner string
	_, _ = c.l.waitUntil(ctx, func() bool {
		owner = ""
		for _, o := range c.l.binds[c.id.EIPID] {
			switch {
			case o == c:
			case o.pending:
				return false
			case o.ok:
				owner = o.id.String()
			}
		}
		return true
	})
	return owner
}

// noteRead records that this run refreshed a.
func (l *runLedger) noteRead(a association) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.read[a.id.EIPID] = true
}

// wasRead reports whether this run refreshed a. Terraform refreshes an
// object just before planning it, unless the plan has -refresh=false.
func (l *runLedger) wasRead(a association) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.read[a.id.EIPID]
}

// reallocations counts the destroys of this plan that reallocate a normal
// public IP.
type reallocations struct {
	l       *runLedger
	ordinal int // this one's place among them
}

// planReallocation records that the plan destroys a with
// reallocate_normal_public_ip = true.
func (l *runLedger) planReallocation(a association) reallocations {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.reallocating[a.id.EIPID]; !ok {
		l.reallocating[a.id.EIPID] = len(l.reallocating) + 1
	}
	l.notifyLocked()
	return reallocations{l: l, ordinal: l.reallocating[a.id.EIPID]}
}

// total is the number of reallocations the plan spends: those recorded once
// the run is quiet. Terraform plans resources concurrently and holds at most
// -parallelism of them at once, so a plan of more than that many counts only
// those planned so far: the later ones see the larger count.
func (s reallocations) total(ctx context.Context) int {
	_, _ = s.l.waitUntil(ctx, func() bool { return false })
	s.l.mu.Lock()
	defer s.l.mu.Unlock()
	return len(s.l.reallocating)
}

// dailyQuota reads the account's DAILY_PUBLIC_IP_ASSIGN quota once per run.
func (l *runLedger) dailyQuota(ctx context.Context, c *client.Client) (*client.Quota, error) {
	l.quotaOnce.Do(func() { l.quota, l.quotaErr = c.DailyReallocationQuota(ctx) })
	return l.quota, l.quotaErr
}
