package provider

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
)

// How qcloud_eip_association binds (Create) and unbinds (Delete): the
// requests, what is done about each answer, and the waits.

// bindOp is one create's bind.
type bindOp struct {
	r  *EIPAssociationResource
	id associationID
	// reassociate: allow_reassociation.
	reassociate bool
	// timeout names the create's timeout, for messages.
	timeout string
	diags   *diag.Diagnostics
}

// bindOutcome is how a bind ended.
type bindOutcome int

const (
	bindRefused  bindOutcome = iota // nothing bound; the reason is in the diagnostics
	bindAccepted                    // the API accepted a bind (taskID, when its reply came)
	bindFound                       // the binding was in place and is taken over (found)
)

type bindResult struct {
	outcome bindOutcome
	taskID  string
	found   *client.Address
}

// maxBindAttempts bounds the binds asked for while what held the EIP or its
// target goes away.
const maxBindAttempts = 5

// bind asks for the binding. When the EIP or the target is held, by an
// operation in flight or by a binding this apply unbinds, it waits for it to
// go and asks again; with reassociate, it unbinds that binding itself. When
// the answer leaves it open whether the EIP is bound here already (a reply
// lost, or a refusal because it is bound), it looks: a binding to this very
// place, left by an earlier run killed before it could record it or found by
// create_before_destroy, is taken over.
func (o bindOp) bind(ctx context.Context) bindResult {
	tflog.Info(ctx, "binding EIP", map[string]any{"allow_reassociation": o.reassociate})
	var err error
	for range maxBindAttempts {
		// A delete of this apply unbinding the EIP (a renamed resource) must
		// see its unbind through before the EIP is bound again.
		if o.r.run.unbindUnderWay(o.id.EIPID) && o.afterUnbind(ctx, o.id.EIPID) == freeFailed {
			return bindResult{}
		}
		var taskID string
		if taskID, err = o.r.client.Associate(ctx, o.id.EIPID, o.id.Target); err == nil {
			return bindResult{outcome: bindAccepted, taskID: taskID}
		}
		var freed freeOutcome
		switch {
		case client.MaybeApplied(err):
			held := false
			addr, _ := o.r.lookAfterWrite(ctx, o.id.EIPID, func(lookCtx context.Context, addr *client.Address) {
				held = o.r.heldAtTarget(lookCtx, o.id, addr)
			})
			if held {
				tflog.Info(ctx, "a bind whose reply was lost went through; seeing it through", map[string]any{"status": addr.Status})
				return bindResult{outcome: bindAccepted}
			}
			o.fail(err, addr, true)
			return bindResult{}
		case client.IsStatusNotPermit(err):
			var addr *client.Address
			if freed, addr = o.freeEIP(ctx, err); freed == freeInPlace {
				return bindResult{outcome: bindFound, found: addr}
			}
		case client.IsTargetTaken(err):
			freed = o.freeTarget(ctx, err)
		default:
			o.fail(err, nil, false)
			return bindResult{}
		}
		if freed == freeFailed {
			return bindResult{}
		}
		tflog.Info(ctx, "what held the EIP or its target is gone; binding again")
	}
	o.fail(err, nil, false)
	return bindResult{}
}

// fail reports an error met binding.
func (o bindOp) fail(err error, addr *client.Address, accepted bool) {
	o.diags.Append(diagnose(binding, doingBind(o.id), err, o.r.facts(o.id, addr, accepted, o.timeout), subjectOf(o.id.Target)))
}

// freeOutcome is what came of getting what held a bind out of the way.
type freeOutcome int

const (
	freeFailed  freeOutcome = iota // it is still there; the reason is in the diagnostics
	freeRetry                      // it has gone: bind again
	freeInPlace                    // the EIP is already where it goes: take it over
)

// freeEIP deals with a bind refused because the EIP is not unbound. An EIP
// already where it goes is taken over; one in flight is waited for; one bound
// elsewhere waits for this apply to unbind it, or is unbound here with
// reassociate.
func (o bindOp) freeEIP(ctx context.Context, refusal error) (freeOutcome, *client.Address) {
	addr, err := o.r.client.LookupAddress(ctx, o.id.EIPID)
	switch {
	case err != nil:
		o.fail(refusal, nil, false)
		return freeFailed, nil
	case o.r.heldAtTarget(ctx, o.id, addr):
		// Taking the binding over is what lets an apply killed mid-way be
		// run again, and create_before_destroy replace a binding by itself;
		// but not while a destroy of this apply unbinds it (a renamed
		// resource): then bind again once it has.
		if !o.r.run.claim(o.id.EIPID, addr.Location()) {
			tflog.Info(ctx, "the EIP is bound where it goes, by a binding this apply is unbinding; waiting for that unbind")
			return o.afterUnbind(ctx, o.id.EIPID), nil
		}
		tflog.Info(ctx, "the EIP is already bound where it goes; taking that binding over", map[string]any{"bound_to": addr.Describe()})
		return freeInPlace, addr
	case !addr.IsSettled():
		_, err = o.r.settle(ctx, o.id.EIPID)
		return o.waited(err), nil
	case !addr.IsBound():
		return freeRetry, nil
	}
	return o.freeHolder(ctx, addr, refusal, "EIP is bound elsewhere", path.Root("eip_id"),
		fmt.Sprintf("The EIP %s is bound to %s", o.id.EIPID, addr.Describe())), nil
}

