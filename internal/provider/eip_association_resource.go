package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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
	_ resource.Resource                = &EIPAssociationResource{}
	_ resource.ResourceWithConfigure   = &EIPAssociationResource{}
	_ resource.ResourceWithModifyPlan  = &EIPAssociationResource{}
	_ resource.ResourceWithImportState = &EIPAssociationResource{}
)

func NewEIPAssociationResource() resource.Resource {
	return &EIPAssociationResource{}
}

// EIPAssociationResource binds an EIP to an instance or to a private IP of a
// network interface.
type EIPAssociationResource struct {
	client *client.Client
	run    *runLedger
	site   site
}

// EIPAssociationResourceModel is the resource's data.
type EIPAssociationResourceModel struct {
	ID                       types.String        `tfsdk:"id"`
	EIPID                    types.String        `tfsdk:"eip_id"`
	InstanceID               types.String        `tfsdk:"instance_id"`
	NetworkInterfaceID       types.String        `tfsdk:"network_interface_id"`
	PrivateIP                iptypes.IPv4Address `tfsdk:"private_ip"`
	ReallocateNormalPublicIP types.Bool          `tfsdk:"reallocate_normal_public_ip"`
	PublicIP                 iptypes.IPv4Address `tfsdk:"public_ip"`
	Timeouts                 timeouts.Value      `tfsdk:"timeouts"`
}

// requestedTarget is the target a configuration names: the instance when
// instance_id is set in it, else the network interface and private IP.
func (m EIPAssociationResourceModel) requestedTarget() client.Target {
	if !m.InstanceID.IsNull() {
		return client.Target{InstanceID: m.InstanceID.ValueString()}
	}
	return client.Target{NetworkInterfaceID: m.NetworkInterfaceID.ValueString(), PrivateIP: m.PrivateIP.ValueString()}
}

// recordedLocation is where the state says the binding sits.
func (m EIPAssociationResourceModel) recordedLocation() location {
	return location{NetworkInterfaceID: m.NetworkInterfaceID.ValueString(), PrivateIP: m.PrivateIP.ValueString()}
}

