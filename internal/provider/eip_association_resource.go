package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-nettypes/iptypes"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
)

const (
	defaultCreateTimeout = 5 * time.Minute
	defaultDeleteTimeout = 5 * time.Minute
)

var (
	_ resource.Resource                 = &EIPAssociationResource{}
	_ resource.ResourceWithConfigure    = &EIPAssociationResource{}
	_ resource.ResourceWithImportState  = &EIPAssociationResource{}
	_ resource.ResourceWithModifyPlan   = &EIPAssociationResource{}
	_ resource.ResourceWithUpgradeState = &EIPAssociationResource{}
)

func NewEIPAssociationResource() resource.Resource {
	return &EIPAssociationResource{}
}

// EIPAssociationResource binds an EIP to an instance or to a private IP of a
// network interface.
type EIPAssociationResource struct {
	client *client.Client
	run    *run
	site   site
}

// EIPAssociationResourceModel is the resource's data. Only the attributes of
// the form of binding configured are set: where an instance binding sits is
// kept in private state, so that a configuration written from the state
// (terraform plan -generate-config-out) names one form.
type EIPAssociationResourceModel struct {
	ID                       types.String        `tfsdk:"id"`
	EIPID                    types.String        `tfsdk:"eip_id"`
	InstanceID               types.String        `tfsdk:"instance_id"`
	NetworkInterfaceID       types.String        `tfsdk:"network_interface_id"`
	PrivateIP                iptypes.IPv4Address `tfsdk:"private_ip"`
	ReallocateNormalPublicIP types.Bool          `tfsdk:"reallocate_normal_public_ip"`
	AllowReassociation       types.Bool          `tfsdk:"allow_reassociation"`
	PublicIP                 iptypes.IPv4Address `tfsdk:"public_ip"`
	Timeouts                 timeouts.Value      `tfsdk:"timeouts"`
}

// target is the target the model names: the instance when instance_id is
// set, else the network interface and private IP.
func (m EIPAssociationResourceModel) target() client.Target {
	if !m.InstanceID.IsNull() {
		return client.Target{InstanceID: m.InstanceID.ValueString()}
	}
	return client.Target{NetworkInterfaceID: m.NetworkInterfaceID.ValueString(), PrivateIP: m.PrivateIP.ValueString()}
}

// record writes the association and what the API shows of it into the model.
func (m *EIPAssociationResourceModel) record(id associationID, addr *client.Address) {
	m.ID = types.StringValue(id.String())
	m.EIPID = types.StringValue(id.EIPID)
	m.InstanceID, m.NetworkInterfaceID, m.PrivateIP = types.StringNull(), types.StringNull(), iptypes.NewIPv4AddressNull()
	if id.Target.InstanceID != "" {
		m.InstanceID = types.StringValue(id.Target.InstanceID)
	} else {
		m.NetworkInterfaceID = types.StringValue(id.Target.NetworkInterfaceID)
		m.PrivateIP = iptypes.NewIPv4AddressValue(id.Target.PrivateIP)
	}
	m.PublicIP = iptypes.NewIPv4AddressNull()
	if addr != nil && addr.PublicIP != "" {
		m.PublicIP = iptypes.NewIPv4AddressValue(addr.PublicIP)
	}
	if m.ReallocateNormalPublicIP.IsNull() || m.ReallocateNormalPublicIP.IsUnknown() {
		m.ReallocateNormalPublicIP = types.BoolValue(false)
	}
	if m.AllowReassociation.IsNull() || m.AllowReassociation.IsUnknown() {
		m.AllowReassociation = types.BoolValue(false)
	}
}

func (r *EIPAssociationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_eip_association"
}

func (r *EIPAssociationResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Binds an Elastic IP (EIP) to a CVM instance, or to a private IP of an elastic network " +
			"interface (ENI). Destroying the resource unbinds the EIP (DisassociateAddress), optionally giving the " +
			"instance a normal public IP back (`reallocate_normal_public_ip`).",
		Version: 1,
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "`<eip_id>::<instance_id>` for an instance binding, or " +
					"`<eip_id>::<network_interface_id>::<private_ip>` for a network interface binding " +
					"(the official provider's format).",
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"eip_id": schema.StringAttribute{
				MarkdownDescription: "ID of the EIP to bind, such as `eip-1a2b3c4d`. The EIP must be unbound (`UNBIND`), " +
					"or unbound by a destroy of the same apply. Changing it replaces the association.",
				Required:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators: []validator.String{
					stringvalidator.RegexMatches(eipIDPattern, "must be an EIP id: eip- followed by 8 lowercase letters or digits"),
				},
			},
			"instance_id": schema.StringAttribute{
				MarkdownDescription: "ID of the CVM instance to bind the EIP to, such as `ins-1a2b3c4d`; the EIP goes to the " +
					"primary private IP of its primary network interface. Exactly one of `instance_id` or " +
					"`network_interface_id` (with `private_ip`) must be set. Changing the instance replaces the association; " +
					"naming the same private IP the other way (by instance, or by interface and IP) does not.",
				Optional: true,
				Validators: []validator.String{
					stringvalidator.RegexMatches(instanceIDPattern, "must be an instance id: ins- followed by 8 lowercase letters or digits"),
					stringvalidator.ExactlyOneOf(path.MatchRoot("instance_id"), path.MatchRoot("network_interface_id")),
					stringvalidator.ConflictsWith(path.MatchRoot("private_ip")),
				},
			},
			"network_interface_id": schema.StringAttribute{
				MarkdownDescription: "ID of the elastic network interface to bind the EIP to, such as `eni-1a2b3c4d`. " +
					"Requires `private_ip`; conflicts with `instance_id`. Changing it replaces the association.",
				Optional: true,
				Validators: []validator.String{
					stringvalidator.RegexMatches(eniIDPattern, "must be a network interface id: eni- followed by 8 lowercase letters or digits"),
					stringvalidator.AlsoRequires(path.MatchRoot("private_ip")),
				},
			},
			"private_ip": schema.StringAttribute{
				MarkdownDescription: "Private IPv4 address of `network_interface_id` to bind the EIP to. Requires " +
					"`network_interface_id`. Changing it replaces the association.",
				CustomType: iptypes.IPv4AddressType{},
				Optional:   true,
				Validators: []validator.String{
					stringvalidator.AlsoRequires(path.MatchRoot("network_interface_id")),
				},
			},
			"reallocate_normal_public_ip": schema.BoolAttribute{
				MarkdownDescription: "Whether destroying this association gives the instance a new normal (non-elastic) " +
					"public IP in place of the EIP. It acts only at destroy time, when it is sent to DisassociateAddress as " +
					"`ReallocateNormalPublicIp`; changing it is an in-place update that calls no API. The API allows it only " +
					"when the EIP sits on the primary private IP of an instance's primary network interface, and at most " +
					"10 times per account per day (quota `DAILY_PUBLIC_IP_ASSIGN`); plans check both. The destroy half of a " +
					"replacement that binds an EIP to the same private IP again does not reallocate. Defaults to `false`.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"allow_reassociation": schema.BoolAttribute{
				MarkdownDescription: "Whether the create may take the EIP from wherever it is bound, and unbind an EIP that " +
					"sits where this one goes, before binding (never reallocating a normal public IP). Without it, a create " +
					"waits for a destroy of the same apply to unbind them (an EIP moved between resources, a changed " +
					"`for_each` key), and fails, changing nothing, when nothing in the apply does. With it, the apply moves " +
					"and swaps EIPs at any `-parallelism`, but it also takes an EIP away from a binding that no resource of " +
					"the plan destroys, managed by Terraform or not: use it where this configuration alone decides where " +
					"its EIPs go. Changing it calls no API. Defaults to `false`.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"public_ip": schema.StringAttribute{
				MarkdownDescription: "The EIP's public IPv4 address.",
				CustomType:          iptypes.IPv4AddressType{},
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"timeouts": timeoutAttributes(timeouts.Attributes(ctx, timeouts.Opts{Create: true, Delete: true})),
		},
	}
}

