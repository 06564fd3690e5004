package provider

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
)

// Plan-time checks: what a reviewer of a plan must know before it is applied.
//
// What the world makes of a binding the plan creates is a warning, never an
// error: Terraform's pre-destroy refresh plans every configured resource in
// normal mode, and an error there would block a terraform destroy because of
// a resource it will not create. The apply then refuses, before any write of
// that resource, in the same words. What a plan cannot know for certain (that
// another resource of the same plan unbinds an EIP: Terraform plans them one
// at a time, in no set order) never fails it. Errors are for what certainly
// fails: a binding that conflicts with another resource of the configuration,
// and a destroy that reallocates a normal public IP where the API refuses it.
//
// The checks read through the same batched reader as refresh (no call per
// resource once a snapshot is taken), ask DescribeAddressQuota at most once
// per plan and only when a reallocation is planned, and
// DescribeNetworkInterfaces or CVM DescribeInstances only where what they
// say is needed. Plans of an apply (Terraform plans each create and update
// again just before applying it) check nothing again.

// checkCreate checks a create.
func (r *EIPAssociationResource) checkCreate(ctx context.Context, plan EIPAssociationResourceModel, diags *diag.Diagnostics) {
	if r.client == nil || r.run.isApplying() || !knownString(plan.ID) {
		return // a provider configured only at apply, an apply under way, or values not known yet
	}
	id := associationID{EIPID: plan.EIPID.ValueString(), Target: plan.target()}
	r.checkConflicts(ctx, plannedBinding{id: id}, diags)
	r.checkNewBinding(ctx, id, association{}, plan, diags)
}

// checkUpdate checks an in-place update (or no change at all).
func (r *EIPAssociationResource) checkUpdate(ctx context.Context, plan EIPAssociationResourceModel, a association,
	state EIPAssociationResourceModel, diags *diag.Diagnostics) {
	if r.client == nil || r.run.isApplying() || !knownString(plan.ID) {
		return
	}
	id := associationID{EIPID: a.id.EIPID, Target: plan.target()}
	r.checkConflicts(ctx, plannedBinding{id: id, sitAt: a.location()}, diags)
	flagTurnedOn := !state.ReallocateNormalPublicIP.ValueBool()
	if plan.ReallocateNormalPublicIP.ValueBool() && (flagTurnedOn || id != a.id) {
		r.checkReallocationPossible(ctx, associationID{EIPID: id.EIPID, Target: a.location()}, diags)
	}
}

// checkReplacement checks a replacement, in the first of its two plans (what
// Terraform shows of the second is its errors only): the destroy half, which
// runs on the state's flag, and the create half.
func (r *EIPAssociationResource) checkReplacement(ctx context.Context, a association, state, plan EIPAssociationResourceModel, diags *diag.Diagnostics) {
	if r.client == nil || r.run.isApplying() {
		return
	}
	next := associationID{EIPID: plan.EIPID.ValueString(), Target: plan.target()}
	nextKnown := knownString(plan.EIPID) && (knownString(plan.InstanceID) || (knownString(plan.NetworkInterfaceID) && !plan.PrivateIP.IsUnknown()))
	if state.ReallocateNormalPublicIP.ValueBool() && (!nextKnown || !r.sameIP(ctx, a, next.Target)) {
		r.checkReallocatingDestroy(ctx, a, diags)
	}
	if !nextKnown {
		return
	}
	r.checkConflicts(ctx, plannedBinding{id: next}, diags)
	r.checkNewBinding(ctx, next, a, plan, diags)
	if d := r.replacementProblem(ctx, a, next); d != nil {
		diags.AddAttributeWarning(attributeOf(d), d.Summary(), d.Detail())
	}
}

