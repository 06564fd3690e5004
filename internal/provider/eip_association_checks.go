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

// Plan-time checks: what a reviewer of a plan must know before it is applied,
// and what would fail halfway through the apply. They read through the same
// batched reader as refresh (no call per resource once a snapshot is taken),
// ask DescribeAddressQuota at most once per plan and only when a
// reallocation is planned, and DescribeNetworkInterfaces only for bindings
// whose primary private IP must be known. Values unknown at plan time skip a
// check, as do changes to associations a -refresh=false plan did not read;
// creates and destroys are checked always.

// reallocationRemedy is the way out when a destroy that reallocates would
// fail, in the order that works: the destroy runs on the state's flag.
const reallocationRemedy = "Set reallocate_normal_public_ip = false and run terraform apply (it changes nothing in the " +
	"cloud), then run this again. If eip_id or the target changes in the same configuration, apply the flag change " +
	"alone first, then the rest: the destroy half of a replacement uses the flag recorded in the state."

// checkCreate checks a create, or the create half of a replacement.
func (r *EIPAssociationResource) checkCreate(ctx context.Context, plan, config EIPAssociationResourceModel, diags *diag.Diagnostics) {
	if r.client == nil || !knownString(plan.ID) || r.run.applying() {
		return // unknown values, a provider configured only at apply, or an apply under way
	}
	id := associationID{EIPID: config.EIPID.ValueString(), Target: config.requestedTarget()}
	// The EIP and what sits on the target are read at once: two batched
	// reads cost the plan one round trip.
	var holders []client.Address
	var holdersErr error
	read := make(chan struct{})
	go func() {
		defer close(read)
		holders, holdersErr = r.client.AddressesOn(ctx, id.Target)
	}()
	addr, err := r.client.LookupAddress(ctx, id.EIPID)
	<-read
	if err != nil {
		diags.Append(diagnose(opPlan, "checking EIP "+id.EIPID, err, r.situation(id, nil)))
		return
	}
	if !r.checkEIPUsable(ctx, id, addr, diags) {
		return
	}
	if holdersErr != nil {
		diags.Append(diagnose(opPlan, "checking what is bound to "+describeTarget(id.Target), holdersErr, r.situation(id, nil)))
		return
	}
	r.checkTargetFree(ctx, id, holders, diags)
	if plan.ReallocateNormalPublicIP.ValueBool() {
		r.checkReallocationPossible(ctx, id, diags)
	}
}

// checkedState is the association a change of state is checked against, when
// checks run: not while applying, and not for an association this plan did
// not refresh (-refresh=false), since what they compare with was not read.
func (r *EIPAssociationResource) checkedState(state EIPAssociationResourceModel) (association, bool) {
	if r.client == nil || r.run.applying() {
		return association{}, false
	}
	var local diag.Diagnostics
	a, ok := stateAssociation(state, &local)
	return a, ok && r.run.wasRead(a)
}

// checkReplacement checks the destroy half of a replacement.
func (r *EIPAssociationResource) checkReplacement(ctx context.Context, state, config EIPAssociationResourceModel, diags *diag.Diagnostics) {
	a, ok := r.checkedState(state)
	if !ok {
		return
	}
	// The create half must not take this association's own EIP, which the
	// destroy half unbinds, for one that holds its target.
	r.run.planUnbind(a, state.InstanceID.ValueString())
	if state.ReallocateNormalPublicIP.ValueBool() {
		r.checkReallocatingDestroy(ctx, a, state, diags)
		r.checkReplacementAfterReallocation(a, state, config, diags)
	}
}

// checkUpdate checks an in-place update.
func (r *EIPAssociationResource) checkUpdate(ctx context.Context, plan, state EIPAssociationResourceModel, diags *diag.Diagnostics) {
	a, ok := r.checkedState(state)
	if !ok || !plan.ReallocateNormalPublicIP.ValueBool() {
		return
	}
	flagTurnedOn := !state.ReallocateNormalPublicIP.ValueBool()
	rewritten := !plan.ID.Equal(state.ID)
	if flagTurnedOn || rewritten {
		r.checkReallocationPossible(ctx, associationID{EIPID: a.id.EIPID, Target: location2target(a.sitAt)}, diags)
	}
}