func (r *EIPAssociationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	data, ok := req.ProviderData.(*providerData)
	if !ok {
		resp.Diagnostics.AddError("Unexpected Resource Configure Type",
			fmt.Sprintf("Expected *provider.providerData, got: %T. Please report this issue to the provider developers.", req.ProviderData))
		return
	}
	r.client, r.run, r.site = data.client, data.run, data.site
}

func (r *EIPAssociationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan EIPAssociationResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !hasClient(r.client, &resp.Diagnostics) {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	defer r.run.active()()
	r.run.startApply()

	id := associationID{EIPID: plan.EIPID.ValueString(), Target: plan.target()}
	ctx = tflog.SetField(ctx, "eip_association_id", id.String())
	b := r.bind(ctx, id, plan.AllowReassociation.ValueBool(), &resp.Diagnostics)
	if b.outcome == bindRefused {
		return
	}
	addr, err := b.found, error(nil)
	if b.outcome == bindAccepted {
		addr, err = r.waitUntilBound(ctx, id, b.taskID)
	}
	if mayHoldBinding(addr, err, id.Target) {
		plan.record(id, addr)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		if id.Target.InstanceID != "" && addr != nil && addr.BoundTo(id.Target) {
			resp.Diagnostics.Append(recordLocation(ctx, resp.Private, addr.Location())...)
		}
	}
	switch {
	case err != nil:
		resp.Diagnostics.Append(diagnose(binding, doingBind(id), err, r.facts(id, addr, true, "timeouts.create"), subjectOf(id.Target)))
	case !addr.BoundTo(id.Target):
		resp.Diagnostics.AddAttributeError(path.Root("eip_id"), "EIP did not stay bound",
			fmt.Sprintf("While %s: the task succeeded, but the EIP is now %s. Something outside this configuration "+
				"changed it meanwhile, so the association was not recorded.", doingBind(id), addr.Describe()))
	default:
		tflog.Info(ctx, "bound EIP", map[string]any{"public_ip": addr.PublicIP, "status": addr.Status})
	}
}

func (r *EIPAssociationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state EIPAssociationResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !hasClient(r.client, &resp.Diagnostics) {
		return
	}
	defer r.run.active()()
	a, ok := stateAssociation(ctx, state, req.Private, &resp.Diagnostics)
	if !ok {
		return
	}
	ctx = tflog.SetField(ctx, "eip_association_id", a.id.String())

	addr, err := r.client.LookupAddress(ctx, a.id.EIPID)
	if err != nil && !client.IsNotFound(err) {
		resp.Diagnostics.Append(diagnose(reading, "reading EIP "+a.id.EIPID, err, r.facts(a.id, nil, false, ""), subjectOf(a.id.Target)))
		return
	}
	if err == nil && a.id.Target.InstanceID != "" && !known(a.sitAt) && a.heldBy(addr) {
		// Not seen where it sits yet (state from an earlier version, a move
		// from another provider): an instance binding must sit on the
		// primary IP.
		if primary, err := r.onPrimaryIP(ctx, addr); err != nil {
			resp.Diagnostics.Append(diagnose(reading, "reading network interface "+addr.NetworkInterfaceID, err,
				r.facts(a.id, addr, false, ""), subjectOf(a.id.Target)))
			return
		} else if primary {
			a.sitAt = addr.Location()
		}
	}
	why := driftReason(a, addr)
	if addr != nil && !addr.IsBound() && unbindWasRequested(ctx, req.Private) {
		// Not blamed on anyone outside Terraform: a destroy that failed or timed
		// out after the API accepted its unbind.
		why = fmt.Sprintf("The EIP %s is %s: the unbind that an earlier terraform destroy or apply requested has completed", a.id.EIPID, addr.Status)
	}
	if why != "" {
		dropDrifted(ctx, a, addr, why, resp)
		return
	}
	if addr.Status != client.StatusUnbinding {
		// Settled and still bound: an unbind noted earlier did not take.
		resp.Diagnostics.Append(setJSON(ctx, resp.Private, keyUnbindRequested, nil)...)
	}
	if a.id.Target.InstanceID != "" {
		resp.Diagnostics.Append(recordLocation(ctx, resp.Private, a.sitAt)...)
	}
	resp.Diagnostics.Append(forgetPlanNotes(ctx, resp.Private)...)
	state.record(a.id, addr)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *EIPAssociationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	// What can change in place (reallocate_normal_public_ip,
	// allow_reassociation, timeouts, and the way the same binding is written)
	// is used by later operations only: there is nothing to call but a look
	// that the binding is still there.
	var plan, state EIPAssociationResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !hasClient(r.client, &resp.Diagnostics) {
		return
	}
	defer r.run.active()()
	r.run.startApply()
	a, ok := stateAssociation(ctx, state, req.Private, &resp.Diagnostics)
	if !ok {
		return
	}
	addr, err := r.client.LookupAddress(ctx, a.id.EIPID)
	if err != nil && !client.IsNotFound(err) {
		resp.Diagnostics.Append(diagnose(reading, "reading EIP "+a.id.EIPID, err, r.facts(a.id, nil, false, ""), subjectOf(a.id.Target)))
		return
	}
	if why := driftReason(a, addr); why != "" {
		resp.Diagnostics.AddError("EIP association changed since the plan",
			fmt.Sprintf("%s since the plan was made, so this change was not applied and the state still records %s. "+
				"Run terraform plan again: its refresh sees the change.", why, a.id))
		return
	}
	id := associationID{EIPID: a.id.EIPID, Target: plan.target()}
	if id.Target.InstanceID != "" && a.id.Target.InstanceID == "" {
		// Written as the instance from now on: only its primary IP is that.
		primary, err := r.onPrimaryIP(ctx, addr)
		if err != nil {
			resp.Diagnostics.Append(diagnose(reading, "reading network interface "+addr.NetworkInterfaceID, err,
				r.facts(a.id, addr, false, ""), subjectOf(id.Target)))
			return
		}
		if !primary {
			resp.Diagnostics.AddAttributeError(path.Root("instance_id"), "Not an instance binding",
				fmt.Sprintf("The EIP %s sits on %s, not on the primary private IP of instance %s's primary network "+
					"interface, which is what instance_id means. Keep naming it by network_interface_id and private_ip.",
					a.id.EIPID, addr.Location(), id.Target.InstanceID))
			return
		}
		a.sitAt = addr.Location()
	}
	plan.record(id, addr)
	if id.Target.InstanceID != "" {
		resp.Diagnostics.Append(recordLocation(ctx, resp.Private, a.sitAt)...)
	} else {
		resp.Diagnostics.Append(recordLocation(ctx, resp.Private, client.Target{})...)
	}
	resp.Diagnostics.Append(forgetPlanNotes(ctx, resp.Private)...)
	tflog.Debug(ctx, "updated EIP association settings in state only", map[string]any{
		"eip_association_id": id.String(), "reallocate_normal_public_ip": plan.ReallocateNormalPublicIP.ValueBool(),
		"allow_reassociation": plan.AllowReassociation.ValueBool(),
	})
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *EIPAssociationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state EIPAssociationResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !hasClient(r.client, &resp.Diagnostics) {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	defer r.run.active()()
	r.run.startApply()
	a, ok := stateAssociation(ctx, state, req.Private, &resp.Diagnostics)
	if !ok {
		return
	}
	ctx = tflog.SetField(ctx, "eip_association_id", a.id.String())
	unbound := r.run.startUnbind(a.id.EIPID)
	defer unbound()

	addr, err := r.lookBeforeUnbinding(ctx, a)
	switch {
	case client.IsNotFound(err):
		return
	case err != nil:
		resp.Diagnostics.Append(diagnose(unbinding, doingUnbind(a), err, r.facts(a.id, addr, false, "timeouts.delete"), subjectOf(a.id.Target)))
		return
	case r.run.wasClaimed(a.id.EIPID, a.location()):
		tflog.Info(ctx, "a create of this apply now manages the EIP; nothing to unbind", map[string]any{"bound_to": addr.Describe()})
		return
	case nothingToUnbind(ctx, a, addr, &resp.Diagnostics):
		return
	}
	opts := client.UnbindOptions{ReallocateNormalPublicIP: state.ReallocateNormalPublicIP.ValueBool()}
	var replacement replacementJSON
	if getJSON(ctx, req.Private, keyReplacement, &replacement) {
		// The destroy half of a replacement: unbind only if the create half
		// can bind, and give no normal public IP to a private IP that gets
		// an EIP again at once.
		next, _ := parseAssociationID(replacement.ID)
		if d := r.replacementProblem(ctx, a, next); d != nil {
			resp.Diagnostics.Append(d)
			return
		}
		if opts.ReallocateNormalPublicIP && r.sameIP(ctx, a, next.Target) {
			tflog.Info(ctx, "not reallocating: the replacement binds an EIP to the same private IP")
			opts.ReallocateNormalPublicIP = false
		}
	}
	u := r.unbind(ctx, a, addr, opts, &resp.Diagnostics)
	if u.outcome != unbindAccepted {
		return
	}
	// The API has accepted the unbind: should the wait fail, the next read
	// must not blame anyone outside Terraform for it.
	resp.Diagnostics.Append(markUnbindRequested(ctx, resp.Private)...)
	r.waitUntilUnbound(ctx, a, u.taskID, &resp.Diagnostics)
}

func (r *EIPAssociationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id, err := parseAssociationID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import id", err.Error())
		return
	}
	if !hasClient(r.client, &resp.Diagnostics) {
		return
	}
	defer r.run.active()()
	addr, err := r.client.LookupAddress(ctx, id.EIPID)
	if err == nil && !addr.IsSettled() {
		addr, err = r.settle(ctx, id.EIPID)
	}
	if err != nil && !client.IsNotFound(err) {
		resp.Diagnostics.Append(diagnose(reading, "importing EIP "+id.EIPID, err, r.facts(id, addr, false, ""), subjectOf(id.Target)))
		return
	}
	at, err := r.importable(ctx, id, addr)
	if err != nil {
		resp.Diagnostics.AddError("Cannot import this EIP's binding", err.Error())
		return
	}
	var data EIPAssociationResourceModel
	data.record(at.id, addr)
	// Read fills in the rest; timeouts stay unset until configured.
	for name, value := range map[string]attr.Value{
		"id": data.ID, "eip_id": data.EIPID, "instance_id": data.InstanceID,
		"network_interface_id": data.NetworkInterfaceID, "private_ip": data.PrivateIP,
		"reallocate_normal_public_ip": data.ReallocateNormalPublicIP, "allow_reassociation": data.AllowReassociation,
		"public_ip": data.PublicIP,
	} {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(name), value)...)
	}
	if at.id.Target.InstanceID != "" {
		resp.Diagnostics.Append(recordLocation(ctx, resp.Private, at.sitAt)...)
	}
}