// planDestroy checks a destroy.
func (r *EIPAssociationResource) planDestroy(ctx context.Context, state EIPAssociationResourceModel, private privateState, diags *diag.Diagnostics) {
	if r.client == nil {
		return
	}
	var local diag.Diagnostics
	a, ok := stateAssociation(ctx, state, private, &local)
	if !ok {
		return
	}
	if state.ReallocateNormalPublicIP.ValueBool() {
		r.checkReallocatingDestroy(ctx, a, diags)
	}
	// A refresh before the plan has usually read the EIP: the look is then
	// answered without a call.
	if addr, err := r.client.LookupAddress(ctx, a.id.EIPID); err == nil && a.heldBy(addr) && addr.Blocked {
		diags.AddAttributeWarning(path.Root("eip_id"), "EIP is blocked",
			fmt.Sprintf("The EIP %s (%s) is blocked, and the API refuses to unbind a blocked EIP: this destroy is likely "+
				"to fail. %s. %s", a.id.EIPID, addr.PublicIP, unblockFirst, stopManaging))
	}
}

// checkConflicts records the binding the plan asks for and refuses it when a
// binding planned before it, by another resource of the configuration, takes
// the same EIP or the same private IP.
func (r *EIPAssociationResource) checkConflicts(ctx context.Context, b plannedBinding, diags *diag.Diagnostics) {
	for _, other := range r.run.planBinding(b) {
		switch {
		case other.id.EIPID == b.id.EIPID:
			diags.AddAttributeError(path.Root("eip_id"), "EIP bound by two resources",
				fmt.Sprintf("Another qcloud_eip_association of this configuration binds %s too (id %s). An EIP has one "+
					"binding, and two resources managing it would unbind it from under each other: remove one of them.",
					b.id.EIPID, other.id))
		case r.samePrivateIP(ctx, other, b):
			diags.AddAttributeError(targetPath(b.id.Target), "Target bound by two resources",
				fmt.Sprintf("Another qcloud_eip_association of this configuration binds %s to %s (id %s), where %s would "+
					"go: a private IP holds one EIP. Bind %s elsewhere (a secondary private IP, by network_interface_id "+
					"and private_ip), or remove one of them.", other.id.EIPID, primaryIPOf(other.id.Target), other.id,
					b.id.EIPID, b.id.EIPID))
		}
	}
}

// samePrivateIP reports whether two bindings go to the same private IP, in
// either form: an instance's is the primary IP of its primary interface.
func (r *EIPAssociationResource) samePrivateIP(ctx context.Context, x, y plannedBinding) bool {
	if (x.id.Target.InstanceID == "") == (y.id.Target.InstanceID == "") {
		return x.id.Target == y.id.Target
	}
	if x.id.Target.InstanceID == "" {
		x, y = y, x // x by instance, y by interface
	}
	if known(x.sitAt) {
		return x.sitAt == y.id.Target
	}
	eni, err := r.client.LookupNetworkInterface(ctx, y.id.Target.NetworkInterfaceID)
	return err == nil && eni.IsInstancePrimaryIP(x.id.Target.InstanceID, y.id.Target.PrivateIP)
}

// checkNewBinding warns what the apply meets when it binds id: the EIP, and
// what sits where it goes. replacing is the association a replacement
// destroys first (its binding is no obstacle), or zero.
func (r *EIPAssociationResource) checkNewBinding(ctx context.Context, id associationID, replacing association,
	plan EIPAssociationResourceModel, diags *diag.Diagnostics) {
	// The EIP and what sits on the target are read at once: two batched reads
	// cost the plan one round trip.
	var holders []client.Address
	var holdersErr error
	read := make(chan struct{})
	go func() {
		defer close(read)
		holders, holdersErr = r.client.AddressesOn(ctx, id.Target)
	}()
	addr, err := r.client.LookupAddress(ctx, id.EIPID)
	<-read
	if err != nil && !client.IsNotFound(err) {
		diags.Append(diagnose(reading, "checking EIP "+id.EIPID, err, r.facts(id, nil, false, ""), subjectOf(id.Target)))
		return
	}
	if !r.checkEIPUsable(ctx, id, addr, replacing, plan.AllowReassociation.ValueBool(), diags) {
		return
	}
	if holdersErr != nil {
		diags.Append(diagnose(reading, "checking what is bound to "+id.Target.String(), holdersErr, r.facts(id, nil, false, ""), subjectOf(id.Target)))
		return
	}
	r.checkTargetFree(ctx, id, holders, replacing, plan.AllowReassociation.ValueBool(), diags)
	if plan.ReallocateNormalPublicIP.ValueBool() {
		r.checkReallocationPossible(ctx, id, diags)
	}
}