// record writes what the API shows of the association into the model: its id,
// its target as written, where it sits, and the EIP's public IP.
func (m *EIPAssociationResourceModel) record(id associationID, addr *client.Address) {
	m.ID = types.StringValue(id.String())
	m.EIPID = types.StringValue(id.EIPID)
	if id.Target.InstanceID != "" {
		m.InstanceID = types.StringValue(id.Target.InstanceID)
		m.NetworkInterfaceID, m.PrivateIP = types.StringNull(), iptypes.NewIPv4AddressNull()
		if addr != nil && locationOf(addr).known() {
			m.NetworkInterfaceID = types.StringValue(addr.NetworkInterfaceID)
			m.PrivateIP = iptypes.NewIPv4AddressValue(addr.PrivateIP)
		}
	} else {
		m.NetworkInterfaceID = types.StringValue(id.Target.NetworkInterfaceID)
		m.PrivateIP = iptypes.NewIPv4AddressValue(id.Target.PrivateIP)
		m.InstanceID = types.StringNull()
		if addr != nil && addr.InstanceID != "" {
			m.InstanceID = types.StringValue(addr.InstanceID)
		}
	}
	m.PublicIP = iptypes.NewIPv4AddressNull()
	if addr != nil && addr.PublicIP != "" {
		m.PublicIP = iptypes.NewIPv4AddressValue(addr.PublicIP)
	}
	if m.ReallocateNormalPublicIP.IsNull() || m.ReallocateNormalPublicIP.IsUnknown() {
		m.ReallocateNormalPublicIP = types.BoolValue(false)
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
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "`<eip_id>::<instance_id>` for an instance binding, or " +
					"`<eip_id>::<network_interface_id>::<private_ip>` for a network interface binding " +
					"(the official provider's format).",
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"eip_id": schema.StringAttribute{
				MarkdownDescription: "ID of the EIP to bind, such as `eip-1a2b3c4d`. The EIP must be unbound (`UNBIND`). " +
					"Changing it replaces the association.",
				Required:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators: []validator.String{
					stringvalidator.RegexMatches(eipIDPattern, "must be an EIP id: eip- followed by 8 lowercase letters or digits"),
				},
			},
			"instance_id": schema.StringAttribute{
				MarkdownDescription: "ID of the CVM instance to bind the EIP to, such as `ins-1a2b3c4d`; the EIP goes to the " +
					"primary private IP of its primary network interface. Exactly one of `instance_id` or " +
					"`network_interface_id` (with `private_ip`) must be set. For a network interface binding, the instance " +
					"the interface is attached to, if any. Changing the instance replaces the association; naming the same " +
					"private IP the other way (by instance, or by interface and IP) does not.",
				Optional: true,
				Computed: true,
				Validators: []validator.String{
					stringvalidator.RegexMatches(instanceIDPattern, "must be an instance id: ins- followed by 8 lowercase letters or digits"),
					stringvalidator.ExactlyOneOf(path.MatchRoot("instance_id"), path.MatchRoot("network_interface_id")),
					stringvalidator.ConflictsWith(path.MatchRoot("private_ip")),
				},
			},
			"network_interface_id": schema.StringAttribute{
				MarkdownDescription: "ID of the elastic network interface to bind the EIP to, such as `eni-1a2b3c4d`. " +
					"Requires `private_ip`; conflicts with `instance_id`. For an instance binding, the instance's primary " +
					"network interface, where the EIP sits. Changing it replaces the association.",
				Optional: true,
				Computed: true,
				Validators: []validator.String{
					stringvalidator.RegexMatches(eniIDPattern, "must be a network interface id: eni- followed by 8 lowercase letters or digits"),
					stringvalidator.AlsoRequires(path.MatchRoot("private_ip")),
				},
			},
			"private_ip": schema.StringAttribute{
				MarkdownDescription: "Private IPv4 address of `network_interface_id` to bind the EIP to. Requires " +
					"`network_interface_id`. For an instance binding, the primary private IP where the EIP sits. Changing it " +
					"replaces the association.",
				CustomType: iptypes.IPv4AddressType{},
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{
					stringvalidator.AlsoRequires(path.MatchRoot("network_interface_id")),
				},
			},
			"reallocate_normal_public_ip": schema.BoolAttribute{
				MarkdownDescription: "Whether destroying this association gives the instance a new normal (non-elastic) " +
					"public IP in place of the EIP. It acts only at destroy time, when it is sent to DisassociateAddress as " +
					"`ReallocateNormalPublicIp`; changing it is an in-place update that calls no API. The API allows it only " +
					"when the EIP sits on the primary private IP of an instance's primary network interface, and at most " +
					"10 times per account per day (quota `DAILY_PUBLIC_IP_ASSIGN`); plans check both. Defaults to `false`.",
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
			"timeouts": positiveTimeouts(timeouts.Attributes(ctx, timeouts.Opts{Create: true, Delete: true})),
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
	var plan, config EIPAssociationResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
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

	id := associationID{EIPID: plan.EIPID.ValueString(), Target: config.requestedTarget()}
	ctx = tflog.SetField(ctx, "eip_association_id", id.String())
	claim := r.run.claimBinding(id)
	defer claim.release()

	if !r.waitForTargetToFree(ctx, id, &resp.Diagnostics) {
		return
	}
	taskID, accepted := r.bind(ctx, id, claim, &resp.Diagnostics)
	if !accepted {
		return
	}
	claim.made()
	addr, err := r.waitUntilBound(ctx, id, taskID)
	if mayHoldBinding(addr, err, id.Target) {
		plan.record(id, addr)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	}
	switch {
	case err != nil:
		resp.Diagnostics.Append(diagnose(opCreate, doingBind(id), err, r.situation(id, addr)))
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
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	defer r.run.active()()
	a, ok := stateAssociation(state, &resp.Diagnostics)
	if !ok {
		return
	}
	ctx = tflog.SetField(ctx, "eip_association_id", a.id.String())
	r.run.noteRead(a)

	addr, err := r.client.LookupAddress(ctx, a.id.EIPID)
	if err != nil {
		resp.Diagnostics.Append(diagnose(opRead, "reading EIP "+a.id.EIPID, err, r.situation(a.id, nil)))
		return
	}
	if addr != nil && a.heldBy(addr) && !a.sitAt.known() && a.id.Target.InstanceID != "" {
		// Carried over without its location (from an earlier version, or
		// another provider): an instance binding must sit on the primary IP.
		primary, err := r.onPrimaryIP(ctx, addr)
		if err != nil {
			resp.Diagnostics.Append(diagnose(opRead, "reading network interface "+addr.NetworkInterfaceID, err, r.situation(a.id, addr)))
			return
		}
		if !primary {
			r.dropDrifted(ctx, a, fmt.Sprintf("The EIP %s sits on %s of instance %s, not on the primary private IP of its "+
				"primary network interface, which is what an instance binding means", a.id.EIPID, locationOf(addr), a.id.Target.InstanceID), resp)
			return
		}
	}
	why := driftReason(a, addr)
	if addr != nil && !addr.IsBound() && req.Private != nil && unbindWasRequested(ctx, req.Private) {
		// Not blamed on anyone outside Terraform: a destroy that failed or timed
		// out after the API accepted its unbind.
		why = fmt.Sprintf("The EIP %s is %s: the unbind that an earlier terraform destroy or apply requested has completed", a.id.EIPID, addr.Status)
	}
	if why != "" {
		r.dropDrifted(ctx, a, why, resp)
		return
	}
	if resp.Private != nil {
		// Still bound: an unbind noted earlier did not take.
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, unbindRequestedKey, nil)...)
	}
	state.record(a.id, addr)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *EIPAssociationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	// What can change in place (reallocate_normal_public_ip, timeouts, and
	// the way the same binding is written) is used by later operations only:
	// there is nothing to call but a look that the binding is still there.
	var plan, state, config EIPAssociationResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	defer r.run.active()()
	r.run.startApply()
	a, ok := stateAssociation(state, &resp.Diagnostics)
	if !ok {
		return
	}
	addr, err := r.client.LookupAddress(ctx, a.id.EIPID)
	if err != nil {
		resp.Diagnostics.Append(diagnose(opUpdate, "reading EIP "+a.id.EIPID, err, r.situation(a.id, nil)))
		return
	}
	if why := driftReason(a, addr); why != "" {
		resp.Diagnostics.AddError("EIP association no longer exists",
			fmt.Sprintf("%s since the plan was made, so this change was not applied and the association was removed "+
				"from the state. The next plan binds it again unless the configuration no longer declares it.", why))
		resp.State.RemoveResource(ctx)
		return
	}
	id := associationID{EIPID: a.id.EIPID, Target: config.requestedTarget()}
	plan.record(id, addr)
	tflog.Debug(ctx, "updated EIP association settings in state only", map[string]any{
		"eip_association_id": id.String(), "reallocate_normal_public_ip": plan.ReallocateNormalPublicIP.ValueBool(),
	})
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *EIPAssociationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state EIPAssociationResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
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
	a, ok := stateAssociation(state, &resp.Diagnostics)
	if !ok {
		return
	}
	ctx = tflog.SetField(ctx, "eip_association_id", a.id.String())
	unbinding := r.run.startUnbind(a, state.InstanceID.ValueString())
	defer unbinding.done()

	addr, done := r.lookBeforeUnbinding(ctx, a, &resp.Diagnostics)
	if done {
		return
	}
	opts := client.UnbindOptions{ReallocateNormalPublicIP: state.ReallocateNormalPublicIP.ValueBool()}
	taskID, done := r.unbind(ctx, a, addr, opts, &resp.Diagnostics)
	if done {
		return
	}
	// The API has accepted the unbind: should the wait fail, the next read
	// must not blame anyone outside Terraform for it.
	if resp.Private != nil {
		resp.Diagnostics.Append(markUnbindRequested(ctx, resp.Private)...)
	}
	r.waitUntilUnbound(ctx, a, taskID, &resp.Diagnostics)
}

func (r *EIPAssociationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id, err := parseAssociationID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import id", err.Error())
		return
	}
	if !r.configured(&resp.Diagnostics) {
		return
	}
	defer r.run.active()()
	addr, err := r.client.LookupAddress(ctx, id.EIPID)
	if err != nil {
		resp.Diagnostics.Append(diagnose(opImport, "importing EIP "+id.EIPID, err, r.situation(id, nil)))
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
		"reallocate_normal_public_ip": data.ReallocateNormalPublicIP, "public_ip": data.PublicIP,
	} {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(name), value)...)
	}
}