func (r *EIPAssociationResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.run != nil {
		defer r.run.active()()
	}
	switch {
	case req.Plan.Raw.IsNull():
		var state EIPAssociationResourceModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if !resp.Diagnostics.HasError() {
			r.planDestroy(ctx, state, req.Private, &resp.Diagnostics)
		}
		return
	case req.State.Raw.IsNull():
		var plan EIPAssociationResourceModel
		resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
		if resp.Diagnostics.HasError() {
			return
		}
		planCreate(&plan)
		var replacing replacingJSON
		if getJSON(ctx, req.Private, keyReplacing, &replacing) {
			// The create half of a replacement: Terraform shows only the errors
			// of this second plan, and the first one checked it (planChange).
			resp.Diagnostics.Append(setJSON(ctx, resp.Private, keyReplacement, replacementJSON{ID: plan.ID.ValueString()})...)
		} else {
			r.checkCreate(ctx, plan, &resp.Diagnostics)
		}
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	default:
		var plan, state EIPAssociationResourceModel
		resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
		a, ok := stateAssociation(ctx, state, req.Private, &resp.Diagnostics)
		if !ok {
			return
		}
		// Should Terraform replace the resource (a changed target, -replace,
		// replace_triggered_by), the create half's plan knows what it replaces.
		resp.Diagnostics.Append(setJSON(ctx, resp.Private, keyReplacing, replacingJSON{
			ID: a.id.String(), Reallocate: state.ReallocateNormalPublicIP.ValueBool(),
		})...)
		if replaced := r.planChange(ctx, &plan, a, resp); replaced {
			r.checkReplacement(ctx, a, state, plan, &resp.Diagnostics)
		} else {
			r.checkUpdate(ctx, plan, a, state, &resp.Diagnostics)
		}
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	}
}