// checkEIPUsable warns when the EIP cannot be bound as it is: it is missing,
// not an EIP, blocked, in arrears, or bound (elsewhere, or here already). It
// reports whether the target is worth checking.
func (r *EIPAssociationResource) checkEIPUsable(ctx context.Context, id associationID, addr *client.Address, replacing association,
	reassociate bool, diags *diag.Diagnostics) bool {
	eip := path.Root("eip_id")
	switch {
	case addr == nil:
		diags.AddAttributeWarning(eip, "EIP not found",
			fmt.Sprintf("No EIP %s exists in region %s, so the apply cannot bind it. Check the id, and that the provider's "+
				"region is the EIP's region.", id.EIPID, r.client.Region()))
		return false
	case addr.Type == client.AddressTypeWanIP:
		diags.AddAttributeWarning(eip, "Not an EIP: a normal public IP", notAnEIP(addr)+" The apply cannot bind it; choose an EIP.")
		return false
	case addr.Blocked:
		diags.AddAttributeWarning(eip, "EIP is blocked",
			fmt.Sprintf("The EIP %s (%s) is blocked, and a blocked EIP cannot be bound: the apply fails. %s, or choose "+
				"another EIP.", id.EIPID, addr.PublicIP, unblockFirst))
		return false
	case addr.Arrears:
		diags.AddAttributeWarning(eip, "EIP is in arrears",
			fmt.Sprintf("The EIP %s (%s) is isolated because the account is in arrears, and cannot be bound: the apply "+
				"fails. Top up the account, or choose another EIP.", id.EIPID, addr.PublicIP))
		return false
	case !addr.IsBound(), replacing.heldBy(addr):
		return true
	case r.heldAtTarget(ctx, id, addr):
		diags.AddAttributeWarning(eip, "EIP is already bound to this target",
			fmt.Sprintf("The EIP %s is already bound to %s: by another resource of this configuration that this plan "+
				"destroys (a renamed resource: a moved block says it without unbinding anything), by an earlier run "+
				"interrupted before it could record it, or outside Terraform. The apply takes that binding over; if a "+
				"destroy of the same apply is unbinding it, the apply waits for that and binds it again. If another "+
				"resource or tool manages it, remove one of them.", id.EIPID, addr.Describe()))
		return false
	case reassociate:
		diags.AddAttributeWarning(eip, "EIP is bound elsewhere",
			fmt.Sprintf("The EIP %s is bound to %s now. With allow_reassociation = true the apply unbinds it there "+
				"(with no normal public IP in its place) and binds it to %s.", id.EIPID, addr.Describe(), id.Target))
		return true
	}
	diags.AddAttributeWarning(eip, "EIP is bound elsewhere",
		fmt.Sprintf("The EIP %s is bound to %s now, and can be bound to %s only once that binding is gone. The apply waits "+
			"for a destroy of the same apply that unbinds it, as when the configuration moves it between resources "+
			"(not with create_before_destroy, where the destroy comes after); otherwise it fails, changing nothing for "+
			"this resource. Unbind it first (or remove the configuration that "+
			"binds it), choose another EIP, or set allow_reassociation = true to let the apply take it.",
			id.EIPID, addr.Describe(), id.Target))
	return true
}