// freeTarget deals with a bind refused because the target holds another EIP.
func (o bindOp) freeTarget(ctx context.Context, refusal error) freeOutcome {
	holders, err := o.r.client.AddressesOn(ctx, o.id.Target)
	var holder *client.Address
	if err == nil {
		holder = o.r.holderWhereBound(ctx, o.id, holders)
	}
	switch {
	case err == nil && !slices.ContainsFunc(holders, func(h client.Address) bool { return h.ID != o.id.EIPID }):
		return freeRetry // its unbind ended between the refusal and this look
	case err != nil || holder == nil:
		o.fail(refusal, nil, false)
		return freeFailed
	case !holder.IsSettled():
		_, err = o.r.settle(ctx, holder.ID)
		return o.waited(err)
	}
	return o.freeHolder(ctx, holder, refusal, "Target already holds an EIP", targetPath(o.id.Target),
		fmt.Sprintf("The EIP %s (%s) sits on %s, where %s goes", holder.ID, holder.PublicIP, primaryIPOf(o.id.Target), o.id.EIPID))
}

// freeHolder gets the binding holder shows out of the way: with reassociate
// it unbinds it (with no normal public IP in its place); otherwise it waits
// for this apply to unbind it, and fails, changing nothing, when nothing in
// the apply does.
func (o bindOp) freeHolder(ctx context.Context, holder *client.Address, refusal error, summary string, attribute path.Path, held string) freeOutcome {
	if o.reassociate && o.r.run.claim(holder.ID, holder.Location()) {
		tflog.Info(ctx, "allow_reassociation: unbinding what holds the EIP or its target", map[string]any{"holder": holder.ID, "bound_to": holder.Describe()})
		taskID, err := o.r.client.Disassociate(ctx, holder.ID, client.UnbindOptions{})
		if err == nil {
			waitCtx, stop := afterAccepted(ctx, o.r.run.clock)
			_, err = o.r.client.WaitAddress(waitCtx, client.Task{Action: "DisassociateAddress", AddressID: holder.ID, ID: taskID},
				func(a *client.Address) bool { return a.IsSettled() && !a.IsBound() })
			stop()
		}
		if err != nil && !client.IsNotFound(err) {
			o.diags.Append(diagnose(unbinding, fmt.Sprintf("unbinding EIP %s from %s to bind %s (allow_reassociation)",
				holder.ID, holder.Describe(), o.id.EIPID), err, o.r.facts(associationID{EIPID: holder.ID}, holder, false, o.timeout), subject{}))
			return freeFailed
		}
		return freeRetry
	}
	tflog.Info(ctx, "waiting for this apply to unbind what holds the EIP or its target", map[string]any{"holder": holder.ID})
	freed, err := o.r.run.awaitUnbind(ctx, holder.ID)
	switch {
	case err != nil:
		o.fail(client.ContextError(ctx, "AssociateAddress", "waiting for "+holder.ID+" to be unbound"), nil, false)
		return freeFailed
	case !freed:
		o.diags.AddAttributeError(attribute, summary,
			fmt.Sprintf("%s. This bind waited for a destroy of the same apply to unbind it (as when the configuration moves "+
				"an EIP between resources or changes a for_each key) until nothing else in the apply was in progress: "+
				"Terraform may run creates before the destroys that free what they need, and creates waiting like this one "+
				"can fill every -parallelism slot. Nothing was changed for this resource. If this apply also destroyed what "+
				"held it, run terraform apply again: it binds the EIP. "+
				"Otherwise unbind %s first (or remove the configuration that binds it), or bind %s elsewhere; to let the "+
				"apply take it from where it is bound, set allow_reassociation = true. With create_before_destroy, the "+
				"binding being replaced goes only after its replacement is made: a new EIP for the same target needs "+
				"allow_reassociation, or no create_before_destroy.\n\n%s", held, holder.ID, o.id.EIPID, supportFacts(asAPIError(refusal))))
		return freeFailed
	}
	return freeRetry
}

