package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
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
	_ resource.ResourceWithImportState = &EIPAssociationResource{}
)

func NewEIPAssociationResource() resource.Resource {
	return &EIPAssociationResource{}
}

// EIPAssociationResource binds an EIP to an instance or to a private IP of a
// network interface.
type EIPAssociationResource struct {
	client *client.Client
}

// EIPAssociationResourceModel is the resource's data.
type EIPAssociationResourceModel struct {
	ID                       types.String   `tfsdk:"id"`
	EIPID                    types.String   `tfsdk:"eip_id"`
	InstanceID               types.String   `tfsdk:"instance_id"`
	NetworkInterfaceID       types.String   `tfsdk:"network_interface_id"`
	PrivateIP                types.String   `tfsdk:"private_ip"`
	ReallocateNormalPublicIP types.Bool     `tfsdk:"reallocate_normal_public_ip"`
	PublicIP                 types.String   `tfsdk:"public_ip"`
	Timeouts                 timeouts.Value `tfsdk:"timeouts"`
}

func (m EIPAssociationResourceModel) target() client.Target {
	return client.Target{
		InstanceID:         m.InstanceID.ValueString(),
		NetworkInterfaceID: m.NetworkInterfaceID.ValueString(),
		PrivateIP:          m.PrivateIP.ValueString(),
	}
}

// setTarget writes an association id's parts into the model.
func (m *EIPAssociationResourceModel) setTarget(id associationID) {
	m.ID = types.StringValue(id.String())
	m.EIPID = types.StringValue(id.EIPID)
	m.InstanceID = optionalString(id.Target.InstanceID)
	m.NetworkInterfaceID = optionalString(id.Target.NetworkInterfaceID)
	m.PrivateIP = optionalString(id.Target.PrivateIP)
}

func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
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
					"`network_interface_id` (with `private_ip`) must be set. Changing it replaces the association.",
				Optional:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators: []validator.String{
					stringvalidator.RegexMatches(instanceIDPattern, "must be an instance id: ins- followed by 8 lowercase letters or digits"),
					stringvalidator.ExactlyOneOf(path.MatchRoot("instance_id"), path.MatchRoot("network_interface_id")),
					stringvalidator.ConflictsWith(path.MatchRoot("private_ip")),
				},
			},
			"network_interface_id": schema.StringAttribute{
				MarkdownDescription: "ID of the elastic network interface to bind the EIP to, such as `eni-1a2b3c4d`. " +
					"Requires `private_ip`; conflicts with `instance_id`. Changing it replaces the association.",
				Optional:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators: []validator.String{
					stringvalidator.RegexMatches(eniIDPattern, "must be a network interface id: eni- followed by 8 lowercase letters or digits"),
					stringvalidator.AlsoRequires(path.MatchRoot("private_ip")),
				},
			},
			"private_ip": schema.StringAttribute{
				MarkdownDescription: "Private IPv4 address of `network_interface_id` to bind the EIP to. Requires " +
					"`network_interface_id`. Changing it replaces the association.",
				Optional:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators: []validator.String{
					ipv4Validator{},
					stringvalidator.AlsoRequires(path.MatchRoot("network_interface_id")),
				},
			},
			"reallocate_normal_public_ip": schema.BoolAttribute{
				MarkdownDescription: "Whether destroying this association gives the instance a new normal (non-elastic) " +
					"public IP in place of the EIP. It acts only at destroy time, when it is sent to DisassociateAddress as " +
					"`ReallocateNormalPublicIp`; changing it is an in-place update that calls no API. The API allows it only " +
					"when the EIP sits on the primary private IP of an instance's primary network interface, and at most " +
					"10 times per account per day (quota `DAILY_PUBLIC_IP_ASSIGN`). Defaults to `false`.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"public_ip": schema.StringAttribute{
				MarkdownDescription: "The EIP's public IPv4 address.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Delete: true}),
		},
	}
}

