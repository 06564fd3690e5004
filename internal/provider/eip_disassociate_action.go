package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
)

// defaultDisassociateTimeout bounds an invocation: the look, the request and
// the wait for its task (an accepted task's wait outlives it by
// acceptedWorkGrace).
const defaultDisassociateTimeout = 5 * time.Minute

var (
	_ action.Action               = &EIPDisassociateAction{}
	_ action.ActionWithConfigure  = &EIPDisassociateAction{}
	_ action.ActionWithModifyPlan = &EIPDisassociateAction{}
)

func NewEIPDisassociateAction() action.Action {
	return &EIPDisassociateAction{}
}

// EIPDisassociateAction unbinds an EIP now (DisassociateAddress), whoever
// bound it: a day-two operation beside qcloud_eip_association, which unbinds
// only on destroy.
type EIPDisassociateAction struct {
	client *client.Client
	run    *run
	site   site
}

// EIPDisassociateActionModel is the action's configuration. The target
// attributes are a guard: where the EIP must be bound for the action to
// unbind it.
type EIPDisassociateActionModel struct {
	EIPID                    types.String `tfsdk:"eip_id"`
	ReallocateNormalPublicIP types.Bool   `tfsdk:"reallocate_normal_public_ip"`
	InstanceID               types.String `tfsdk:"instance_id"`
	NetworkInterfaceID       types.String `tfsdk:"network_interface_id"`
	PrivateIP                types.String `tfsdk:"private_ip"`
}

// guard is where the configuration says the EIP must be bound; zero when it
// says nothing.
func (m EIPDisassociateActionModel) guard() client.Target {
	if !m.InstanceID.IsNull() {
		return client.Target{InstanceID: m.InstanceID.ValueString()}
	}
	return client.Target{NetworkInterfaceID: m.NetworkInterfaceID.ValueString(), PrivateIP: m.PrivateIP.ValueString()}
}

// known reports whether every value the action uses is known (an attribute
// of a resource not created yet is not, at plan time).
func (m EIPDisassociateActionModel) known() bool {
	return !m.EIPID.IsUnknown() && !m.ReallocateNormalPublicIP.IsUnknown() && !m.InstanceID.IsUnknown() &&
		!m.NetworkInterfaceID.IsUnknown() && !m.PrivateIP.IsUnknown()
}

// subject is the action's attributes for each role of the diagnostics
// table: its guard is the target.
func (m EIPDisassociateActionModel) subject() subject {
	s := subject{roleEIP: path.Root("eip_id"), roleReallocate: path.Root("reallocate_normal_public_ip"),
		roleTarget: path.Root("instance_id"), roleInterface: path.Root("network_interface_id")}
	if m.InstanceID.IsNull() && !m.NetworkInterfaceID.IsNull() {
		s[roleTarget] = path.Root("private_ip")
	}
	return s
}

func (a *EIPDisassociateAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_eip_disassociate"
}