// waitForTargetToFree waits, within the create's time, while this run is
// unbinding an EIP from the target.
func (r *EIPAssociationResource) waitForTargetToFree(ctx context.Context, id associationID, diags *diag.Diagnostics) bool {
	if err := r.run.waitForUnbindsOn(ctx, id.Target); err != nil {
		diags.Append(diagnose(opCreate, doingBind(id), client.ContextError(ctx, "AssociateAddress",
			"waiting for the EIP that holds "+describeTarget(id.Target)+" to be unbound"), r.situation(id, nil)))
		return false
	}
	return true
}

// bind asks for the binding. When the target is held by an EIP on its way
// out (unbound by this run, as when a for_each key changes from one EIP to
// another, or UNBINDING), it waits for it and asks again. When the answer
// leaves it open whether the EIP is bound to this target already (a reply
// lost, or a refusal because it is bound), it looks: a binding to this very
// target, left by an earlier run killed before it could record it, is carried
// on. It returns the task's id ("" when carrying on) and whether the binding
// was accepted.
func (r *EIPAssociationResource) bind(ctx context.Context, id associationID, claim *bindingClaim, diags *diag.Diagnostics) (string, bool) {
	tflog.Info(ctx, "binding EIP")
	asked := time.Now()
	taskID, err := r.client.Associate(ctx, id.EIPID, id.Target)
	if client.IsTargetTaken(err) && r.targetFreed(ctx, id, asked) {
		tflog.Info(ctx, "the EIP that held the target is gone; binding again")
		taskID, err = r.client.Associate(ctx, id.EIPID, id.Target)
	}
	if err == nil {
		return taskID, true
	}
	lostReply := client.MaybeApplied(err)
	if !lostReply && !client.IsStatusNotPermit(err) {
		diags.Append(diagnose(opCreate, doingBind(id), err, r.situation(id, nil)))
		return "", false
	}
	lookCtx, stopLooking := lookContext(ctx)
	addr, readErr := r.client.LookupAddress(lookCtx, id.EIPID)
	stopLooking()
	if readErr != nil || addr == nil || !addr.BoundTo(id.Target) {
		diags.Append(diagnose(opCreate, doingBind(id), err, r.situation(id, addr)))
		return "", false
	}
	if lostReply {
		tflog.Info(ctx, "a bind whose reply was lost went through; seeing it through", map[string]any{"status": addr.Status})
		return "", true
	}
	if owner := claim.otherOwner(ctx); owner != "" {
		diags.AddAttributeError(path.Root("eip_id"), "EIP binding is managed by another resource",
			fmt.Sprintf("The EIP %s is bound to %s by another qcloud_eip_association of this configuration (id %s). Two "+
				"resources must not manage one binding: destroying either would unbind it from under the other. Remove "+
				"one of them.", id.EIPID, addr.Describe(), owner))
		return "", false
	}
	// Taking the binding over is what lets an apply killed mid-way be run
	// again; say so, in case something else made it.
	diags.AddAttributeWarning(path.Root("eip_id"), "EIP was already bound to this target",
		fmt.Sprintf("The EIP %s was already bound to %s, by an earlier run that was interrupted before it "+
			"could record it, or outside this configuration. This resource manages that binding from now on; "+
			"if another resource or tool manages it too, remove one of them, since destroying either unbinds it.",
			id.EIPID, addr.Describe()))
	return "", true
}