// UpgradeState carries state of schema version 0 over: it recorded where an
// instance binding sits in network_interface_id and private_ip, and the
// instance a network interface is attached to in instance_id; version 1 keeps
// only the configured form (the next refresh finds where it sits).
func (r *EIPAssociationResource) UpgradeState(ctx context.Context) map[int64]resource.StateUpgrader {
	v0 := eipAssociationSchemaV0(ctx)
	return map[int64]resource.StateUpgrader{
		0: {PriorSchema: &v0, StateUpgrader: func(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
			var old eipAssociationModelV0
			resp.Diagnostics.Append(req.State.Get(ctx, &old)...)
			if resp.Diagnostics.HasError() {
				return
			}
			upgraded := EIPAssociationResourceModel{
				ID: old.ID, EIPID: old.EIPID, InstanceID: old.InstanceID, NetworkInterfaceID: old.NetworkInterfaceID,
				PrivateIP: old.PrivateIP, ReallocateNormalPublicIP: old.ReallocateNormalPublicIP,
				AllowReassociation: types.BoolValue(false), PublicIP: old.PublicIP, Timeouts: old.Timeouts,
			}
			if id, err := parseAssociationID(old.ID.ValueString()); err == nil && id.hasTarget() {
				upgraded.record(id, nil)
				upgraded.PublicIP = old.PublicIP
			}
			resp.Diagnostics.Append(resp.State.Set(ctx, &upgraded)...)
		}},
	}
}

// planCreate fills in what a create's plan knows already: the id follows
// from the configuration once its values are known.
func planCreate(plan *EIPAssociationResourceModel) {
	targetKnown := knownString(plan.InstanceID) ||
		(plan.InstanceID.IsNull() && knownString(plan.NetworkInterfaceID) && !plan.PrivateIP.IsUnknown() && !plan.PrivateIP.IsNull())
	if knownString(plan.EIPID) && targetKnown {
		plan.ID = types.StringValue(associationID{EIPID: plan.EIPID.ValueString(), Target: plan.target()}.String())
	}
}

// planChange decides between an in-place change and a replacement when the
// configuration changed the target, and reports whether the association is
// replaced. Naming the same private IP the other way (the instance, or its
// primary network interface and primary private IP) is the same binding.
func (r *EIPAssociationResource) planChange(ctx context.Context, plan *EIPAssociationResourceModel, a association, resp *resource.ModifyPlanResponse) bool {
	if plan.EIPID.ValueString() != a.id.EIPID {
		return true // eip_id's own plan modifier asks for the replacement
	}
	same, changed := r.sameBinding(ctx, a, *plan, &resp.Diagnostics)
	if !same {
		resp.RequiresReplace = append(resp.RequiresReplace, changed...)
		plan.ID, plan.PublicIP = types.StringUnknown(), iptypes.NewIPv4AddressUnknown()
		return true
	}
	// The binding stays: only the way it is written (and so the id) may change.
	plan.ID = types.StringValue(associationID{EIPID: a.id.EIPID, Target: plan.target()}.String())
	return false
}