func (a *EIPDisassociateAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Unbinds an Elastic IP (EIP) now (DisassociateAddress), optionally giving the instance a normal " +
			"public IP in its place, and waits for the unbind to finish. For incident response and for bindings " +
			"Terraform does not manage: `terraform apply -invoke=action.qcloud_eip_disassociate.NAME`, or from a " +
			"resource's `lifecycle { action_trigger { ... } }`. Needs Terraform 1.14 or later.",
		Attributes: map[string]schema.Attribute{
			"eip_id": schema.StringAttribute{
				MarkdownDescription: "ID of the EIP to unbind, such as `eip-1a2b3c4d`. An EIP already unbound is reported " +
					"and left alone.",
				Required: true,
				Validators: []validator.String{
					eipIDValidator(),
				},
			},
			"reallocate_normal_public_ip": schema.BoolAttribute{
				MarkdownDescription: "Whether the instance gets a new normal (non-elastic) public IP in place of the EIP, " +
					"sent to DisassociateAddress as `ReallocateNormalPublicIp`. The API allows it only when the EIP sits on " +
					"the primary private IP of an instance's primary network interface, and at most 10 times per account " +
					"per day (quota `DAILY_PUBLIC_IP_ASSIGN`); the plan checks both. Defaults to `false`.",
				Optional: true,
			},
			"instance_id": schema.StringAttribute{
				MarkdownDescription: "A guard: the instance, such as `ins-1a2b3c4d`, the EIP must be bound to (on any of " +
					"its private IPs). When it is bound anywhere else, the action refuses before unbinding anything. " +
					"Conflicts with `network_interface_id` and `private_ip`.",
				Optional: true,
				Validators: []validator.String{
					instanceIDValidator(),
					stringvalidator.ConflictsWith(path.MatchRoot("network_interface_id"), path.MatchRoot("private_ip")),
				},
			},
			"network_interface_id": schema.StringAttribute{
				MarkdownDescription: "A guard, with `private_ip`: the elastic network interface, such as `eni-1a2b3c4d`, the " +
					"EIP must be bound to. When it is bound anywhere else, the action refuses before unbinding anything.",
				Optional: true,
				Validators: []validator.String{
					networkInterfaceIDValidator(),
					stringvalidator.AlsoRequires(path.MatchRoot("private_ip")),
				},
			},
			"private_ip": schema.StringAttribute{
				MarkdownDescription: "A guard, with `network_interface_id`: the private IPv4 address of that interface the " +
					"EIP must be bound to.",
				Optional: true,
				Validators: []validator.String{
					ipv4Address{},
					stringvalidator.AlsoRequires(path.MatchRoot("network_interface_id")),
				},
			},
		},
	}
}

func (a *EIPDisassociateAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	data, ok := req.ProviderData.(*providerData)
	if !ok {
		resp.Diagnostics.AddError("Unexpected Action Configure Type",
			fmt.Sprintf("Expected *provider.providerData, got: %T. Please report this issue to the provider developers.", req.ProviderData))
		return
	}
	a.client, a.run, a.site = data.client, data.run, data.site
}

// ModifyPlan checks what the invocation will meet, from the same batched
// reads as the resource's plans. What the world shows (the EIP unbound, or
// bound elsewhere than the guard says) is a warning: something else in the
// same apply may change it before the action runs, and Invoke refuses then,
// before any write. A reallocation the API would refuse (off the primary
// IP, past today's quota) is an error, as for a destroy that reallocates.
func (a *EIPDisassociateAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	var config EIPDisassociateActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() || a.client == nil || !config.known() {
		return // values known only at apply, or a provider configured only then: Invoke checks
	}
	defer a.run.active()()
	if a.run.isApplying() {
		return // planned again as the apply runs: the plan's checks were shown, and Invoke decides now
	}
	eipID := config.EIPID.ValueString()
	ctx = tflog.SetField(ctx, "eip_id", eipID)
	addr, err := a.client.LookupAddress(ctx, eipID)
	eip := path.Root("eip_id")
	switch {
	case client.IsNotFound(err):
		resp.Diagnostics.AddAttributeWarning(eip, "EIP not found",
			fmt.Sprintf("No EIP %s exists in region %s, so the action will fail. Check the id, and that the provider's "+
				"region is the EIP's region.", eipID, a.client.Region()))
		return
	case err != nil:
		resp.Diagnostics.Append(diagnose(reading, "checking EIP "+eipID, err, a.facts(eipID, nil, false), config.subject()))
		return
	case addr.Type == client.AddressTypeWanIP:
		resp.Diagnostics.AddAttributeWarning(eip, "Not an EIP: a normal public IP", notAnEIP(addr)+" The action will fail.")
		return
	case !addr.IsBound():
		resp.Diagnostics.AddAttributeWarning(eip, "EIP is not bound",
			fmt.Sprintf("The EIP %s is %s now. Unless something in this apply binds it before the action runs, the action "+
				"finds nothing to unbind and changes nothing.", eipID, addr.Status))
		return
	}
	if why := guardMismatch(config, addr); why != "" {
		resp.Diagnostics.AddAttributeWarning(targetPath(config.guard()), "EIP is not bound where the action expects",
			why+" Unless something in this apply moves it there before the action runs, the action refuses, unbinding nothing.")
		return
	}
	if config.ReallocateNormalPublicIP.ValueBool() && addr.Status != client.StatusUnbinding {
		checkReallocatingUnbind(ctx, a.reallocatingUnbind(config, addr), &resp.Diagnostics)
	}
}