// targetFreed waits for the EIP holding the target to go, when it is going:
// this run unbinds it (or has, since the bind was asked for), or the API shows
// it UNBINDING. It reports whether the target may be free now.
func (r *EIPAssociationResource) targetFreed(ctx context.Context, id associationID, asked time.Time) bool {
	if freed, err := r.run.awaitUnbindOn(ctx, id.Target, asked); freed || err != nil {
		return freed
	}
	holders, err := r.client.AddressesOn(ctx, id.Target)
	if err != nil {
		return false
	}
	for _, h := range holders {
		if h.Status != client.StatusUnbinding {
			continue
		}
		if _, err := r.client.WaitAddress(ctx, client.Task{Action: "DisassociateAddress", AddressID: h.ID},
			func(a *client.Address) bool { return a.IsSettled() }); err != nil {
			return false
		}
		return true
	}
	return false
}

// waitUntilBound waits for the accepted bind to settle on the target. The
// wait outlives an interruption by interruptGrace, so that a bind the API
// accepted is recorded rather than left for the next apply to redo.
func (r *EIPAssociationResource) waitUntilBound(ctx context.Context, id associationID, taskID string) (*client.Address, error) {
	waitCtx, stopWaiting := settleContext(ctx)
	defer stopWaiting()
	return r.client.WaitAddress(waitCtx, client.Task{Action: "AssociateAddress", AddressID: id.EIPID, ID: taskID},
		func(a *client.Address) bool { return a.IsSettled() && a.BoundTo(id.Target) })
}