// checkDestroy checks a destroy.
func (r *EIPAssociationResource) checkDestroy(ctx context.Context, a association, state EIPAssociationResourceModel, diags *diag.Diagnostics) {
	if r.client == nil || !state.ReallocateNormalPublicIP.ValueBool() {
		return
	}
	r.checkReallocatingDestroy(ctx, a, state, diags)
}

// checkEIPUsable checks that the EIP can be bound to id's target: it exists,
// is an EIP, is neither blocked nor in arrears, and is unbound or unbound by
// this plan. It reports whether the target is worth checking further.
func (r *EIPAssociationResource) checkEIPUsable(ctx context.Context, id associationID, addr *client.Address, diags *diag.Diagnostics) bool {
	eip := path.Root("eip_id")
	switch {
	case addr == nil:
		diags.AddAttributeError(eip, "EIP not found",
			fmt.Sprintf("No EIP %s exists in region %s, so it cannot be bound. Check the id, and that the provider's region is the EIP's region.",
				id.EIPID, r.client.Region()))
		return false
	case addr.Type == client.AddressTypeWanIP:
		diags.AddAttributeError(eip, "Not an EIP: a normal public IP", notAnEIP(addr)+" Or choose an EIP.")
		return false
	case addr.Blocked:
		diags.AddAttributeError(eip, "EIP is blocked",
			fmt.Sprintf("The EIP %s (%s) is blocked, and a blocked EIP cannot be bound. Unblock it first (Tencent Cloud console, "+
				"or support), or choose another EIP.", id.EIPID, addr.PublicIP))
		return false
	case addr.Arrears:
		diags.AddAttributeError(eip, "EIP is in arrears",
			fmt.Sprintf("The EIP %s (%s) is isolated because the account is in arrears, and cannot be bound. Top up the "+
				"account, or choose another EIP.", id.EIPID, addr.PublicIP))
		return false
	case !addr.IsBound(), addr.Status == client.StatusUnbinding:
		return true
	case addr.BoundTo(id.Target):
		diags.AddAttributeWarning(eip, "EIP is already bound to this target",
			fmt.Sprintf("The EIP %s is already bound to %s, by an earlier run interrupted before it could record it, or "+
				"outside this configuration. The apply takes that binding over; if another resource or tool manages it, "+
				"remove one of them.", id.EIPID, addr.Describe()))
		return false
	}
	if planned, err := r.run.awaitPlannedUnbind(ctx, addr); planned || err != nil {
		return true // this plan unbinds it first
	}
	diags.AddAttributeError(eip, "EIP is bound elsewhere",
		fmt.Sprintf("The EIP %s is bound to %s, and this plan does not unbind it; only an unbound EIP can be bound. "+
			"Unbind it first (or remove the configuration that binds it), or choose another EIP.", id.EIPID, addr.Describe()))
	return false
}

// checkTargetFree checks that nothing sits where the EIP goes: another EIP
// this plan does not unbind, or, on a site that refuses it, a normal public
// IP.
func (r *EIPAssociationResource) checkTargetFree(ctx context.Context, id associationID, holders []client.Address, diags *diag.Diagnostics) {
	holders = slices.DeleteFunc(holders, func(a client.Address) bool { return a.ID == id.EIPID || a.Status == client.StatusUnbinding })
	if len(holders) == 0 {
		return
	}
	attribute, where := path.Root("private_ip"), describeTarget(id.Target)
	if id.Target.InstanceID != "" {
		attribute, where = path.Root("instance_id"), "instance "+id.Target.InstanceID
		primary, known := r.primaryIPOf(ctx, id.Target.InstanceID, holders)
		if !known {
			return
		}
		holders = slices.DeleteFunc(holders, func(a client.Address) bool { return a.PrivateIP != primary })
	}
	for _, h := range holders {
		if h.Type == client.AddressTypeWanIP {
			r.checkNormalIPOnTarget(id, h, attribute, where, diags)
			continue
		}
		if planned, err := r.run.awaitPlannedUnbind(ctx, &h); planned || err != nil {
			continue
		}
		diags.AddAttributeError(attribute, "Target already holds an EIP",
			fmt.Sprintf("The EIP %s (%s) sits on %s (private IP %s), where %s would go, and this plan does not unbind it. "+
				"Unbind it first (or remove the configuration that binds it), or bind %s elsewhere.",
				h.ID, h.PublicIP, where, h.PrivateIP, id.EIPID, id.EIPID))
	}
}