// checkTargetFree warns what sits where the EIP goes: another EIP, or a
// normal public IP, which on one site refuses the bind and on the other is
// released by it.
func (r *EIPAssociationResource) checkTargetFree(ctx context.Context, id associationID, holders []client.Address, replacing association,
	reassociate bool, diags *diag.Diagnostics) {
	holders = slices.DeleteFunc(holders, func(a client.Address) bool {
		return a.ID == id.EIPID || a.Status == client.StatusUnbinding || replacing.heldBy(&a)
	})
	if id.Target.InstanceID != "" && len(holders) > 0 {
		primary, ok := r.primaryLocation(ctx, id.Target.InstanceID, holders)
		if !ok {
			return
		}
		holders = slices.DeleteFunc(holders, func(a client.Address) bool { return a.Location() != primary })
	}
	attribute := targetPath(id.Target)
	for _, h := range holders {
		switch {
		case h.Type == client.AddressTypeWanIP && r.site.refusesBindOverNormalIP():
			diags.AddAttributeWarning(attribute, "Target holds a normal public IP",
				fmt.Sprintf("The normal public IP %s sits on %s, and on the China site an EIP cannot be bound where one sits: "+
					"the apply fails. %s", h.PublicIP, primaryIPOf(id.Target), normalIPWaysOut))
		case h.Type == client.AddressTypeWanIP:
			diags.AddAttributeWarning(attribute, "Binding releases a normal public IP",
				fmt.Sprintf("The normal public IP %s sits on %s. Binding %s there releases it: the address is returned and "+
					"cannot be recovered.", h.PublicIP, primaryIPOf(id.Target), id.EIPID))
		case reassociate:
			diags.AddAttributeWarning(attribute, "Target already holds an EIP",
				fmt.Sprintf("The EIP %s (%s) sits on %s, where %s goes. With allow_reassociation = true the apply unbinds it "+
					"(with no normal public IP in its place) and binds %s.", h.ID, h.PublicIP, primaryIPOf(id.Target), id.EIPID, id.EIPID))
		default:
			diags.AddAttributeWarning(attribute, "Target already holds an EIP",
				fmt.Sprintf("The EIP %s (%s) sits on %s, where %s goes. The apply waits for a destroy of the same apply "+
					"that unbinds it, as when a for_each key changes; otherwise it fails, changing nothing for this "+
					"resource. Unbind %s first (or remove the configuration that binds it), bind %s elsewhere, or set "+
					"allow_reassociation = true to let the apply unbind it.", h.ID, h.PublicIP, primaryIPOf(id.Target),
					id.EIPID, h.ID, id.EIPID))
		}
	}
}

// primaryLocation finds the primary private IP of the instance's primary
// network interface, among where addresses on the instance sit: a normal
// public IP sits there; otherwise their interfaces are read. It reports
// false when that cannot be known.
func (r *EIPAssociationResource) primaryLocation(ctx context.Context, instanceID string, on []client.Address) (client.Target, bool) {
	var interfaces []string
	for _, a := range on {
		if a.Type == client.AddressTypeWanIP && known(a.Location()) {
			return a.Location(), true
		}
		if a.NetworkInterfaceID != "" && !slices.Contains(interfaces, a.NetworkInterfaceID) {
			interfaces = append(interfaces, a.NetworkInterfaceID)
		}
	}
	for _, id := range interfaces {
		eni, err := r.client.LookupNetworkInterface(ctx, id)
		if err != nil && !client.IsInterfaceNotFound(err) {
			tflog.Debug(ctx, "could not read the network interface; the instance's primary IP is not known",
				map[string]any{"network_interface_id": id, "error": err.Error()})
			return client.Target{}, false
		}
		if err == nil && eni.Primary && eni.InstanceID == instanceID {
			return client.Target{NetworkInterfaceID: eni.ID, PrivateIP: eni.PrimaryIP}, true
		}
	}
	return client.Target{}, true // none of them is on the primary interface
}

// sameIP reports whether next binds to the private IP the association sits
// on.
func (r *EIPAssociationResource) sameIP(ctx context.Context, a association, next client.Target) bool {
	switch {
	case next.InstanceID == "":
		return next == a.location()
	case a.id.Target.InstanceID != "":
		return next == a.id.Target
	}
	eni, err := r.client.LookupNetworkInterface(ctx, a.id.Target.NetworkInterfaceID)
	return err == nil && eni.IsInstancePrimaryIP(next.InstanceID, a.id.Target.PrivateIP)
}