// afterUnbind waits for the unbind of the EIP that a delete of this apply
// has under way, then binds again.
func (o bindOp) afterUnbind(ctx context.Context, eipID string) freeOutcome {
	if _, err := o.r.run.awaitUnbind(ctx, eipID); err != nil {
		o.fail(client.ContextError(ctx, "AssociateAddress", "waiting for "+eipID+" to be unbound"), nil, false)
		return freeFailed
	}
	return freeRetry
}

// waited turns the end of a wait for an operation in flight into whether to
// bind again.
func (o bindOp) waited(err error) freeOutcome {
	if err != nil && !client.IsNotFound(err) {
		o.fail(err, nil, false)
		return freeFailed
	}
	return freeRetry
}

// holderWhereBound picks, of the addresses on the target, the one sitting
// where the EIP goes: for an instance, on its primary IP.
func (r *EIPAssociationResource) holderWhereBound(ctx context.Context, id associationID, holders []client.Address) *client.Address {
	var candidates []client.Address
	for _, h := range holders {
		if h.ID != id.EIPID {
			candidates = append(candidates, h)
		}
	}
	switch {
	case len(candidates) == 0:
		return nil
	case id.Target.InstanceID == "" || len(candidates) == 1:
		return &candidates[0]
	}
	primary, ok := r.primaryLocation(ctx, id.Target.InstanceID, candidates)
	for _, h := range candidates {
		if ok && h.Location() == primary {
			return &h
		}
	}
	return nil
}

// waitUntilBound waits for the accepted bind to settle on the target; the
// wait outlives an interruption (afterAccepted).
func (o bindOp) waitUntilBound(ctx context.Context, taskID string) (*client.Address, error) {
	waitCtx, stop := afterAccepted(ctx, o.r.run.clock)
	defer stop()
	return o.r.client.WaitAddress(waitCtx, client.Task{Action: "AssociateAddress", AddressID: o.id.EIPID, ID: taskID},
		func(a *client.Address) bool { return a.IsSettled() && a.BoundTo(o.id.Target) })
}

// mayHoldBinding reports whether, after a bind the API accepted, the EIP may
// be bound to target. Such an association is recorded even when the wait
// failed (Terraform then taints it and can undo it), so that nothing is
// orphaned; one seen settled elsewhere is not.
func mayHoldBinding(addr *client.Address, waitErr error, target client.Target) bool {
	switch {
	case client.IsNotFound(waitErr):
		return false
	case addr == nil:
		return true // never observed: the bind may have landed
	case addr.BoundTo(target):
		return true
	case addr.IsBound():
		return false // bound to something else: not this association
	case client.HasCode(waitErr, client.CodeTaskFailed):
		return false // unbound, and the task says the bind failed
	default:
		return true // unbound, with no verdict yet: it may still land
	}
}

// unbindOp is one delete's unbind.
type unbindOp struct {
	r       *EIPAssociationResource
	a       association
	timeout string // names the delete's timeout, for messages
	diags   *diag.Diagnostics
}

// unbindOutcome is how an unbind request ended.
type unbindOutcome int

const (
	unbindDone     unbindOutcome = iota // nothing left to unbind (gone, or unbound meanwhile)
	unbindFailed                        // refused; the reason is in the diagnostics
	unbindAccepted                      // the API accepted it (taskID, when its reply came)
)

type unbindResult struct {
	outcome unbindOutcome
	taskID  string
}

// unbind asks for the unbinding. When the answer leaves it open whether an
// earlier try went through (a reply lost, or a refusal because the EIP is not
// bound), it looks.
func (o unbindOp) unbind(ctx context.Context, addr *client.Address, opts client.UnbindOptions) unbindResult {
	tflog.Info(ctx, "unbinding EIP", map[string]any{"reallocate_normal_public_ip": opts.ReallocateNormalPublicIP})
	taskID, err := o.r.client.Disassociate(ctx, o.a.id.EIPID, opts)
	switch {
	case err == nil:
		return unbindResult{outcome: unbindAccepted, taskID: taskID}
	case client.IsNotFound(err):
		return unbindResult{outcome: unbindDone}
	case !client.MaybeApplied(err) && !client.IsStatusNotPermit(err):
		o.fail(ctx, addr, err)
		return unbindResult{outcome: unbindFailed}
	}
	again, readErr := o.r.lookAfterWrite(ctx, o.a.id.EIPID, nil)
	switch {
	case client.IsNotFound(readErr):
		return unbindResult{outcome: unbindDone}
	case readErr != nil:
		o.fail(ctx, addr, err)
		return unbindResult{outcome: unbindFailed}
	case !again.IsBound():
		return unbindResult{outcome: unbindDone} // unbound by a try whose reply was lost
	case client.MaybeApplied(err) && again.Status == client.StatusUnbinding && o.a.heldBy(again):
		tflog.Info(ctx, "an unbind whose reply was lost is under way; seeing it through")
		return unbindResult{outcome: unbindAccepted}
	default:
		o.fail(ctx, again, err)
		return unbindResult{outcome: unbindFailed}
	}
}