// checkNormalIPOnTarget reports a normal public IP where the EIP goes: an
// error on a site that refuses the bind, a warning where the bind releases it.
func (r *EIPAssociationResource) checkNormalIPOnTarget(id associationID, wan client.Address, attribute path.Path, where string, diags *diag.Diagnostics) {
	if r.site.refusesBindOverNormalIP() {
		diags.AddAttributeError(attribute, "Target holds a normal public IP",
			fmt.Sprintf("The %s holds the normal public IP %s on private IP %s, and on the China site an EIP cannot be bound where "+
				"one sits. Either return it (ReturnNormalAddresses, or the console's \"Return public IP\") and plan again; or "+
				"turn it into an EIP (TransformAddress, \"Convert to EIP\") and manage that EIP instead of binding %s. If the "+
				"account is on the international site, set the provider's site = \"international\".",
				where, wan.PublicIP, wan.PrivateIP, id.EIPID))
		return
	}
	diags.AddAttributeWarning(attribute, "Binding releases a normal public IP",
		fmt.Sprintf("The %s holds the normal public IP %s on private IP %s. Binding %s there releases it: the address is "+
			"returned and cannot be recovered.", where, wan.PublicIP, wan.PrivateIP, id.EIPID))
}

// primaryIPOf finds the primary private IP of the instance's primary network
// interface, where an instance binding goes: a normal public IP sits there;
// otherwise the interfaces of the addresses on the instance are read. It
// reports false when that cannot be known.
func (r *EIPAssociationResource) primaryIPOf(ctx context.Context, instanceID string, on []client.Address) (string, bool) {
	var interfaces []string
	for _, a := range on {
		if a.Type == client.AddressTypeWanIP && a.PrivateIP != "" {
			return a.PrivateIP, true
		}
		if a.NetworkInterfaceID != "" && !slices.Contains(interfaces, a.NetworkInterfaceID) {
			interfaces = append(interfaces, a.NetworkInterfaceID)
		}
	}
	for _, id := range interfaces {
		eni, err := r.client.LookupNetworkInterface(ctx, id)
		if err != nil {
			tflog.Debug(ctx, "could not read the network interface; skipping the check of the instance's primary IP",
				map[string]any{"network_interface_id": id, "error": err.Error()})
			return "", false
		}
		if eni != nil && eni.Primary && eni.InstanceID == instanceID {
			return eni.PrimaryIP, true
		}
	}
	return "", true // none of them is on the primary interface
}

// checkReallocationPossible checks that a binding asking for a normal public
// IP on destroy sits where the API allows it: on the primary private IP of an
// instance's primary network interface, which an instance binding always is.
func (r *EIPAssociationResource) checkReallocationPossible(ctx context.Context, id associationID, diags *diag.Diagnostics) {
	if id.Target.InstanceID != "" || id.Target.NetworkInterfaceID == "" {
		return
	}
	eni, err := r.client.LookupNetworkInterface(ctx, id.Target.NetworkInterfaceID)
	if err != nil {
		diags.Append(diagnose(opPlan, "reading network interface "+id.Target.NetworkInterfaceID, err, r.situation(id, nil)))
		return
	}
	if eni == nil || eni.IsInstancePrimaryIP("", id.Target.PrivateIP) {
		return // a missing interface is the create's own error
	}
	diags.AddAttributeError(path.Root("reallocate_normal_public_ip"), "A normal public IP cannot be reallocated for this binding",
		fmt.Sprintf("reallocate_normal_public_ip = true gives an instance a normal public IP when the EIP is unbound, which "+
			"the API allows only when the EIP sits on the primary private IP of an instance's primary network interface. "+
			"%s is not one (%s), so the destroy would fail with the EIP still bound. Set reallocate_normal_public_ip = false, "+
			"or bind the EIP by instance_id.", describeTarget(id.Target), interfaceRole(eni, id.Target.PrivateIP)))
}