// checkReallocationPossible warns when a binding asking for a normal public IP
// on destroy sits where the API refuses it: anywhere but the primary private
// IP of an instance's primary network interface, which an instance binding
// always is.
func (r *EIPAssociationResource) checkReallocationPossible(ctx context.Context, id associationID, diags *diag.Diagnostics) {
	if id.Target.InstanceID != "" || !known(id.Target) {
		return
	}
	eni, err := r.client.LookupNetworkInterface(ctx, id.Target.NetworkInterfaceID)
	if err != nil {
		return // a missing interface is the bind's own problem, read elsewhere
	}
	if eni.IsInstancePrimaryIP("", id.Target.PrivateIP) {
		return
	}
	diags.AddAttributeWarning(path.Root("reallocate_normal_public_ip"), "A normal public IP cannot be reallocated for this binding",
		fmt.Sprintf("reallocate_normal_public_ip = true gives an instance a normal public IP when the EIP is unbound, which "+
			"the API allows only when the EIP sits on the primary private IP of an instance's primary network interface. "+
			"%s is not one (%s), so destroying this binding would fail, and the plan of that destroy refuses it. Set "+
			"reallocate_normal_public_ip = false, or bind the EIP by instance_id.", id.Target, interfaceRole(eni, id.Target.PrivateIP)))
}

// checkReallocatingDestroy warns what a destroy that reallocates does, and
// refuses one that would fail: on a secondary IP, or past today's quota. A
// destroy that finds nothing of its own to unbind (the EIP gone, unbound,
// bound elsewhere, or already being unbound by an earlier run) reallocates
// nothing.
func (r *EIPAssociationResource) checkReallocatingDestroy(ctx context.Context, a association, diags *diag.Diagnostics) {
	addr, err := r.client.LookupAddress(ctx, a.id.EIPID)
	switch {
	case client.IsNotFound(err):
		return
	case err != nil:
		diags.Append(diagnose(reading, "checking EIP "+a.id.EIPID, err, r.facts(a.id, nil, false, ""), subjectOf(a.id.Target)))
		return
	case !a.heldBy(addr) || addr.Status == client.StatusUnbinding:
		return
	}
	// An instance binding always sits on the instance's primary IP.
	at := a.id.Target
	if at.InstanceID != "" {
		at = client.Target{}
	}
	checkReallocatingUnbind(ctx, reallocatingUnbind{
		client: r.client, run: r.run, site: r.site, addr: addr, at: at,
		unbind: "Destroying " + a.id.String(), it: "the destroy", each: "destroy", remedy: reallocationRemedy,
		summary: "Destroy gives the instance a normal public IP",
		facts:   r.facts(a.id, addr, false, ""), subject: subjectOf(a.id.Target),
	}, diags)
}

// reallocatingUnbind is an unbind of an EIP with reallocate_normal_public_ip
// = true that a plan checks: a destroy of qcloud_eip_association, or the
// qcloud_eip_disassociate action. The wording fields say it in the words of
// its caller.
type reallocatingUnbind struct {
	client *client.Client
	run    *run
	site   site
	addr   *client.Address // the EIP, bound
	// at is where the EIP sits, when it must be checked to be the primary
	// private IP of an instance's primary network interface; zero when that
	// is known already.
	at client.Target
	// unbind names the operation ("Destroying eip-…::ins-…"), it refers to it
	// ("the destroy"), each counts them ("destroy"); remedy is the way out;
	// summary is the warning's.
	unbind, it, each, remedy, summary string
	facts                             facts
	subject                           subject
}