// sameBinding reports whether the plan names the binding the state records,
// and otherwise which attributes changed it.
func (r *EIPAssociationResource) sameBinding(ctx context.Context, a association, plan EIPAssociationResourceModel, diags *diag.Diagnostics) (bool, []path.Path) {
	byInstance := !plan.InstanceID.IsNull()
	changedInstance := []path.Path{path.Root("instance_id")}
	changedInterface := []path.Path{path.Root("network_interface_id"), path.Root("private_ip")}
	next := plan.target()
	switch {
	case byInstance && plan.InstanceID.IsUnknown():
		return false, changedInstance
	case !byInstance && (plan.NetworkInterfaceID.IsUnknown() || plan.PrivateIP.IsUnknown()):
		return false, changedInterface
	case byInstance && a.id.Target.InstanceID != "":
		return next == a.id.Target, changedInstance
	case !byInstance && a.id.Target.InstanceID == "":
		return next == a.id.Target, changedInterface
	case !byInstance:
		// From the instance to its primary interface and IP, where it sits.
		return known(a.sitAt) && next == a.sitAt, changedInterface
	}
	// From an interface binding to an instance: the same binding only if it
	// sits on the instance's primary network interface's primary private IP.
	if r.client == nil {
		return false, changedInstance
	}
	eni, err := r.client.LookupNetworkInterface(ctx, a.id.Target.NetworkInterfaceID)
	if err != nil && !client.IsInterfaceNotFound(err) {
		diags.Append(diagnose(reading, "reading network interface "+a.id.Target.NetworkInterfaceID, err,
			r.facts(a.id, nil, false, ""), subjectOf(a.id.Target)))
		return false, changedInstance
	}
	return eni.IsInstancePrimaryIP(next.InstanceID, a.id.Target.PrivateIP), changedInstance
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
func (r *EIPAssociationResource) bind(ctx context.Context, id associationID, reassociate bool, diags *diag.Diagnostics) bindResult {
	tflog.Info(ctx, "binding EIP", map[string]any{"allow_reassociation": reassociate})
	var err error
	for range maxBindAttempts {
		var taskID string
		taskID, err = r.client.Associate(ctx, id.EIPID, id.Target)
		if err == nil {
			return bindResult{outcome: bindAccepted, taskID: taskID}
		}
		var freed freeOutcome
		switch {
		case client.MaybeApplied(err):
			addr, lookErr := r.lookAfterWrite(ctx, id.EIPID)
			if lookErr == nil && r.heldAtTarget(ctx, id, addr) {
				tflog.Info(ctx, "a bind whose reply was lost went through; seeing it through", map[string]any{"status": addr.Status})
				return bindResult{outcome: bindAccepted}
			}
			diags.Append(diagnose(binding, doingBind(id), err, r.facts(id, addr, true, "timeouts.create"), subjectOf(id.Target)))
			return bindResult{}
		case client.IsStatusNotPermit(err):
			var addr *client.Address
			if freed, addr = r.freeEIP(ctx, id, reassociate, err, diags); freed == freeInPlace {
				return bindResult{outcome: bindFound, found: addr}
			}
		case client.IsTargetTaken(err):
			freed = r.freeTarget(ctx, id, reassociate, err, diags)
		default:
			diags.Append(diagnose(binding, doingBind(id), err, r.facts(id, nil, false, "timeouts.create"), subjectOf(id.Target)))
			return bindResult{}
		}
		if freed == freeFailed {
			return bindResult{}
		}
		tflog.Info(ctx, "what held the EIP or its target is gone; binding again")
	}
	diags.Append(diagnose(binding, doingBind(id), err, r.facts(id, nil, false, "timeouts.create"), subjectOf(id.Target)))
	return bindResult{}
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
func (r *EIPAssociationResource) freeEIP(ctx context.Context, id associationID, reassociate bool, refusal error,
	diags *diag.Diagnostics) (freeOutcome, *client.Address) {
	addr, err := r.client.LookupAddress(ctx, id.EIPID)
	switch {
	case err != nil:
		diags.Append(diagnose(binding, doingBind(id), refusal, r.facts(id, nil, false, "timeouts.create"), subjectOf(id.Target)))
		return freeFailed, nil
	case r.heldAtTarget(ctx, id, addr):
		// Taking the binding over is what lets an apply killed mid-way be
		// run again, and create_before_destroy replace a binding by itself.
		tflog.Info(ctx, "the EIP is already bound where it goes; taking that binding over", map[string]any{"bound_to": addr.Describe()})
		r.run.claim(id.EIPID, addr.Location())
		return freeInPlace, addr
	case !addr.IsSettled():
		_, err = r.settle(ctx, id.EIPID)
		return r.waited(ctx, id, err, diags), nil
	case !addr.IsBound():
		return freeRetry, nil
	}
	return r.freeHolder(ctx, id, addr, reassociate, "EIP is bound elsewhere", path.Root("eip_id"),
		fmt.Sprintf("The EIP %s is bound to %s", id.EIPID, addr.Describe()), diags), nil
}

// freeTarget deals with a bind refused because the target holds another EIP.
func (r *EIPAssociationResource) freeTarget(ctx context.Context, id associationID, reassociate bool, refusal error, diags *diag.Diagnostics) freeOutcome {
	holders, err := r.client.AddressesOn(ctx, id.Target)
	var holder *client.Address
	if err == nil {
		holder, err = r.holderWhereBound(ctx, id, holders)
	}
	switch {
	case err != nil || holder == nil:
		diags.Append(diagnose(binding, doingBind(id), refusal, r.facts(id, nil, false, "timeouts.create"), subjectOf(id.Target)))
		return freeFailed
	case !holder.IsSettled():
		_, err = r.settle(ctx, holder.ID)
		return r.waited(ctx, id, err, diags)
	}
	return r.freeHolder(ctx, id, holder, reassociate, "Target already holds an EIP", targetPath(id.Target),
		fmt.Sprintf("The EIP %s (%s) sits on %s, where %s goes", holder.ID, holder.PublicIP, primaryIPOf(id.Target), id.EIPID), diags)
}

// freeHolder gets the binding holder shows out of the way: with reassociate
// it unbinds it (with no normal public IP in its place); otherwise it waits
// for this apply to unbind it, and fails, changing nothing, when nothing in
// the apply does.
func (r *EIPAssociationResource) freeHolder(ctx context.Context, id associationID, holder *client.Address, reassociate bool,
	summary string, attribute path.Path, held string, diags *diag.Diagnostics) freeOutcome {
	if reassociate {
		tflog.Info(ctx, "allow_reassociation: unbinding what holds the EIP or its target", map[string]any{"holder": holder.ID, "bound_to": holder.Describe()})
		r.run.claim(holder.ID, holder.Location())
		taskID, err := r.client.Disassociate(ctx, holder.ID, client.UnbindOptions{})
		if err == nil {
			waitCtx, stop := afterAccepted(ctx, r.run.clock)
			_, err = r.client.WaitAddress(waitCtx, client.Task{Action: "DisassociateAddress", AddressID: holder.ID, ID: taskID},
				func(a *client.Address) bool { return a.IsSettled() && !a.IsBound() })
			stop()
		}
		if err != nil && !client.IsNotFound(err) {
			diags.Append(diagnose(unbinding, fmt.Sprintf("unbinding EIP %s from %s to bind %s (allow_reassociation)",
				holder.ID, holder.Describe(), id.EIPID), err, facts{EIPID: holder.ID, Region: r.client.Region(), Endpoint: r.client.Endpoint()},
				subject{}))
			return freeFailed
		}
		return freeRetry
	}
	tflog.Info(ctx, "waiting for this apply to unbind what holds the EIP or its target", map[string]any{"holder": holder.ID})
	freed, err := r.run.awaitUnbind(ctx, holder.ID)
	switch {
	case err != nil:
		diags.Append(diagnose(binding, doingBind(id), client.ContextError(ctx, "AssociateAddress",
			"waiting for "+holder.ID+" to be unbound"), r.facts(id, nil, false, "timeouts.create"), subjectOf(id.Target)))
		return freeFailed
	case !freed:
		diags.AddAttributeError(attribute, summary,
			fmt.Sprintf("%s, and nothing in this apply unbinds it before this bind (the apply waits for a destroy of the "+
				"same apply that does, as when the configuration moves an EIP between resources or changes a for_each key). "+
				"Nothing was changed for this resource. If this apply also destroyed what held it, run terraform apply again. "+
				"Otherwise unbind %s first (or remove the configuration that binds it), or bind %s elsewhere; to let the "+
				"apply take it from where it is bound, set allow_reassociation = true.", held, holder.ID, id.EIPID))
		return freeFailed
	}
	return freeRetry
}

// waited turns the end of a wait for an operation in flight into whether to
// bind again.
func (r *EIPAssociationResource) waited(ctx context.Context, id associationID, err error, diags *diag.Diagnostics) freeOutcome {
	if err != nil && !client.IsNotFound(err) {
		diags.Append(diagnose(binding, doingBind(id), err, r.facts(id, nil, false, "timeouts.create"), subjectOf(id.Target)))
		return freeFailed
	}
	return freeRetry
}

// holderWhereBound picks, of the addresses on the target, the one sitting
// where the EIP goes: for an instance, on its primary IP.
func (r *EIPAssociationResource) holderWhereBound(ctx context.Context, id associationID, holders []client.Address) (*client.Address, error) {
	var candidates []client.Address
	for _, h := range holders {
		if h.ID != id.EIPID {
			candidates = append(candidates, h)
		}
	}
	if id.Target.InstanceID == "" || len(candidates) <= 1 {
		if len(candidates) == 0 {
			return nil, nil
		}
		return &candidates[0], nil
	}
	primary, ok := r.primaryLocation(ctx, id.Target.InstanceID, candidates)
	for _, h := range candidates {
		if ok && h.Location() == primary {
			return &h, nil
		}
	}
	return nil, nil
}

// waitUntilBound waits for the accepted bind to settle on the target; the
// wait outlives an interruption (afterAccepted).
func (r *EIPAssociationResource) waitUntilBound(ctx context.Context, id associationID, taskID string) (*client.Address, error) {
	waitCtx, stop := afterAccepted(ctx, r.run.clock)
	defer stop()
	return r.client.WaitAddress(waitCtx, client.Task{Action: "AssociateAddress", AddressID: id.EIPID, ID: taskID},
		func(a *client.Address) bool { return a.IsSettled() && a.BoundTo(id.Target) })
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
func (r *EIPAssociationResource) unbind(ctx context.Context, a association, addr *client.Address, opts client.UnbindOptions, diags *diag.Diagnostics) unbindResult {
	tflog.Info(ctx, "unbinding EIP", map[string]any{"reallocate_normal_public_ip": opts.ReallocateNormalPublicIP})
	taskID, err := r.client.Disassociate(ctx, a.id.EIPID, opts)
	switch {
	case err == nil:
		return unbindResult{outcome: unbindAccepted, taskID: taskID}
	case client.IsNotFound(err):
		return unbindResult{outcome: unbindDone}
	case !client.MaybeApplied(err) && !client.IsStatusNotPermit(err):
		r.reportUnbindError(ctx, a, addr, err, diags)
		return unbindResult{outcome: unbindFailed}
	}
	again, readErr := r.lookAfterWrite(ctx, a.id.EIPID)
	switch {
	case client.IsNotFound(readErr):
		return unbindResult{outcome: unbindDone}
	case readErr != nil:
		r.reportUnbindError(ctx, a, addr, err, diags)
		return unbindResult{outcome: unbindFailed}
	case !again.IsBound():
		return unbindResult{outcome: unbindDone} // unbound by a try whose reply was lost
	case client.MaybeApplied(err) && again.Status == client.StatusUnbinding && a.heldBy(again):
		tflog.Info(ctx, "an unbind whose reply was lost is under way; seeing it through")
		return unbindResult{outcome: unbindAccepted}
	default:
		r.reportUnbindError(ctx, a, again, err, diags)
		return unbindResult{outcome: unbindFailed}
	}
}

func (r *EIPAssociationResource) reportUnbindError(ctx context.Context, a association, addr *client.Address, err error, diags *diag.Diagnostics) {
	f := r.facts(a.id, addr, client.MaybeApplied(err), "timeouts.delete")
	if client.HasCode(err, "AddressQuotaLimitExceeded.DailyAllocate") {
		// Read afresh (not the plan's reading): the count is for the message only.
		quota, quotaErr := r.client.DailyReallocationQuota(ctx)
		if quotaErr != nil {
			tflog.Warn(ctx, "could not read the address quota", map[string]any{"error": quotaErr.Error()})
		}
		f.Quota = quota
	}
	diags.Append(diagnose(unbinding, doingUnbind(a), err, f, subjectOf(a.id.Target)))
}

// waitUntilUnbound waits for the accepted unbind to take the EIP off this
// association's target; like a bind's, the wait outlives an interruption.
func (r *EIPAssociationResource) waitUntilUnbound(ctx context.Context, a association, taskID string, diags *diag.Diagnostics) {
	waitCtx, stop := afterAccepted(ctx, r.run.clock)
	defer stop()
	addr, err := r.client.WaitAddress(waitCtx, client.Task{Action: "DisassociateAddress", AddressID: a.id.EIPID, ID: taskID},
		func(addr *client.Address) bool { return addr.IsSettled() && !a.heldBy(addr) })
	switch {
	case client.IsNotFound(err):
	case err != nil:
		diags.Append(diagnose(unbinding, doingUnbind(a), err, r.facts(a.id, addr, true, "timeouts.delete"), subjectOf(a.id.Target)))
	case a.heldBy(addr):
		diags.AddAttributeError(path.Root("eip_id"), "EIP is still bound",
			fmt.Sprintf("While %s: the task succeeded, but the EIP is still bound to %s (status %s). Run terraform "+
				"destroy again.", doingUnbind(a), addr.Describe(), addr.Status))
	default:
		nothingToUnbind(ctx, a, addr, diags) // warns if it was bound elsewhere meanwhile
		tflog.Info(ctx, "unbound EIP", map[string]any{"status": addr.Status})
	}
}

// lookAfterWrite reads the EIP after a write whose outcome is unknown. The
// write may have been accepted, so the look is work done for it
// (afterAccepted): a binding the API made must not go unrecorded because the
// operation's time has just run out.
func (r *EIPAssociationResource) lookAfterWrite(ctx context.Context, eipID string) (*client.Address, error) {
	lookCtx, stop := afterAccepted(ctx, r.run.clock)
	defer stop()
	return r.client.LookupAddress(lookCtx, eipID)
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

// importable checks that the address shows a binding this resource can
// manage, as the import id names it, and returns that association; the EIP
// alone imports whatever it is bound to now.
func (r *EIPAssociationResource) importable(ctx context.Context, id associationID, addr *client.Address) (association, error) {
	switch {
	case addr == nil:
		return association{}, fmt.Errorf("no EIP %s exists in region %s. Check the id, and that the provider's region is the EIP's region", id.EIPID, r.client.Region())
	case addr.Type == client.AddressTypeWanIP:
		return association{}, errors.New(notAnEIP(addr))
	case !addr.IsSettled():
		return association{}, fmt.Errorf("the EIP %s is still %s after waiting for it to settle; import it again once it has", id.EIPID, addr.Status)
	case !addr.IsBound():
		return association{}, fmt.Errorf("the EIP %s is %s: there is no association to import. Bind it with a new "+
			"qcloud_eip_association instead of importing one", id.EIPID, addr.Status)
	case addr.InstanceID != "" && !instanceIDPattern.MatchString(addr.InstanceID):
		return association{}, fmt.Errorf("the EIP %s is bound to %s, which is not a CVM instance or a network interface: "+
			"qcloud_eip_association does not manage that binding", id.EIPID, addr.InstanceID)
	case !known(addr.Location()):
		return association{}, fmt.Errorf("the EIP %s is %s and shows no network interface and private IP; import it "+
			"again once it does", id.EIPID, addr.Status)
	}
	onInterface := associationID{EIPID: id.EIPID, Target: addr.Location()}
	if id.Target.NetworkInterfaceID != "" {
		if !addr.BoundTo(id.Target) {
			return association{}, fmt.Errorf("the EIP %s is bound to %s, not to %s; import it as %s", id.EIPID, addr.Describe(),
				id.Target, onInterface)
		}
		return association{id: id}, nil
	}
	if id.Target.InstanceID != "" && addr.InstanceID != id.Target.InstanceID {
		return association{}, fmt.Errorf("the EIP %s is bound to %s, not to instance %s", id.EIPID, addr.Describe(), id.Target.InstanceID)
	}
	primary := false
	if addr.InstanceID != "" {
		var err error
		if primary, err = r.onPrimaryIP(ctx, addr); err != nil {
			return association{}, fmt.Errorf("reading network interface %s to tell an instance binding from an interface one: %w",
				addr.NetworkInterfaceID, err)
		}
	}
	switch {
	case primary:
		return association{id: associationID{EIPID: id.EIPID, Target: client.Target{InstanceID: addr.InstanceID}}, sitAt: addr.Location()}, nil
	case id.Target.InstanceID != "":
		return association{}, fmt.Errorf("the EIP %s sits on %s of instance %s, not on the primary private IP of its primary "+
			"network interface, which is what an instance binding (an %s::%s id) means. Import it as %s", id.EIPID,
			addr.Location(), addr.InstanceID, id.EIPID, addr.InstanceID, onInterface)
	default:
		return association{id: onInterface}, nil
	}
}

// onPrimaryIP reports whether the address sits on the primary private IP of
// its instance's primary network interface. The API shows the instance for
// every binding on an interface attached to one, so the interface is read.
func (r *EIPAssociationResource) onPrimaryIP(ctx context.Context, addr *client.Address) (bool, error) {
	eni, err := r.client.LookupNetworkInterface(ctx, addr.NetworkInterfaceID)
	if client.IsInterfaceNotFound(err) {
		return false, nil
	}
	return eni.IsInstancePrimaryIP(addr.InstanceID, addr.PrivateIP), err
}

// dropDrifted removes an association that no longer exists from the state,
// with a warning saying why.
func dropDrifted(ctx context.Context, a association, addr *client.Address, why string, resp *resource.ReadResponse) {
	tflog.Warn(ctx, "EIP association no longer exists", map[string]any{"reason": why})
	next := "Unless the configuration no longer declares it, the next plan binds it again"
	if addr != nil && addr.IsBound() {
		next += fmt.Sprintf(", which fails while %s is bound to %s: unbind it there first, or remove the resource from the "+
			"configuration", a.id.EIPID, addr.Describe())
	} else {
		next += "; if the binding was changed on purpose, remove the resource from the configuration"
	}
	resp.Diagnostics.AddWarning("EIP association no longer exists",
		fmt.Sprintf("%s, so the association %s was removed from the state. %s.", why, a.id, next))
	resp.State.RemoveResource(ctx)
}

// driftReason says why the association no longer exists, or "".
func driftReason(a association, addr *client.Address) string {
	switch {
	case addr == nil:
		return fmt.Sprintf("The EIP %s no longer exists", a.id.EIPID)
	case !addr.IsBound():
		return fmt.Sprintf("The EIP %s was unbound outside Terraform (status %s)", a.id.EIPID, addr.Status)
	case a.id.Target.InstanceID != "" && addr.BoundTo(a.id.Target) && !known(a.sitAt):
		return fmt.Sprintf("The EIP %s sits on %s of instance %s, not on the primary private IP of its primary network "+
			"interface, which is what an instance binding means", a.id.EIPID, addr.Location(), a.id.Target.InstanceID)
	case addr.BoundTo(a.id.Target) && !a.heldBy(addr):
		return fmt.Sprintf("The EIP %s moved from %s to %s", a.id.EIPID, a.sitAt, addr.Location())
	case !a.heldBy(addr):
		return fmt.Sprintf("The EIP %s is now bound to %s instead of %s", a.id.EIPID, addr.Describe(), a.describe())
	}
	return ""
}

// nothingToUnbind reports whether the EIP needs no DisassociateAddress from
// this association: gone, unbound, or bound to something else (which is left
// alone, with a warning).
func nothingToUnbind(ctx context.Context, a association, addr *client.Address, diags *diag.Diagnostics) bool {
	switch {
	case addr == nil, !addr.IsBound():
		return true
	case !a.heldBy(addr):
		tflog.Warn(ctx, "EIP bound elsewhere; left alone", map[string]any{"bound_to": addr.Describe()})
		diags.AddWarning("EIP is bound to something else; left alone",
			fmt.Sprintf("The EIP %s is now bound to %s, not to %s as this association says. Destroying the association "+
				"did not unbind it, so that a binding Terraform does not manage is not broken.", a.id.EIPID, addr.Describe(),
				a.describe()))
		return true
	}
	return false
}

// stateAssociation is the association a state records; its id always names
// a target. Where an instance binding sits comes from private state.
func stateAssociation(ctx context.Context, state EIPAssociationResourceModel, private privateState, diags *diag.Diagnostics) (association, bool) {
	id, err := parseAssociationID(state.ID.ValueString())
	if err == nil && !id.hasTarget() {
		err = fmt.Errorf("%q names no instance or network interface", state.ID.ValueString())
	}
	if err != nil {
		diags.AddAttributeError(path.Root("id"), "Invalid association id in state", err.Error())
		return association{}, false
	}
	a := association{id: id}
	if id.Target.InstanceID != "" {
		a.sitAt = recordedLocation(ctx, private)
	}
	return a, true
}

// location is where the association sits, when known.
func (a association) location() client.Target {
	if a.id.Target.InstanceID == "" {
		return a.id.Target
	}
	return a.sitAt
}

// forgetPlanNotes removes what a plan noted for a replacement from the private
// state kept after an update or refresh.
func forgetPlanNotes(ctx context.Context, p privateState) diag.Diagnostics {
	diags := setJSON(ctx, p, keyReplacing, nil)
	diags.Append(setJSON(ctx, p, keyReplacement, nil)...)
	return diags
}

// subjectOf is the resource's attributes for each role, as the target's form
// names them.
func subjectOf(t client.Target) subject {
	s := subject{roleEIP: path.Root("eip_id"), roleReallocate: path.Root("reallocate_normal_public_ip"), roleTarget: targetPath(t)}
	s[roleInterface] = path.Root("network_interface_id")
	if t.InstanceID != "" {
		s[roleInterface] = path.Root("instance_id")
	}
	return s
}

// targetPath is the attribute naming where the EIP goes.
func targetPath(t client.Target) path.Path {
	if t.InstanceID != "" {
		return path.Root("instance_id")
	}
	return path.Root("private_ip")
}

func (r *EIPAssociationResource) facts(id associationID, addr *client.Address, accepted bool, timeout string) facts {
	return facts{EIPID: id.EIPID, Target: id.Target, Region: r.client.Region(), Endpoint: r.client.Endpoint(), Address: addr,
		Accepted: accepted, Timeout: timeout}
}

func doingBind(id associationID) string {
	return fmt.Sprintf("binding EIP %s to %s", id.EIPID, id.Target)
}

func doingUnbind(a association) string {
	return fmt.Sprintf("unbinding EIP %s from %s", a.id.EIPID, a.describe())
}

func knownString(v types.String) bool { return !v.IsNull() && !v.IsUnknown() }