// mayHoldBinding reports whether, after a bind the API accepted, the EIP may
// be bound to target. Such an association is recorded even when the wait
// failed (Terraform then taints it and can undo it), so that nothing is
// orphaned; one seen settled elsewhere is not.
func mayHoldBinding(addr *client.Address, waitErr error, target client.Target) bool {
	switch {
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
// interrupted apply, say) land first. It reports done when there is nothing
// for this association to unbind: the EIP is gone, unbound, or bound to
// something else (left alone, with a warning).
func (r *EIPAssociationResource) lookBeforeUnbinding(ctx context.Context, a association, diags *diag.Diagnostics) (*client.Address, bool) {
	addr, err := r.client.LookupAddress(ctx, a.id.EIPID)
	if err == nil && addr != nil && !addr.IsSettled() {
		addr, err = r.client.WaitAddress(ctx, client.Task{Action: "DisassociateAddress", AddressID: a.id.EIPID},
			func(a *client.Address) bool { return a.IsSettled() })
	}
	switch {
	case client.IsNotFound(err):
		return nil, true
	case err != nil:
		diags.Append(diagnose(opDelete, doingUnbind(a), err, r.situation(a.id, addr)))
		return nil, true
	}
	return addr, nothingToUnbind(ctx, a, addr, diags)
}

// unbind asks for the unbinding. When the answer leaves it open whether an
// earlier try went through (a reply lost, or a refusal because the EIP is not
// bound), it looks. It returns the task's id ("" when carrying on with an
// unbind already in flight) and whether there is nothing left to do.
func (r *EIPAssociationResource) unbind(ctx context.Context, a association, addr *client.Address, opts client.UnbindOptions, diags *diag.Diagnostics) (string, bool) {
	tflog.Info(ctx, "unbinding EIP", map[string]any{"reallocate_normal_public_ip": opts.ReallocateNormalPublicIP})
	taskID, err := r.client.Disassociate(ctx, a.id.EIPID, opts)
	switch {
	case err == nil:
		return taskID, false
	case client.IsNotFound(err):
		return "", true
	case !client.MaybeApplied(err) && !client.IsStatusNotPermit(err):
		r.reportUnbindError(ctx, a, addr, err, diags)
		return "", true
	}
	lookCtx, stopLooking := lookContext(ctx)
	again, readErr := r.client.LookupAddress(lookCtx, a.id.EIPID)
	stopLooking()
	switch {
	case readErr != nil:
		r.reportUnbindError(ctx, a, addr, err, diags)
		return "", true
	case again == nil || !again.IsBound():
		return "", true // unbound by a try whose reply was lost
	case client.MaybeApplied(err) && again.Status == client.StatusUnbinding && a.heldBy(again):
		tflog.Info(ctx, "an unbind whose reply was lost is under way; seeing it through")
		return "", false
	default:
		r.reportUnbindError(ctx, a, again, err, diags)
		return "", true
	}
}

func (r *EIPAssociationResource) reportUnbindError(ctx context.Context, a association, addr *client.Address, err error, diags *diag.Diagnostics) {
	s := r.situation(a.id, addr)
	if client.HasCode(err, "AddressQuotaLimitExceeded.DailyAllocate") {
		// Read afresh (not the plan's reading): the count is for the message only.
		quota, quotaErr := r.client.DailyReallocationQuota(ctx)
		if quotaErr != nil {
			tflog.Warn(ctx, "could not read the address quota", map[string]any{"error": quotaErr.Error()})
		}
		s.Quota = quota
	}
	diags.Append(diagnose(opDelete, doingUnbind(a), err, s))
}

// waitUntilUnbound waits for the accepted unbind to take the EIP off this
// association's target; like a bind, the wait outlives an interruption.
func (r *EIPAssociationResource) waitUntilUnbound(ctx context.Context, a association, taskID string, diags *diag.Diagnostics) {
	waitCtx, stopWaiting := settleContext(ctx)
	defer stopWaiting()
	addr, err := r.client.WaitAddress(waitCtx, client.Task{Action: "DisassociateAddress", AddressID: a.id.EIPID, ID: taskID},
		func(addr *client.Address) bool { return addr.IsSettled() && !a.heldBy(addr) })
	switch {
	case client.IsNotFound(err):
	case err != nil:
		diags.Append(diagnose(opDelete, doingUnbind(a), err, r.situation(a.id, addr)))
	case a.heldBy(addr):
		diags.AddAttributeError(path.Root("eip_id"), "EIP is still bound",
			fmt.Sprintf("While %s: the task succeeded, but the EIP is still bound to %s (status %s). Run terraform "+
				"destroy again.", doingUnbind(a), addr.Describe(), addr.Status))
	default:
		nothingToUnbind(ctx, a, addr, diags) // warns if it was bound elsewhere meanwhile
		tflog.Info(ctx, "unbound EIP", map[string]any{"status": addr.Status})
	}
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
	case !addr.IsBound():
		return association{}, fmt.Errorf("the EIP %s is %s: there is no association to import. Bind it with a new "+
			"qcloud_eip_association instead of importing one", id.EIPID, addr.Status)
	case addr.InstanceID != "" && !instanceIDPattern.MatchString(addr.InstanceID):
		return association{}, fmt.Errorf("the EIP %s is bound to %s, which is not a CVM instance or a network interface: "+
			"qcloud_eip_association does not manage that binding", id.EIPID, addr.InstanceID)
	case !locationOf(addr).known() && addr.InstanceID == "":
		return association{}, fmt.Errorf("the EIP %s is %s and shows no target yet; import it again once it has settled", id.EIPID, addr.Status)
	}
	onInterface := associationID{EIPID: id.EIPID, Target: client.Target{NetworkInterfaceID: addr.NetworkInterfaceID, PrivateIP: addr.PrivateIP}}
	if id.Target.NetworkInterfaceID != "" {
		if !addr.BoundTo(id.Target) {
			return association{}, fmt.Errorf("the EIP %s is bound to %s, not to %s; import it as %s", id.EIPID, addr.Describe(),
				describeTarget(id.Target), onInterface)
		}
		return association{id: id, sitAt: locationOf(addr)}, nil
	}
	if id.Target.InstanceID != "" && addr.InstanceID != id.Target.InstanceID {
		return association{}, fmt.Errorf("the EIP %s is bound to %s, not to instance %s", id.EIPID, addr.Describe(), id.Target.InstanceID)
	}
	if !locationOf(addr).known() {
		// The API shows the instance only: nothing more to check.
		return association{id: associationID{EIPID: id.EIPID, Target: client.Target{InstanceID: addr.InstanceID}}}, nil
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
		return association{id: associationID{EIPID: id.EIPID, Target: client.Target{InstanceID: addr.InstanceID}}, sitAt: locationOf(addr)}, nil
	case id.Target.InstanceID != "":
		return association{}, fmt.Errorf("the EIP %s sits on %s of instance %s, not on the primary private IP of its primary "+
			"network interface, which is what an instance binding (an %s::%s id) means. Import it as %s", id.EIPID,
			locationOf(addr), addr.InstanceID, id.EIPID, addr.InstanceID, onInterface)
	default:
		return association{id: onInterface, sitAt: locationOf(addr)}, nil
	}
}

// onPrimaryIP reports whether the address sits on the primary private IP of
// its instance's primary network interface. The API shows the instance for
// every binding on an interface attached to one, so the interface is read.
func (r *EIPAssociationResource) onPrimaryIP(ctx context.Context, addr *client.Address) (bool, error) {
	eni, err := r.client.LookupNetworkInterface(ctx, addr.NetworkInterfaceID)
	if err != nil {
		return false, err
	}
	return eni.IsInstancePrimaryIP(addr.InstanceID, addr.PrivateIP), nil
}

// dropDrifted removes an association that no longer exists from the state,
// with a warning saying why.
func (r *EIPAssociationResource) dropDrifted(ctx context.Context, a association, why string, resp *resource.ReadResponse) {
	tflog.Warn(ctx, "EIP association no longer exists", map[string]any{"reason": why})
	resp.Diagnostics.AddWarning("EIP association no longer exists",
		fmt.Sprintf("%s, so the association %s was removed from the state. Unless the configuration no longer declares "+
			"it, the next plan binds it again; if the binding was changed on purpose, remove the resource from the "+
			"configuration.", why, a.id))
	resp.State.RemoveResource(ctx)
}

// driftReason says why the association no longer exists, or "".
func driftReason(a association, addr *client.Address) string {
	switch {
	case addr == nil:
		return fmt.Sprintf("The EIP %s no longer exists", a.id.EIPID)
	case !addr.IsBound():
		return fmt.Sprintf("The EIP %s was unbound outside Terraform (status %s)", a.id.EIPID, addr.Status)
	case addr.BoundTo(a.id.Target) && !a.heldBy(addr):
		return fmt.Sprintf("The EIP %s moved from %s to %s", a.id.EIPID, a.sitAt, locationOf(addr))
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
// a target.
func stateAssociation(state EIPAssociationResourceModel, diags *diag.Diagnostics) (association, bool) {
	id, err := parseAssociationID(state.ID.ValueString())
	if err == nil && !id.hasTarget() {
		err = fmt.Errorf("%q names no instance or network interface", state.ID.ValueString())
	}
	if err != nil {
		diags.AddAttributeError(path.Root("id"), "Invalid association id in state", err.Error())
		return association{}, false
	}
	return association{id: id, sitAt: state.recordedLocation()}, true
}

// configured reports whether the provider has a client; when it has not, the
// provider configuration depended on values not known yet.
func (r *EIPAssociationResource) configured(diags *diag.Diagnostics) bool {
	return hasClient(r.client, diags)
}

func (r *EIPAssociationResource) situation(id associationID, addr *client.Address) situation {
	return situation{EIPID: id.EIPID, Target: id.Target, Region: r.client.Region(), Endpoint: r.client.Endpoint(), Address: addr}
}

func doingBind(id associationID) string {
	return fmt.Sprintf("binding EIP %s to %s", id.EIPID, describeTarget(id.Target))
}

func doingUnbind(a association) string {
	return fmt.Sprintf("unbinding EIP %s from %s", a.id.EIPID, a.describe())
}

// positiveTimeouts adds to each timeout the check that it is a positive
// duration: "0s" or "-1m" would make every operation time out at once.
func positiveTimeouts(a schema.Attribute) schema.Attribute {
	nested, ok := a.(schema.SingleNestedAttribute)
	if !ok {
		return a
	}
	attributes := make(map[string]schema.Attribute, len(nested.Attributes))
	for name, inner := range nested.Attributes {
		if s, ok := inner.(schema.StringAttribute); ok {
			s.Validators = append(slices.Clone(s.Validators), positiveDuration{})
			inner = s
		}
		attributes[name] = inner
	}
	nested.Attributes = attributes
	return nested
}

// positiveDuration accepts a duration string greater than zero; strings that
// are not durations are left to the timeouts package's own check.
type positiveDuration struct{}

func (positiveDuration) Description(context.Context) string {
	return "must be a duration greater than zero"
}

func (v positiveDuration) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (positiveDuration) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if d, err := time.ParseDuration(req.ConfigValue.ValueString()); err == nil && d <= 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid timeout",
			fmt.Sprintf("%q is not a timeout: it must be greater than zero, such as \"30s\" or \"10m\".", req.ConfigValue.ValueString()))
	}
}