// checkReallocatingDestroy warns what a destroy that reallocates does, and
// refuses one that would fail: on a secondary IP, or past today's quota.
func (r *EIPAssociationResource) checkReallocatingDestroy(ctx context.Context, a association, state EIPAssociationResourceModel, diags *diag.Diagnostics) {
	flag := path.Root("reallocate_normal_public_ip")
	instance := state.InstanceID.ValueString()
	if a.id.Target.InstanceID == "" && a.sitAt.known() {
		eni, err := r.client.LookupNetworkInterface(ctx, a.sitAt.NetworkInterfaceID)
		if err != nil {
			diags.Append(diagnose(opPlan, "reading network interface "+a.sitAt.NetworkInterfaceID, err, r.situation(a.id, nil)))
			return
		}
		if eni != nil && !eni.IsInstancePrimaryIP("", a.sitAt.PrivateIP) {
			diags.AddAttributeError(flag, "A normal public IP cannot be reallocated for this binding",
				fmt.Sprintf("Destroying %s unbinds the EIP with reallocate_normal_public_ip = true, which the API allows only on "+
					"the primary private IP of an instance's primary network interface; %s is %s, so the destroy would fail "+
					"with the EIP still bound. %s", a.id, a.sitAt, interfaceRole(eni, a.sitAt.PrivateIP), reallocationRemedy))
			return
		}
	}
	spent := r.run.planReallocation(a)
	quota, err := r.run.dailyQuota(ctx, r.client)
	if err != nil {
		diags.Append(diagnose(opPlan, "reading the address quota", err, r.situation(a.id, nil)))
		return
	}
	total := spent.ordinal // enough to know this one exceeds the quota; else count them all
	if quota == nil || int64(total) <= quota.Limit-quota.Current {
		total = spent.total(ctx)
	}
	if quota != nil && int64(total) > quota.Limit-quota.Current {
		diags.AddAttributeError(flag, "Daily quota of normal public IP reallocations would run out",
			fmt.Sprintf("Destroying %s gives instance %s a new normal public IP, and this plan spends %s, but today's "+
				"DAILY_PUBLIC_IP_ASSIGN is %d of %d: %s left. %s Or wait until the next day (China Standard Time).",
				a.id, orUnknown(instance), reallocationCount(int64(total)), quota.Current, quota.Limit,
				reallocationCount(max(quota.Limit-quota.Current, 0)), reallocationRemedy))
		return
	}
	usage := "not known (the quota was not listed)"
	if quota != nil {
		usage = fmt.Sprintf("%d of %d", quota.Current, quota.Limit)
	}
	diags.AddAttributeWarning(flag, "Destroy gives the instance a normal public IP",
		fmt.Sprintf("Destroying %s unbinds the EIP with reallocate_normal_public_ip = true: instance %s gets a new normal "+
			"public IP, which Terraform does not manage. Today's use of DAILY_PUBLIC_IP_ASSIGN is %s; this plan spends %s.",
			a.id, orUnknown(instance), usage, reallocationCount(int64(total))))
}

// checkReplacementAfterReallocation refuses a replacement whose destroy half
// hands the instance a normal public IP that then refuses the create half.
func (r *EIPAssociationResource) checkReplacementAfterReallocation(a association, state, config EIPAssociationResourceModel, diags *diag.Diagnostics) {
	if !r.site.refusesBindOverNormalIP() || state.InstanceID.IsNull() {
		return
	}
	next := config.requestedTarget()
	sameInstance := next.InstanceID == state.InstanceID.ValueString() ||
		(next.InstanceID == "" && a.sitAt.known() && location{NetworkInterfaceID: next.NetworkInterfaceID, PrivateIP: next.PrivateIP} == a.sitAt)
	if !sameInstance {
		return
	}
	diags.AddAttributeError(path.Root("eip_id"), "Replacement would be refused",
		fmt.Sprintf("This change replaces %s. Its destroy half runs with reallocate_normal_public_ip = true (the state's "+
			"flag), which gives instance %s a normal public IP; on the China site an EIP cannot then be bound there, so the "+
			"create half would fail. Apply reallocate_normal_public_ip = false alone first, then change the rest.",
			a.id, state.InstanceID.ValueString()))
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

func location2target(l location) client.Target {
	return client.Target{NetworkInterfaceID: l.NetworkInterfaceID, PrivateIP: l.PrivateIP}
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
