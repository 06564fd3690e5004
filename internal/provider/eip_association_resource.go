package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

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
	// importSettleTimeout bounds an import's wait for an EIP being bound or
	// unbound (an import has no timeout of its own).
	importSettleTimeout = time.Minute
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
	ID                       types.String   `tfsdk:"id"`
	EIPID                    types.String   `tfsdk:"eip_id"`
	InstanceID               types.String   `tfsdk:"instance_id"`
	NetworkInterfaceID       types.String   `tfsdk:"network_interface_id"`
	PrivateIP                types.String   `tfsdk:"private_ip"`
	ReallocateNormalPublicIP types.Bool     `tfsdk:"reallocate_normal_public_ip"`
	AllowReassociation       types.Bool     `tfsdk:"allow_reassociation"`
	PublicIP                 types.String   `tfsdk:"public_ip"`
	Timeouts                 timeouts.Value `tfsdk:"timeouts"`
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
	m.InstanceID, m.NetworkInterfaceID, m.PrivateIP = types.StringNull(), types.StringNull(), types.StringNull()
	if id.Target.InstanceID != "" {
		m.InstanceID = types.StringValue(id.Target.InstanceID)
	} else {
		m.NetworkInterfaceID = types.StringValue(id.Target.NetworkInterfaceID)
		m.PrivateIP = types.StringValue(id.Target.PrivateIP)
	}
	m.PublicIP = types.StringNull()
	if addr != nil && addr.PublicIP != "" {
		m.PublicIP = types.StringValue(addr.PublicIP)
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
					eipIDValidator(),
				},
			},
			"instance_id": schema.StringAttribute{
				MarkdownDescription: "ID of the CVM instance to bind the EIP to, such as `ins-1a2b3c4d`; the EIP goes to the " +
					"primary private IP of its primary network interface. Exactly one of `instance_id` or " +
					"`network_interface_id` (with `private_ip`) must be set. Changing the instance replaces the association; " +
					"naming the same private IP the other way (by instance, or by interface and IP) does not.",
				Optional: true,
				Validators: []validator.String{
					instanceIDValidator(),
					stringvalidator.ExactlyOneOf(path.MatchRoot("instance_id"), path.MatchRoot("network_interface_id")),
					stringvalidator.ConflictsWith(path.MatchRoot("private_ip")),
				},
			},
			"network_interface_id": schema.StringAttribute{
				MarkdownDescription: "ID of the elastic network interface to bind the EIP to, such as `eni-1a2b3c4d`. " +
					"Requires `private_ip`; conflicts with `instance_id`. Changing it replaces the association.",
				Optional: true,
				Validators: []validator.String{
					networkInterfaceIDValidator(),
					stringvalidator.AlsoRequires(path.MatchRoot("private_ip")),
				},
			},
			"private_ip": schema.StringAttribute{
				MarkdownDescription: "Private IPv4 address of `network_interface_id` to bind the EIP to. Requires " +
					"`network_interface_id`. Changing it replaces the association.",
				// A plain string checked by ipv4Address: the nettypes IPv4 type's
				// own check quotes Go's parser (ParseAddr("…"): …) at the user.
				Optional: true,
				Validators: []validator.String{
					ipv4Address{},
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
	op := bindOp{r: r, id: id, reassociate: plan.AllowReassociation.ValueBool(), timeout: timeoutName("create", timeout), diags: &resp.Diagnostics}
	b := op.bind(ctx)
	if b.outcome == bindRefused {
		return
	}
	addr, err := b.found, error(nil)
	if b.outcome == bindAccepted {
		addr, err = op.waitUntilBound(ctx, b.taskID)
	}
	if mayHoldBinding(addr, err, id.Target) {
		plan.record(id, addr)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		resp.Diagnostics.Append(r.recordRegion(ctx, resp.Identity, resp.Private, id.EIPID)...)
		if id.Target.InstanceID != "" && addr != nil && addr.BoundTo(id.Target) {
			resp.Diagnostics.Append(recordLocation(ctx, resp.Private, addr.Location())...)
		}
	}
	switch {
	case err != nil:
		op.fail(err, addr, true)
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
	// Before drift is judged: in another region the EIP is not found.
	if !r.inRecordedRegion(ctx, req.Identity, req.Private, a.id, &resp.Diagnostics) {
		return
	}
	// The region is the recorded one, or none was: state written before
	// identities existed gains its identity here (unchanged otherwise), and
	// even a binding dropped as drift must show one.
	resp.Diagnostics.Append(r.recordRegion(ctx, resp.Identity, resp.Private, a.id.EIPID)...)
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
	// Terraform keeps what an update returns even when it fails: until it
	// succeeds, that is the state as it was.
	resp.State.Raw = req.State.Raw.Copy()
	if resp.Diagnostics.HasError() || !hasClient(r.client, &resp.Diagnostics) {
		return
	}
	defer r.run.active()()
	r.run.startApply()
	a, ok := stateAssociation(ctx, state, req.Private, &resp.Diagnostics)
	if !ok || !r.inRecordedRegion(ctx, req.Identity, req.Private, a.id, &resp.Diagnostics) {
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
	resp.Diagnostics.Append(r.recordRegion(ctx, resp.Identity, resp.Private, id.EIPID)...)
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
	if !r.inRecordedRegion(ctx, req.Identity, req.Private, a.id, &resp.Diagnostics) {
		return
	}
	unbound := r.run.startUnbind(a.id.EIPID, a.location())
	if unbound == nil {
		tflog.Info(ctx, "a create of this apply now holds the binding; nothing to unbind")
		return
	}
	defer unbound()
	op := unbindOp{r: r, a: a, timeout: timeoutName("delete", timeout), diags: &resp.Diagnostics}

	addr, err := r.lookBeforeUnbinding(ctx, a)
	switch {
	case client.IsNotFound(err):
		return
	case err != nil:
		op.fail(ctx, addr, err)
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
			// The state kept after this error must not carry the note.
			resp.Diagnostics.Append(forgetPlanNotes(ctx, resp.Private)...)
			return
		}
		if opts.ReallocateNormalPublicIP && r.sameIP(ctx, a, next.Target) {
			tflog.Info(ctx, "not reallocating: the replacement binds an EIP to the same private IP")
			opts.ReallocateNormalPublicIP = false
		}
	}
	u := op.unbind(ctx, addr, opts)
	if u.outcome != unbindAccepted {
		return
	}
	// The API has accepted the unbind: should the wait fail, the next read
	// must not blame anyone outside Terraform for it.
	resp.Diagnostics.Append(markUnbindRequested(ctx, resp.Private)...)
	op.waitUntilUnbound(ctx, u.taskID)
}

func (r *EIPAssociationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	raw := req.ID
	if raw == "" {
		// import { identity = { eip_id = ... } } (Terraform and OpenTofu 1.12+):
		// the EIP names its binding.
		var ok bool
		if !hasClient(r.client, &resp.Diagnostics) {
			return
		}
		if raw, ok = r.importIDFromIdentity(ctx, req.Identity, &resp.Diagnostics); !ok {
			return
		}
	}
	id, err := parseAssociationID(raw)
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
		// Being bound or unbound: import what it settles to, or say what it
		// was still doing.
		settleCtx, cancel := context.WithTimeout(ctx, importSettleTimeout)
		if settled, settleErr := r.settle(settleCtx, id.EIPID); settleErr == nil || client.IsNotFound(settleErr) {
			addr, err = settled, settleErr
		}
		cancel()
	}
	if err != nil && !client.IsNotFound(err) {
		resp.Diagnostics.Append(diagnose(reading, "importing EIP "+id.EIPID, err, r.facts(id, addr, false, ""), subjectOf(id.Target)))
		return
	}
	at, err := r.importable(ctx, id, addr)
	if err != nil {
		resp.Diagnostics.AddError("Cannot import this EIP's binding", sentence(err.Error()))
		return
	}
	resp.Diagnostics.Append(setImported(ctx, &resp.State, at, addr)...)
	resp.Diagnostics.Append(r.recordRegion(ctx, resp.Identity, resp.Private, at.id.EIPID)...)
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
		// A plain destroy: no note of a replacement left by an earlier,
		// failed apply may reach its Delete.
		resp.Diagnostics.Append(forgetPlanNotes(ctx, resp.Private)...)
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

// UpgradeState carries state of schema version 0 over (see upgrade).
func (r *EIPAssociationResource) UpgradeState(ctx context.Context) map[int64]resource.StateUpgrader {
	v0 := eipAssociationSchemaV0(ctx)
	return map[int64]resource.StateUpgrader{
		0: {PriorSchema: &v0, StateUpgrader: func(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
			var old eipAssociationModelV0
			resp.Diagnostics.Append(req.State.Get(ctx, &old)...)
			if !resp.Diagnostics.HasError() {
				upgraded := old.upgrade()
				resp.Diagnostics.Append(resp.State.Set(ctx, &upgraded)...)
			}
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
		plan.ID, plan.PublicIP = types.StringUnknown(), types.StringUnknown()
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

// importable checks that the address shows a binding this resource can
// manage, as the import id names it, and returns that association; the EIP
// alone imports whatever it is bound to now.
func (r *EIPAssociationResource) importable(ctx context.Context, id associationID, addr *client.Address) (association, error) {
	if err := r.notImportable(id, addr); err != nil {
		return association{}, err
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
		return association{}, fmt.Errorf("the EIP %s is bound to %s, not to instance %s. To import the binding it has, "+
			"import the EIP id alone: %s", id.EIPID, addr.Describe(), id.Target.InstanceID, id.EIPID)
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

// attributeSetter is a state, or a list result's resource.
type attributeSetter interface {
	SetAttribute(ctx context.Context, p path.Path, val any) diag.Diagnostics
}

// setImported writes what an import records of the association: every
// attribute but timeouts, which stay unset until configured.
func setImported(ctx context.Context, to attributeSetter, at association, addr *client.Address) diag.Diagnostics {
	var data EIPAssociationResourceModel
	data.record(at.id, addr)
	var diags diag.Diagnostics
	for name, value := range map[string]attr.Value{
		"id": data.ID, "eip_id": data.EIPID, "instance_id": data.InstanceID,
		"network_interface_id": data.NetworkInterfaceID, "private_ip": data.PrivateIP,
		"reallocate_normal_public_ip": data.ReallocateNormalPublicIP, "allow_reassociation": data.AllowReassociation,
		"public_ip": data.PublicIP,
	} {
		diags.Append(to.SetAttribute(ctx, path.Root(name), value)...)
	}
	return diags
}

// notImportable says why the address shows no binding this resource can
// manage, or returns nil; it reads nothing.
func (r *EIPAssociationResource) notImportable(id associationID, addr *client.Address) error {
	switch {
	case addr == nil:
		return fmt.Errorf("no EIP %s exists in region %s. Check the id, and that the provider's region is the EIP's region", id.EIPID, r.client.Region())
	case addr.Type == client.AddressTypeWanIP:
		return errors.New(notAnEIP(addr))
	case !addr.IsSettled():
		return fmt.Errorf("the EIP %s was still %s (%s) after waiting %s for it to settle; import it again once it has",
			id.EIPID, addr.Status, addr.Describe(), importSettleTimeout)
	case !addr.IsBound():
		return fmt.Errorf("the EIP %s is %s: there is no association to import. Bind it with a new "+
			"qcloud_eip_association instead of importing one", id.EIPID, addr.Status)
	case addr.InstanceID != "" && !instanceIDPattern.MatchString(addr.InstanceID):
		return fmt.Errorf("the EIP %s is bound to %s, which is not a CVM instance or a network interface: "+
			"qcloud_eip_association does not manage that binding", id.EIPID, addr.InstanceID)
	case !known(addr.Location()):
		return fmt.Errorf("the EIP %s is %s and shows no network interface and private IP; import it "+
			"again once it does", id.EIPID, addr.Status)
	}
	return nil
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
	next := "Unless the configuration no longer declares it, Terraform plans to bind it again"
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