// interruptGrace is how long a wait for an accepted bind or unbind goes on
// after Terraform is interrupted (Ctrl-C, SIGTERM): tasks take seconds, and
// seeing one through records its outcome instead of leaving the association
// tainted, to be undone and redone by the next apply.
const interruptGrace = 20 * time.Second

// settleContext returns a context for such a wait: it keeps ctx's values and
// deadline, and outlives ctx's cancellation by interruptGrace.
func settleContext(ctx context.Context) (context.Context, context.CancelFunc) {
	waitCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	if deadline, ok := ctx.Deadline(); ok {
		waitCtx, cancel = context.WithDeadline(context.WithoutCancel(ctx), deadline)
	}
	stop := context.AfterFunc(ctx, func() {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return // waitCtx has the same deadline
		}
		tflog.Info(ctx, "interrupted: finishing the wait for the task already accepted", map[string]any{"grace": interruptGrace.String()})
		time.AfterFunc(interruptGrace, cancel)
	})
	return waitCtx, func() { stop(); cancel() }
}

// lookTimeout bounds the look at an EIP after a write whose outcome is
// unknown.
const lookTimeout = 15 * time.Second

// lookContext is for that look: it must happen even when the operation's
// time has just run out or it was interrupted, or a binding the API made
// would go unrecorded.
func lookContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), lookTimeout)
}

// privateState is the part of the framework's private state data the
// resource uses.
type privateState interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// unbindRequestedKey marks, in the private state of an association whose
// destroy failed after the API had accepted the unbind, when that was.
const unbindRequestedKey = "unbind_requested_at"

func markUnbindRequested(ctx context.Context, private privateState) diag.Diagnostics {
	value, _ := json.Marshal(time.Now().UTC().Format(time.RFC3339))
	return private.SetKey(ctx, unbindRequestedKey, value)
}

func unbindWasRequested(ctx context.Context, private privateState) bool {
	value, diags := private.GetKey(ctx, unbindRequestedKey)
	return !diags.HasError() && len(value) > 0
}