func (a *EIPDisassociateAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var config EIPDisassociateActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() || !hasClient(a.client, &resp.Diagnostics) {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, defaultDisassociateTimeout)
	defer cancel()
	defer a.run.active()()
	a.run.startApply()
	eipID := config.EIPID.ValueString()
	opts := client.UnbindOptions{ReallocateNormalPublicIP: config.ReallocateNormalPublicIP.ValueBool()}
	ctx = tflog.SetField(ctx, "eip_id", eipID)
	ctx = tflog.SetField(ctx, "reallocate_normal_public_ip", opts.ReallocateNormalPublicIP)
	inv := invocation{a: a, config: config, eipID: eipID, resp: resp}

	addr, err := a.client.LookupAddress(ctx, eipID)
	if err == nil && !addr.IsSettled() {
		// Let an operation in flight (an interrupted apply, say) land first.
		inv.progress(ctx, "EIP %s is %s; waiting for that to finish", eipID, addr.Status)
		addr, err = a.client.WaitAddress(ctx, client.Task{Action: "DescribeAddresses", AddressID: eipID},
			func(x *client.Address) bool { return x.IsSettled() })
	}
	if err != nil {
		inv.fail(addr, err, false)
		return
	}
	if !inv.proceed(ctx, addr) {
		return
	}
	inv.progress(ctx, "Unbinding EIP %s from %s; reallocate_normal_public_ip = %t", eipID, addr.Describe(), opts.ReallocateNormalPublicIP)
	taskID, err := a.client.Disassociate(ctx, eipID, opts)
	if err != nil && !inv.underWay(ctx, addr, err) {
		return
	}
	inv.wait(ctx, taskID, opts)
}

// invocation is one Invoke.
type invocation struct {
	a      *EIPDisassociateAction
	config EIPDisassociateActionModel
	eipID  string
	resp   *action.InvokeResponse
}

// progress tells Terraform (and the log) how the invocation is going.
func (inv invocation) progress(ctx context.Context, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	tflog.Info(ctx, msg)
	if inv.resp.SendProgress != nil {
		inv.resp.SendProgress(action.InvokeProgressEvent{Message: msg})
	}
}

// proceed decides, before any write, whether to unbind the EIP: not when it
// is a normal public IP, already unbound (a success, said so), or bound
// elsewhere than the guard says (refused).
func (inv invocation) proceed(ctx context.Context, addr *client.Address) bool {
	diags := &inv.resp.Diagnostics
	switch {
	case addr.Type == client.AddressTypeWanIP:
		diags.AddAttributeError(path.Root("eip_id"), "Not an EIP: a normal public IP", notAnEIP(addr))
		return false
	case !addr.IsBound():
		inv.progress(ctx, "EIP %s is already unbound (%s): nothing to do", inv.eipID, addr.Status)
		diags.AddAttributeWarning(path.Root("eip_id"), "EIP already unbound",
			fmt.Sprintf("The EIP %s is %s: there was nothing to unbind, and the action changed nothing.", inv.eipID, addr.Status))
		return false
	}
	if why := guardMismatch(inv.config, addr); why != "" {
		diags.AddAttributeError(targetPath(inv.config.guard()), "EIP is not bound where the action expects",
			why+" The action unbound nothing. Check where the EIP is bound, then change the guard (or remove it) and "+
				"invoke the action again.")
		return false
	}
	return true
}

// underWay judges a DisassociateAddress that failed: whether an unbind is
// under way anyway (a try whose reply was lost), to be waited for. Otherwise
// it reports the error.
func (inv invocation) underWay(ctx context.Context, before *client.Address, err error) bool {
	if !client.MaybeApplied(err) && !client.IsStatusNotPermit(err) {
		inv.fail(before, err, false)
		return false
	}
	lookCtx, stop := afterAccepted(ctx, inv.a.run.clock)
	defer stop()
	again, lookErr := inv.a.client.LookupAddress(lookCtx, inv.eipID)
	switch {
	case lookErr != nil:
		inv.fail(before, err, client.MaybeApplied(err))
		return false
	case client.MaybeApplied(err) && again.Status == client.StatusUnbinding:
		inv.progress(ctx, "An unbind whose reply was lost is under way; seeing it through")
		return true
	case client.MaybeApplied(err) && !again.IsBound():
		inv.progress(ctx, "EIP %s is %s: an unbind whose reply was lost went through", inv.eipID, again.Status)
		return false
	case !again.IsBound():
		inv.progress(ctx, "EIP %s is %s: unbound by something else meanwhile; nothing to do", inv.eipID, again.Status)
		inv.resp.Diagnostics.AddAttributeWarning(path.Root("eip_id"), "EIP already unbound",
			fmt.Sprintf("The EIP %s was unbound by something else just before the action's request (it is %s now): the "+
				"action changed nothing.", inv.eipID, again.Status))
		return false
	}
	inv.fail(again, err, client.MaybeApplied(err))
	return false
}