// fail reports an error met unbinding.
func (o unbindOp) fail(ctx context.Context, addr *client.Address, err error) {
	f := o.r.facts(o.a.id, addr, client.MaybeApplied(err), o.timeout)
	if client.HasCode(err, "AddressQuotaLimitExceeded.DailyAllocate") {
		// Read afresh (not the plan's reading): the count is for the message only.
		quota, quotaErr := o.r.client.DailyReallocationQuota(ctx)
		if quotaErr != nil {
			tflog.Warn(ctx, "could not read the address quota", map[string]any{"error": quotaErr.Error()})
		}
		f.Quota = quota
	}
	o.diags.Append(diagnose(unbinding, doingUnbind(o.a), err, f, subjectOf(o.a.id.Target)))
}

// waitUntilUnbound waits for the accepted unbind to take the EIP off this
// association's target; like a bind's, the wait outlives an interruption.
func (o unbindOp) waitUntilUnbound(ctx context.Context, taskID string) {
	waitCtx, stop := afterAccepted(ctx, o.r.run.clock)
	defer stop()
	addr, err := o.r.client.WaitAddress(waitCtx, client.Task{Action: "DisassociateAddress", AddressID: o.a.id.EIPID, ID: taskID},
		func(addr *client.Address) bool { return addr.IsSettled() && !o.a.heldBy(addr) })
	switch {
	case client.IsNotFound(err):
	case err != nil:
		f := o.r.facts(o.a.id, addr, true, o.timeout)
		o.diags.Append(diagnose(unbinding, doingUnbind(o.a), err, f, subjectOf(o.a.id.Target)))
	case o.a.heldBy(addr):
		o.diags.AddAttributeError(path.Root("eip_id"), "EIP is still bound",
			fmt.Sprintf("While %s: the task succeeded, but the EIP is still bound to %s (status %s). Run terraform "+
				"destroy again.", doingUnbind(o.a), addr.Describe(), addr.Status))
	default:
		nothingToUnbind(ctx, o.a, addr, o.diags) // warns if it was bound elsewhere meanwhile
		tflog.Info(ctx, "unbound EIP", map[string]any{"status": addr.Status})
	}
}

// lookBeforeUnbinding reads the EIP, letting an operation in flight (an
// interrupted apply, say) land first.
func (r *EIPAssociationResource) lookBeforeUnbinding(ctx context.Context, a association) (*client.Address, error) {
	addr, err := r.client.LookupAddress(ctx, a.id.EIPID)
	if err == nil && !addr.IsSettled() {
		return r.settle(ctx, a.id.EIPID)
	}
	return addr, err
}

// settle waits for the operation in flight on the address to finish.
func (r *EIPAssociationResource) settle(ctx context.Context, eipID string) (*client.Address, error) {
	return r.client.WaitAddress(ctx, client.Task{Action: "DescribeAddresses", AddressID: eipID},
		func(a *client.Address) bool { return a.IsSettled() })
}

// lookAfterWrite reads the EIP after a write whose outcome is unknown, and,
// when it was read and see is not nil, hands it to see for the reads that
// judge it (the interface that tells an instance binding). The write may have
// been accepted, so the look is work done for it (afterAccepted): a binding
// the API made must not go unrecorded because the operation's time has just
// run out.
func (r *EIPAssociationResource) lookAfterWrite(ctx context.Context, eipID string,
	see func(lookCtx context.Context, addr *client.Address)) (*client.Address, error) {
	lookCtx, stop := afterAccepted(ctx, r.run.clock)
	defer stop()
	addr, err := r.client.LookupAddress(lookCtx, eipID)
	if err == nil && see != nil {
		see(lookCtx, addr)
	}
	return addr, err
}

// heldAtTarget reports whether the address is bound where id's EIP goes: to
// the interface and private IP, or to the instance's primary private IP.
func (r *EIPAssociationResource) heldAtTarget(ctx context.Context, id associationID, addr *client.Address) bool {
	if addr == nil || !addr.BoundTo(id.Target) {
		return false
	}
	if id.Target.InstanceID == "" || !known(addr.Location()) {
		return true
	}
	primary, err := r.onPrimaryIP(ctx, addr)
	return err == nil && primary
}

// timeoutName names an operation's timeout and its value, for messages.
func timeoutName(op string, d time.Duration) string {
	return fmt.Sprintf("timeouts.%s (%s)", op, d)
}