// checkReallocatingUnbind warns what an unbind that reallocates a normal
// public IP does, and refuses one that would fail: off the primary private
// IP of an instance's primary network interface, or past today's quota
// (DAILY_PUBLIC_IP_ASSIGN, counted across the plan's reallocating unbinds).
func checkReallocatingUnbind(ctx context.Context, u reallocatingUnbind, diags *diag.Diagnostics) {
	flag := u.subject[roleReallocate]
	if known(u.at) {
		eni, err := u.client.LookupNetworkInterface(ctx, u.at.NetworkInterfaceID)
		if err != nil && !client.IsInterfaceNotFound(err) {
			diags.Append(diagnose(reading, "reading network interface "+u.at.NetworkInterfaceID, err, u.facts, u.subject))
			return
		}
		if err == nil && !eni.IsInstancePrimaryIP("", u.at.PrivateIP) {
			diags.AddAttributeError(flag, "A normal public IP cannot be reallocated for this binding",
				fmt.Sprintf("%s unbinds the EIP with reallocate_normal_public_ip = true, which the API allows only on "+
					"the primary private IP of an instance's primary network interface; %s is %s, so %s would fail "+
					"with the EIP still bound. %s", u.unbind, u.at, interfaceRole(eni, u.at.PrivateIP), u.it, u.remedy))
			return
		}
	}
	ordinal := u.run.countReallocation(u.addr.ID)
	quota, err := u.run.dailyQuota(ctx, u.client)
	if err != nil {
		diags.Append(diagnose(reading, "reading the address quota", err, u.facts, u.subject))
		return
	}
	instance := u.addr.InstanceID
	if quota != nil && int64(ordinal) > quota.Left() {
		diags.AddAttributeError(flag, "Daily quota of normal public IP reallocations would run out",
			fmt.Sprintf("%s gives instance %s a new normal public IP, but today's DAILY_PUBLIC_IP_ASSIGN is %d of "+
				"%d: %s left, and this plan has more %ss that reallocate than that. %s Or wait until the next day "+
				"(China Standard Time).", u.unbind, orUnknown(instance), quota.Current, quota.Limit,
				reallocationCount(quota.Left()), u.each, u.remedy))
		return
	}
	usage := "not known (the quota was not listed)"
	if quota != nil {
		usage = fmt.Sprintf("%d of %d", quota.Current, quota.Limit)
	}
	siteRule := ""
	if u.site.refusesBindOverNormalIP() {
		// What the reallocated IP then blocks, on the site that refuses it.
		siteRule = " On the China site an EIP cannot then be bound where that normal public IP sits until it is " +
			"returned (ReturnNormalAddresses) or turned into an EIP (TransformAddress)."
	}
	diags.AddAttributeWarning(flag, u.summary,
		fmt.Sprintf("%s unbinds the EIP with reallocate_normal_public_ip = true: instance %s gets a new normal "+
			"public IP, which Terraform does not manage. Today's use of DAILY_PUBLIC_IP_ASSIGN is %s; each such %s "+
			"spends 1 reallocation.%s", u.unbind, orUnknown(instance), usage, u.each, siteRule))
}

// replacementJSON is what the create half of a replacement binds.
type replacementJSON struct {
	ID string `json:"id"`
}