// wait waits for the accepted unbind, reporting each status the EIP goes
// through; like the resource's, the wait outlives an interruption.
func (inv invocation) wait(ctx context.Context, taskID string, opts client.UnbindOptions) {
	inv.progress(ctx, "DisassociateAddress accepted (task %s); waiting for EIP %s to be unbound", orUnknown(taskID), inv.eipID)
	waitCtx, stop := afterAccepted(ctx, inv.a.run.clock)
	defer stop()
	seen := ""
	addr, err := inv.a.client.WaitAddress(waitCtx, client.Task{Action: "DisassociateAddress", AddressID: inv.eipID, ID: taskID},
		func(x *client.Address) bool {
			if x.Status != seen {
				seen = x.Status
				inv.progress(ctx, "EIP %s is %s", inv.eipID, x.Status)
			}
			return x.IsSettled() && !x.IsBound()
		})
	switch {
	case err != nil:
		inv.fail(addr, err, true)
	case addr.IsBound():
		inv.resp.Diagnostics.AddAttributeError(path.Root("eip_id"), "EIP is still bound",
			fmt.Sprintf("The DisassociateAddress task succeeded, but the EIP %s is bound to %s (status %s): something "+
				"bound it again meanwhile. Check who manages it, then invoke the action again.", inv.eipID, addr.Describe(), addr.Status))
	case opts.ReallocateNormalPublicIP:
		inv.progress(ctx, "EIP %s is unbound; the instance got a new normal public IP", inv.eipID)
	default:
		inv.progress(ctx, "EIP %s is unbound", inv.eipID)
	}
}

// fail reports an error met invoking the action.
func (inv invocation) fail(addr *client.Address, err error, accepted bool) {
	f := inv.a.facts(inv.eipID, addr, accepted)
	f.Target = inv.config.guard()
	doing := "unbinding EIP " + inv.eipID
	if addr != nil && addr.IsBound() {
		doing += " from " + addr.Describe()
	}
	inv.resp.Diagnostics.Append(diagnose(disassociating, doing, err, f, inv.config.subject()))
}

// guardMismatch says why the EIP is not bound where the configuration's
// guard says, or "".
func guardMismatch(config EIPDisassociateActionModel, addr *client.Address) string {
	guard := config.guard()
	if guard == (client.Target{}) || addr.BoundTo(guard) {
		return ""
	}
	return fmt.Sprintf("The EIP %s is bound to %s, not to %s as the action's configuration requires.", addr.ID,
		addr.Describe(), guard)
}

// reallocatingUnbind is the invocation for the checks it shares with a
// destroy that reallocates.
func (a *EIPDisassociateAction) reallocatingUnbind(config EIPDisassociateActionModel, addr *client.Address) reallocatingUnbind {
	return reallocatingUnbind{
		client: a.client, run: a.run, site: a.site, addr: addr, at: addr.Location(),
		unbind: fmt.Sprintf("Unbinding %s from %s", addr.ID, addr.Describe()), it: "the action", each: "unbind",
		remedy: actionReallocationRemedy, summary: "Unbind gives the instance a normal public IP",
		facts: a.facts(addr.ID, addr, false), subject: config.subject(),
	}
}

func (a *EIPDisassociateAction) facts(eipID string, addr *client.Address, accepted bool) facts {
	return facts{EIPID: eipID, Region: a.client.Region(), Endpoint: a.client.Endpoint(), Address: addr, Accepted: accepted,
		Timeout: fmt.Sprintf("the action's %s", defaultDisassociateTimeout)}
}