func (r *EIPAssociationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	c, ok := req.ProviderData.(*client.Client)
	if !ok {
		resp.Diagnostics.AddError("Unexpected Resource Configure Type",
			fmt.Sprintf("Expected *client.Client, got: %T. Please report this issue to the provider developers.", req.ProviderData))
		return
	}
	r.client = c
}

func (r *EIPAssociationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan EIPAssociationResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
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

	id := associationID{EIPID: plan.EIPID.ValueString(), Target: plan.target()}
	ctx = tflog.SetField(ctx, "eip_association_id", id.String())
	ec := r.errorContext(id)
	doing := fmt.Sprintf("binding EIP %s to %s", id.EIPID, describeTarget(id.Target))

	tflog.Info(ctx, "binding EIP")
	taskID, err := r.client.Associate(ctx, id.EIPID, id.Target)
	if err != nil {
		rule, _ := ruleFor(opCreate, err)
		maybeOurs := client.MaybeApplied(err)
		if !maybeOurs && rule.outcome != outcomeRecheck {
			resp.Diagnostics.Append(diagnose(opCreate, doing, err, ec))
			return
		}
		// Look at the EIP: it may be bound to this very target already, by an
		// attempt of this call whose reply never came, or by an earlier run
		// killed before it could record its work; else the message must say
		// what it is bound to.
		lookCtx, stopLooking := lookContext(ctx)
		addr, readErr := r.client.Address(lookCtx, id.EIPID)
		stopLooking()
		if readErr != nil || addr == nil || !addr.BoundTo(id.Target) {
			ec.Address = addr
			resp.Diagnostics.Append(diagnose(opCreate, doing, err, ec))
			return
		}
		if !maybeOurs {
			// Taking the binding over is what lets an apply killed mid-way
			// be run again; say so, in case something else made it.
			resp.Diagnostics.AddAttributeWarning(path.Root("eip_id"), "EIP was already bound to this target",
				fmt.Sprintf("The EIP %s was already bound to %s, by an earlier run that was interrupted before it "+
					"could record it, or outside this configuration. This resource manages that binding from now on; "+
					"if another resource or tool manages it too, remove one of them, since destroying either unbinds it.",
					id.EIPID, addr.Describe()))
		}
		tflog.Info(ctx, "the EIP is already bound to this target; seeing the binding through", map[string]any{"status": addr.Status})
		taskID = ""
	}

	// From here on the API has accepted the binding. It is recorded even if
	// the wait fails, so that Terraform taints it rather than orphans it,
	// unless the EIP is seen elsewhere: unbound after a FAILED task, or bound
	// to another target.
	plan.ID = types.StringValue(id.String())
	plan.PublicIP = types.StringNull()
	waitCtx, stopWaiting := settleContext(ctx)
	defer stopWaiting()
	addr, err := r.client.WaitAddress(waitCtx, client.Wait{
		AddressID: id.EIPID, Operation: "AssociateAddress", TaskID: taskID,
		Done: func(a *client.Address) bool { return a.IsSettled() && a.BoundTo(id.Target) },
	})
	record := addr == nil || addr.BoundTo(id.Target) || (!addr.IsBound() && !client.HasCode(err, client.CodeTaskFailed))
	if record {
		if addr != nil {
			plan.PublicIP = types.StringValue(addr.PublicIP)
		}
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	}
	switch {
	case err != nil:
		ec.Address = addr
		resp.Diagnostics.Append(diagnose(opCreate, doing, err, ec))
	case !addr.BoundTo(id.Target):
		outcome := "so the association was not recorded"
		if record {
			outcome = "so the association is recorded as tainted, and the next apply binds it again"
		}
		resp.Diagnostics.AddAttributeError(path.Root("eip_id"), "EIP did not stay bound",
			fmt.Sprintf("While %s: the task succeeded, but the EIP is now %s. Something outside this configuration "+
				"changed it meanwhile, %s.", doing, addr.Describe(), outcome))
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
	id, ok := stateAssociationID(state, &resp.Diagnostics)
	if !ok {
		return
	}
	ctx = tflog.SetField(ctx, "eip_association_id", id.String())

	addr, err := r.client.Address(ctx, id.EIPID)
	if err != nil {
		resp.Diagnostics.Append(diagnose(opRead, "reading EIP "+id.EIPID, err, r.errorContext(id)))
		return
	}
	if gone := driftReason(id, addr); gone != "" {
		resp.Diagnostics.AddWarning("EIP association no longer exists",
			fmt.Sprintf("%s, so the association %s was removed from the state. The plan shows it to be created again; "+
				"if the binding was changed on purpose, remove the resource from the configuration instead.", gone, id))
		resp.State.RemoveResource(ctx)
		return
	}
	state.setTarget(id)
	state.PublicIP = types.StringValue(addr.PublicIP)
	if state.ReallocateNormalPublicIP.IsNull() {
		state.ReallocateNormalPublicIP = types.BoolValue(false)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *EIPAssociationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	// Only reallocate_normal_public_ip and timeouts can change in place, and
	// both are used by later operations: there is nothing to call.
	var plan, state EIPAssociationResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.ID, plan.PublicIP = state.ID, state.PublicIP
	tflog.Debug(ctx, "updated EIP association settings in state only", map[string]any{
		"eip_association_id": state.ID.ValueString(), "reallocate_normal_public_ip": plan.ReallocateNormalPublicIP.ValueBool(),
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

	id, ok := stateAssociationID(state, &resp.Diagnostics)
	if !ok {
		return
	}
	reallocate := state.ReallocateNormalPublicIP.ValueBool()
	ctx = tflog.SetField(ctx, "eip_association_id", id.String())
	ec := r.errorContext(id)
	doing := fmt.Sprintf("unbinding EIP %s from %s", id.EIPID, describeTarget(id.Target))

	addr, err := r.client.Address(ctx, id.EIPID)
	if err == nil && addr != nil && !addr.IsSettled() {
		// An operation is in flight (an interrupted apply, say): let it land.
		addr, err = r.client.WaitAddress(ctx, client.Wait{AddressID: id.EIPID, Operation: "DisassociateAddress",
			Done: func(a *client.Address) bool { return a.IsSettled() }})
	}
	if err != nil {
		if rule, _ := ruleFor(opDelete, err); rule.outcome == outcomeAlreadyDone {
			return
		}
		resp.Diagnostics.Append(diagnose(opDelete, doing, err, ec))
		return
	}
	if done := r.nothingToUnbind(ctx, id, addr, &resp.Diagnostics); done {
		return
	}

	tflog.Info(ctx, "unbinding EIP", map[string]any{"reallocate_normal_public_ip": reallocate})
	taskID, err := r.client.Disassociate(ctx, id.EIPID, reallocate)
	if err != nil {
		ec.Address = addr
		rule, _ := ruleFor(opDelete, err)
		if rule.outcome == outcomeAlreadyDone {
			return
		}
		maybeOurs := client.MaybeApplied(err)
		if rule.outcome == outcomeRecheck || maybeOurs {
			// Refused because the EIP is not bound, or no definite answer:
			// perhaps an attempt whose reply was lost unbound it.
			lookCtx, stopLooking := lookContext(ctx)
			again, readErr := r.client.Address(lookCtx, id.EIPID)
			stopLooking()
			switch {
			case readErr != nil:
			case again == nil || !again.IsBound():
				return
			case maybeOurs && again.Status == client.StatusUnbinding && again.BoundTo(id.Target):
				tflog.Info(ctx, "an attempt whose reply was lost is unbinding the EIP; seeing it through")
				err, taskID = nil, ""
			default:
				ec.Address = again
			}
		}
		if err != nil {
			if client.HasCode(err, "AddressQuotaLimitExceeded.DailyAllocate") {
				ec.Quota = r.dailyReallocationQuota(ctx)
			}
			resp.Diagnostics.Append(diagnose(opDelete, doing, err, ec))
			return
		}
	}

	waitCtx, stopWaiting := settleContext(ctx)
	defer stopWaiting()
	addr, err = r.client.WaitAddress(waitCtx, client.Wait{
		AddressID: id.EIPID, Operation: "DisassociateAddress", TaskID: taskID,
		Done: func(a *client.Address) bool { return a.IsSettled() && !a.BoundTo(id.Target) },
	})
	if err != nil {
		if rule, _ := ruleFor(opDelete, err); rule.outcome == outcomeAlreadyDone {
			return
		}
		ec.Address = addr
		resp.Diagnostics.Append(diagnose(opDelete, doing, err, ec))
		return
	}
	if addr.BoundTo(id.Target) {
		resp.Diagnostics.AddAttributeError(path.Root("eip_id"), "EIP is still bound",
			fmt.Sprintf("While %s: the task succeeded, but the EIP is still bound to %s (status %s). Run terraform "+
				"destroy again.", doing, addr.Describe(), addr.Status))
		return
	}
	r.nothingToUnbind(ctx, id, addr, &resp.Diagnostics) // warns if it was bound elsewhere meanwhile
	tflog.Info(ctx, "unbound EIP", map[string]any{"status": addr.Status})
}

func (r *EIPAssociationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id, err := parseAssociationID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import id", err.Error())
		return
	}
	if !id.hasTarget() {
		// The EIP alone: import whatever it is bound to now.
		if !r.configured(&resp.Diagnostics) {
			return
		}
		addr, err := r.client.Address(ctx, id.EIPID)
		if err == nil && addr == nil {
			err = &client.APIError{Action: "DescribeAddresses", Code: "InvalidAddressId.NotFound", Message: "no such EIP"}
		}
		if err != nil {
			resp.Diagnostics.Append(diagnose(opImport, "importing EIP "+id.EIPID, err, r.errorContext(id)))
			return
		}
		if !addr.IsBound() {
			resp.Diagnostics.AddError("EIP is not bound",
				fmt.Sprintf("The EIP %s is %s: there is no association to import. Bind it with a new "+
					"qcloud_eip_association instead of importing one.", id.EIPID, addr.Status))
			return
		}
		target, err := r.currentTarget(ctx, addr)
		if err != nil {
			resp.Diagnostics.AddError("Cannot import this EIP's binding", err.Error())
			return
		}
		id.Target = target
	}
	var data EIPAssociationResourceModel
	data.setTarget(id)
	// Read fills in public_ip; timeouts stay unset until configured.
	for attr, value := range map[string]any{
		"id": data.ID, "eip_id": data.EIPID, "instance_id": data.InstanceID,
		"network_interface_id": data.NetworkInterfaceID, "private_ip": data.PrivateIP,
		"reallocate_normal_public_ip": types.BoolValue(false),
	} {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(attr), value)...)
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

// stateAssociationID parses the id recorded in state, which always names a
// target.
func stateAssociationID(state EIPAssociationResourceModel, diags *diag.Diagnostics) (associationID, bool) {
	id, err := parseAssociationID(state.ID.ValueString())
	if err == nil && !id.hasTarget() {
		err = fmt.Errorf("%q names no instance or network interface", state.ID.ValueString())
	}
	if err != nil {
		diags.AddAttributeError(path.Root("id"), "Invalid association id in state", err.Error())
		return associationID{}, false
	}
	return id, true
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

// configured reports whether the provider has a client; when it has not, the
// provider configuration depended on values not known yet.
func (r *EIPAssociationResource) configured(diags *diag.Diagnostics) bool {
	if r.client != nil {
		return true
	}
	diags.AddError("Provider not configured",
		"The qcloud provider's configuration depends on values that are not known yet (for example an attribute of "+
			"a resource that is not created yet), so it cannot call the API in this step. Apply the resources it depends on "+
			"first (terraform apply -target=...), or give the provider values known at plan time.")
	return false
}

func (r *EIPAssociationResource) errorContext(id associationID) errorContext {
	return errorContext{EIPID: id.EIPID, Target: id.Target, Region: r.client.Region()}
}

// nothingToUnbind reports whether the EIP needs no DisassociateAddress from
// this association: gone, unbound, or bound to something else (which is left
// alone, with a warning).
func (r *EIPAssociationResource) nothingToUnbind(ctx context.Context, id associationID, addr *client.Address, diags *diag.Diagnostics) bool {
	switch {
	case addr == nil, !addr.IsBound():
		return true
	case !addr.BoundTo(id.Target):
		tflog.Warn(ctx, "EIP bound elsewhere; left alone", map[string]any{"bound_to": addr.Describe()})
		diags.AddWarning("EIP is bound to something else; left alone",
			fmt.Sprintf("The EIP %s is now bound to %s, not to %s as this association says. Destroying the association "+
				"did not unbind it, so that a binding Terraform does not manage is not broken.", id.EIPID, addr.Describe(),
				describeTarget(id.Target)))
		return true
	}
	return false
}

func (r *EIPAssociationResource) dailyReallocationQuota(ctx context.Context) *client.Quota {
	quotas, err := r.client.AddressQuota(ctx)
	if err != nil {
		tflog.Warn(ctx, "could not read the address quota", map[string]any{"error": err.Error()})
		return nil
	}
	for _, q := range quotas {
		if q.ID == client.QuotaDailyReallocation {
			return &q
		}
	}
	return nil
}

// driftReason says why the association in id no longer exists, or "".
func driftReason(id associationID, addr *client.Address) string {
	switch {
	case addr == nil:
		return fmt.Sprintf("The EIP %s no longer exists", id.EIPID)
	case !addr.IsBound():
		return fmt.Sprintf("The EIP %s was unbound outside Terraform (status %s)", id.EIPID, addr.Status)
	case !addr.BoundTo(id.Target):
		return fmt.Sprintf("The EIP %s is now bound to %s instead of %s", id.EIPID, addr.Describe(), describeTarget(id.Target))
	}
	return ""
}

// currentTarget is the target an import by bare EIP id adopts: the instance
// when the EIP sits on the primary private IP of the instance's primary
// network interface (where binding to the instance puts it), else the network
// interface and private IP. The API shows the instance for both, so the
// interface is looked up.
func (r *EIPAssociationResource) currentTarget(ctx context.Context, a *client.Address) (client.Target, error) {
	instance := client.Target{InstanceID: a.InstanceID}
	onENI := client.Target{NetworkInterfaceID: a.NetworkInterfaceID, PrivateIP: a.PrivateIP}
	switch {
	case a.InstanceID != "" && !instanceIDPattern.MatchString(a.InstanceID):
		return client.Target{}, fmt.Errorf("the EIP %s is bound to %s, which is not a CVM instance or a network interface: "+
			"qcloud_eip_association does not manage that binding", a.ID, a.InstanceID)
	case a.NetworkInterfaceID == "" || a.PrivateIP == "":
		if a.InstanceID != "" {
			return instance, nil
		}
		return client.Target{}, fmt.Errorf("the EIP %s is %s and shows no target yet; import it again once it has settled", a.ID, a.Status)
	case a.InstanceID == "":
		return onENI, nil
	}
	eni, err := r.client.NetworkInterface(ctx, a.NetworkInterfaceID)
	if err != nil {
		return client.Target{}, fmt.Errorf("reading network interface %s to tell an instance binding from an interface one: %w",
			a.NetworkInterfaceID, err)
	}
	if eni != nil && eni.Primary && eni.InstanceID == a.InstanceID && eni.PrimaryIP == a.PrivateIP {
		return instance, nil
	}
	return onENI, nil
}

func describeTarget(t client.Target) string {
	if t.InstanceID != "" {
		return "instance " + t.InstanceID
	}
	return "network interface " + t.NetworkInterfaceID + " private IP " + t.PrivateIP
}

// ipv4Validator accepts a dotted-quad IPv4 address.
type ipv4Validator struct{}

func (ipv4Validator) Description(context.Context) string {
	return "must be an IPv4 address, such as 10.0.0.5"
}

func (v ipv4Validator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v ipv4Validator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || isIPv4(req.ConfigValue.ValueString()) {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid private IP",
		fmt.Sprintf("%q %s.", req.ConfigValue.ValueString(), v.Description(ctx)))
}