// replacementProblem says why the create half of a replacement cannot bind
// next, which would leave the target of the destroy half without its EIP for
// nothing: the new EIP cannot be bound, or its target cannot take one. Its
// diagnostic is an error for the apply's destroy half (which then unbinds
// nothing) and a warning in the plan. Nil when nothing is known to be wrong.
func (r *EIPAssociationResource) replacementProblem(ctx context.Context, a association, next associationID) diag.Diagnostic {
	refuse := func(attribute path.Path, why, fix string) diag.Diagnostic {
		return diag.NewAttributeErrorDiagnostic(attribute, "Replacement refused before unbinding",
			fmt.Sprintf("This replacement unbinds %s from %s, then binds %s to %s, but %s. So that %s does not lose its EIP for "+
				"nothing, the apply unbinds nothing. %s", a.id.EIPID, a.describe(), next.EIPID, next.Target, why, a.id.Target, fix))
	}
	if next.EIPID != a.id.EIPID {
		addr, err := r.client.LookupAddress(ctx, next.EIPID)
		switch {
		case client.IsNotFound(err):
			return refuse(path.Root("eip_id"), "no EIP "+next.EIPID+" exists in region "+r.client.Region(), "Check eip_id.")
		case err != nil:
			return nil // the create half meets it, and says so
		case addr.Type == client.AddressTypeWanIP:
			return refuse(path.Root("eip_id"), next.EIPID+" is a normal public IP, not an EIP", "Choose an EIP.")
		case addr.Blocked:
			return refuse(path.Root("eip_id"), next.EIPID+" is blocked", "Unblock it first, or choose another EIP.")
		case addr.Arrears:
			return refuse(path.Root("eip_id"), next.EIPID+" is in arrears", "Top up the account, or choose another EIP.")
		}
	}
	if d := r.replacementTargetHeld(ctx, a, next, refuse); d != nil {
		return d
	}
	if next.Target.InstanceID != "" {
		instance, err := r.client.LookupInstance(ctx, next.Target.InstanceID)
		switch {
		case client.IsInstanceNotFound(err):
			return refuse(path.Root("instance_id"), "no instance "+next.Target.InstanceID+" exists in region "+r.client.Region(),
				"Check instance_id.")
		case err == nil && instance.State == client.InstanceLaunchFailed:
			return refuse(path.Root("instance_id"), "the instance "+next.Target.InstanceID+" failed to launch and cannot take an EIP",
				"Choose another instance.")
		case err == nil && instance.WhyNoEIP() != "":
			return refuse(path.Root("instance_id"), "the instance "+next.Target.InstanceID+" "+instance.WhyNoEIP()+" and cannot take an EIP",
				"Start the instance (or choose another one), then apply again.")
		}
		return nil
	}
	eni, err := r.client.LookupNetworkInterface(ctx, next.Target.NetworkInterfaceID)
	switch {
	case client.IsInterfaceNotFound(err):
		return refuse(path.Root("network_interface_id"), "no network interface "+next.Target.NetworkInterfaceID+" exists in region "+
			r.client.Region(), "Check network_interface_id.")
	case err == nil && !slices.Contains(eni.PrivateIPs, next.Target.PrivateIP):
		return refuse(path.Root("private_ip"), next.Target.PrivateIP+" is not a private IP of "+next.Target.NetworkInterfaceID,
			"Check private_ip.")
	}
	return nil
}

// replacementTargetHeld refuses a replacement whose new target holds what no
// apply can free: a normal public IP where the site refuses a bind over one,
// or a blocked EIP. (Another EIP there may be freed by a destroy of the same
// apply; the plan warned of it.)
func (r *EIPAssociationResource) replacementTargetHeld(ctx context.Context, a association, next associationID,
	refuse func(path.Path, string, string) diag.Diagnostic) diag.Diagnostic {
	holders, err := r.client.AddressesOn(ctx, next.Target)
	if err != nil {
		return nil // the create half meets it, and says so
	}
	holder := r.holderWhereBound(ctx, next, slices.DeleteFunc(holders, func(h client.Address) bool { return a.heldBy(&h) }))
	switch {
	case holder == nil:
		return nil
	case holder.Type == client.AddressTypeWanIP && r.site.refusesBindOverNormalIP():
		return refuse(targetPath(next.Target), fmt.Sprintf("the normal public IP %s sits on %s, and on the China site an EIP "+
			"cannot be bound where one sits", holder.PublicIP, primaryIPOf(next.Target)), normalIPWaysOut)
	case holder.Blocked:
		return refuse(targetPath(next.Target), fmt.Sprintf("the blocked EIP %s sits on %s, and a blocked EIP cannot be unbound",
			holder.ID, primaryIPOf(next.Target)), "Unblock it first, or choose another target.")
	}
	return nil
}

// interfaceRole says what a network interface and private IP are, for
// messages.
func interfaceRole(eni *client.NetworkInterface, ip string) string {
	switch {
	case eni.InstanceID == "":
		return "an interface attached to no instance"
	case !eni.Primary:
		return "a secondary interface of instance " + eni.InstanceID
	case eni.PrimaryIP != ip:
		return "a secondary private IP of instance " + eni.InstanceID + "'s primary interface"
	}
	return "the primary private IP of instance " + eni.InstanceID
}

// attributeOf is the attribute a diagnostic is on.
func attributeOf(d diag.Diagnostic) path.Path {
	if withPath, ok := d.(diag.DiagnosticWithPath); ok {
		return withPath.Path()
	}
	return path.Empty()
}

func reallocationCount(n int64) string {
	if n == 1 {
		return "1 reallocation"
	}
	return fmt.Sprintf("%d reallocations", n)
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}
