package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-nettypes/iptypes"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// ModifyPlan plans what Terraform cannot work out from the schema alone:
// whether a changed target is the same binding written the other way (an
// in-place change) or another one (a replacement), and what a reviewer must
// know before the plan is applied (see planChecks).
func (r *EIPAssociationResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.run != nil {
		defer r.run.active()()
	}
	if req.Plan.Raw.IsNull() {
		var state EIPAssociationResourceModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
		r.planDestroy(ctx, state, &resp.Diagnostics)
		return
	}
	var plan, config EIPAssociationResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if req.State.Raw.IsNull() {
		planCreate(&plan, config)
		r.checkCreate(ctx, plan, config, &resp.Diagnostics)
	} else {
		var state EIPAssociationResourceModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
		if replaced := r.planChange(ctx, &plan, state, config, resp); replaced {
			r.checkReplacement(ctx, state, config, &resp.Diagnostics)
		} else {
			r.checkUpdate(ctx, plan, state, &resp.Diagnostics)
		}
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// planCreate fills in what a create's plan knows already: the id follows
// from the configuration once its values are known.
func planCreate(plan *EIPAssociationResourceModel, config EIPAssociationResourceModel) {
	targetKnown := knownString(config.InstanceID) ||
		(config.InstanceID.IsNull() && knownString(config.NetworkInterfaceID) && !config.PrivateIP.IsUnknown() && !config.PrivateIP.IsNull())
	if knownString(config.EIPID) && targetKnown {
		plan.ID = types.StringValue(associationID{EIPID: config.EIPID.ValueString(), Target: config.requestedTarget()}.String())
	}
}

// planChange decides between an in-place change and a replacement when the
// configuration changed the target, and reports whether the association is
// replaced. Naming the same private IP the other way (the instance, or its
// primary network interface and primary private IP) is the same binding.
func (r *EIPAssociationResource) planChange(ctx context.Context, plan *EIPAssociationResourceModel, state, config EIPAssociationResourceModel,
	resp *resource.ModifyPlanResponse) bool {
	if !plan.EIPID.Equal(state.EIPID) {
		return true // eip_id's own plan modifier asks for the replacement
	}
	a, ok := stateAssociation(state, &resp.Diagnostics)
	if !ok {
		return false
	}
	same, changed := r.sameBinding(ctx, a, state, config, &resp.Diagnostics)
	if !same {
		resp.RequiresReplace = append(resp.RequiresReplace, changed...)
		plan.ID, plan.PublicIP = types.StringUnknown(), iptypes.NewIPv4AddressUnknown()
		return true
	}
	// The binding stays: what it records stays, only the way it is written
	// (and so the id) may change.
	id := associationID{EIPID: a.id.EIPID, Target: config.requestedTarget()}
	plan.ID = types.StringValue(id.String())
	plan.InstanceID, plan.NetworkInterfaceID, plan.PrivateIP = state.InstanceID, state.NetworkInterfaceID, state.PrivateIP
	if id.Target.InstanceID != "" {
		plan.InstanceID = config.InstanceID
	}
	plan.PublicIP = state.PublicIP
	return false
}

// sameBinding reports whether config names the binding the state records,
// and otherwise which attributes changed it.
func (r *EIPAssociationResource) sameBinding(ctx context.Context, a association, state, config EIPAssociationResourceModel,
	diags *diag.Diagnostics) (bool, []path.Path) {
	byInstance := !config.InstanceID.IsNull()
	changedInstance := []path.Path{path.Root("instance_id")}
	changedInterface := []path.Path{path.Root("network_interface_id"), path.Root("private_ip")}
	switch {
	case byInstance && config.InstanceID.IsUnknown():
		return false, changedInstance
	case !byInstance && (config.NetworkInterfaceID.IsUnknown() || config.PrivateIP.IsUnknown()):
		return false, changedInterface
	case byInstance && a.id.Target.InstanceID != "":
		return config.InstanceID.ValueString() == a.id.Target.InstanceID, changedInstance
	case !byInstance:
		named := location{NetworkInterfaceID: config.NetworkInterfaceID.ValueString(), PrivateIP: config.PrivateIP.ValueString()}
		return a.sitAt.known() && named == a.sitAt, changedInterface
	}
	// From an interface binding to its instance: the same binding only if it
	// sits on the instance's primary network interface's primary private IP.
	if config.InstanceID.ValueString() != state.InstanceID.ValueString() || r.client == nil {
		return false, changedInstance
	}
	eni, err := r.client.LookupNetworkInterface(ctx, a.sitAt.NetworkInterfaceID)
	if err != nil {
		diags.Append(diagnose(opPlan, "reading network interface "+a.sitAt.NetworkInterfaceID, err, r.situation(a.id, nil)))
		return false, changedInstance
	}
	return eni.IsInstancePrimaryIP(config.InstanceID.ValueString(), a.sitAt.PrivateIP), changedInstance
}

// planDestroy notes, for the rest of this run, that the plan destroys the
// association, and checks what the destroy will do.
func (r *EIPAssociationResource) planDestroy(ctx context.Context, state EIPAssociationResourceModel, diags *diag.Diagnostics) {
	var local diag.Diagnostics
	a, ok := stateAssociation(state, &local)
	if !ok || r.run == nil {
		return
	}
	r.run.planUnbind(a, state.InstanceID.ValueString())
	r.checkDestroy(ctx, a, state, diags)
}

func knownString(v types.String) bool { return !v.IsNull() && !v.IsUnknown() }
