package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// States qcloud_eip_association takes over: its own of an earlier schema
// version (UpgradeState), and those a moved block brings (MoveState).

var _ resource.ResourceWithMoveState = &EIPAssociationResource{}

// eipAssociationModelV0 is this resource's state at schema version 0.
type eipAssociationModelV0 struct {
	ID                       types.String   `tfsdk:"id"`
	EIPID                    types.String   `tfsdk:"eip_id"`
	InstanceID               types.String   `tfsdk:"instance_id"`
	NetworkInterfaceID       types.String   `tfsdk:"network_interface_id"`
	PrivateIP                types.String   `tfsdk:"private_ip"`
	ReallocateNormalPublicIP types.Bool     `tfsdk:"reallocate_normal_public_ip"`
	PublicIP                 types.String   `tfsdk:"public_ip"`
	Timeouts                 timeouts.Value `tfsdk:"timeouts"`
}

// upgrade carries version 0 over. It recorded where an instance binding sits
// in network_interface_id and private_ip, and the instance a network
// interface is attached to in instance_id; version 1 keeps only the form
// configured (the next refresh finds where it sits again).
func (old eipAssociationModelV0) upgrade() EIPAssociationResourceModel {
	m := EIPAssociationResourceModel{
		ID: old.ID, EIPID: old.EIPID, InstanceID: old.InstanceID, NetworkInterfaceID: old.NetworkInterfaceID,
		PrivateIP: old.PrivateIP, ReallocateNormalPublicIP: old.ReallocateNormalPublicIP, PublicIP: old.PublicIP, Timeouts: old.Timeouts,
	}
	if id, err := parseAssociationID(old.ID.ValueString()); err == nil && id.hasTarget() {
		m.record(id, nil)
		m.PublicIP = old.PublicIP
	}
	if m.AllowReassociation.IsNull() || m.AllowReassociation.IsUnknown() {
		m.AllowReassociation = types.BoolValue(false)
	}
	return m
}

func eipAssociationSchemaV0(ctx context.Context) schema.Schema {
	return schema.Schema{
		Attributes: map[string]schema.Attribute{
			"id":                          schema.StringAttribute{Computed: true},
			"eip_id":                      schema.StringAttribute{Required: true},
			"instance_id":                 schema.StringAttribute{Optional: true, Computed: true},
			"network_interface_id":        schema.StringAttribute{Optional: true, Computed: true},
			"private_ip":                  schema.StringAttribute{Optional: true, Computed: true},
			"reallocate_normal_public_ip": schema.BoolAttribute{Optional: true, Computed: true},
			"public_ip":                   schema.StringAttribute{Computed: true},
			"timeouts":                    timeouts.Attributes(ctx, timeouts.Opts{Create: true, Delete: true}),
		},
	}
}

// Providers, as NAMESPACE/TYPE (on any registry host), and the official
// provider's resource that a moved block may carry over.
const (
	thisProvider                  = "tfqcloud/qcloud"
	officialProvider              = "tencentcloudstack/tencentcloud"
	officialAssociationType       = "tencentcloud_eip_association"
	officialAssociationSchemaV0   = 0
	officialAssociationSourceDesc = officialAssociationType + " of the official Tencent Cloud provider (" +
		officialProvider + ", schema version 0)"
)

// officialEIPAssociationModelV0 is the state of the official provider's
// tencentcloud_eip_association at schema version 0. Its SDKv2 state holds ""
// rather than null for the attributes of the other form of binding.
type officialEIPAssociationModelV0 struct {
	ID                 types.String `tfsdk:"id"`
	EIPID              types.String `tfsdk:"eip_id"`
	InstanceID         types.String `tfsdk:"instance_id"`
	NetworkInterfaceID types.String `tfsdk:"network_interface_id"`
	PrivateIP          types.String `tfsdk:"private_ip"`
	CDCID              types.String `tfsdk:"cdc_id"`
}

func officialEIPAssociationSchemaV0() *schema.Schema {
	return &schema.Schema{
		Version: officialAssociationSchemaV0,
		Attributes: map[string]schema.Attribute{
			"id":                   schema.StringAttribute{Computed: true},
			"eip_id":               schema.StringAttribute{Required: true},
			"instance_id":          schema.StringAttribute{Optional: true, Computed: true},
			"network_interface_id": schema.StringAttribute{Optional: true, Computed: true},
			"private_ip":           schema.StringAttribute{Optional: true, Computed: true},
			"cdc_id":               schema.StringAttribute{Computed: true},
		},
	}
}

// MoveState carries a binding over from the official provider's
// tencentcloud_eip_association (a moved block, Terraform 1.8 or OpenTofu
// 1.10 or later). It calls no API (the framework does not configure the
// resource for it): Terraform refreshes the moved state before planning, and
// Read fills in the public IP and where the binding sits.
//
// It also takes this resource's own state from the same provider under
// another address (a registry host or namespace changed): OpenTofu 1.11.12
// and 1.12.4 ask for a move then, without a moved block.
func (r *EIPAssociationResource) MoveState(ctx context.Context) []resource.StateMover {
	var own resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &own)
	ownV0 := eipAssociationSchemaV0(ctx)
	return []resource.StateMover{
		{SourceSchema: &own.Schema, StateMover: moveFromThisProvider},
		{SourceSchema: &ownV0, StateMover: moveFromThisProviderV0},
		{SourceSchema: officialEIPAssociationSchemaV0(), StateMover: moveFromOfficialAssociation},
	}
}

// moveFromThisProvider keeps this resource's state as it is when it comes
// from this provider under another address; any other source is left to the
// next mover.
func moveFromThisProvider(_ context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
	if !isProvider(req.SourceProviderAddress, thisProvider) || req.SourceTypeName != "qcloud_eip_association" ||
		req.SourceState == nil || req.SourceSchemaVersion != req.SourceState.Schema.GetVersion() {
		return
	}
	resp.TargetState.Raw = req.SourceState.Raw
	resp.TargetPrivate = req.SourcePrivate
}

// moveFromThisProviderV0 is moveFromThisProvider for state of this
// resource's schema version 0, upgraded on the way.
func moveFromThisProviderV0(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
	if !isProvider(req.SourceProviderAddress, thisProvider) || req.SourceTypeName != "qcloud_eip_association" ||
		req.SourceState == nil || req.SourceSchemaVersion != 0 {
		return
	}
	var old eipAssociationModelV0
	resp.Diagnostics.Append(req.SourceState.Get(ctx, &old)...)
	if !resp.Diagnostics.HasError() {
		upgraded := old.upgrade()
		resp.Diagnostics.Append(resp.TargetState.Set(ctx, &upgraded)...)
	}
}

// moveFromOfficialAssociation is the last mover, so it refuses every source
// left, saying what it takes, rather than leaving the framework's generic
// error.
func moveFromOfficialAssociation(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
	source := fmt.Sprintf("%s of %s (schema version %d)", req.SourceTypeName, req.SourceProviderAddress, req.SourceSchemaVersion)
	if !isProvider(req.SourceProviderAddress, officialProvider) || req.SourceTypeName != officialAssociationType ||
		req.SourceSchemaVersion != officialAssociationSchemaV0 {
		resp.Diagnostics.AddError("Cannot move this resource to qcloud_eip_association",
			fmt.Sprintf("qcloud_eip_association takes over the state of %s only; this moved block comes from %s. "+
				"To adopt a binding managed any other way, take the old resource out of the state without destroying it "+
				"(a removed block with lifecycle { destroy = false }), and import the binding into qcloud_eip_association "+
				"(an import block) by its id, %s.", officialAssociationSourceDesc, source, importIDForms))
		return
	}

	if req.SourceState == nil {
		// The framework logs why the state did not decode (at DEBUG).
		resp.Diagnostics.AddError("Cannot move this tencentcloud_eip_association",
			"Its state does not have the attributes of "+officialAssociationSourceDesc+" (id, eip_id, instance_id, "+
				"network_interface_id, private_ip, cdc_id, all strings). Run terraform plan with TF_LOG=DEBUG for the reason, "+
				"or take the old resource out of the state without destroying it and import the binding instead.")
		return
	}
	var old officialEIPAssociationModelV0
	resp.Diagnostics.Append(req.SourceState.Get(ctx, &old)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The official provider reads every attribute but cdc_id from the id, so
	// the id is what carries over.
	id, err := parseAssociationID(old.ID.ValueString())
	if err == nil && !id.hasTarget() {
		err = fmt.Errorf("%q names no instance or network interface", old.ID.ValueString())
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot move this tencentcloud_eip_association",
			fmt.Sprintf("Its id cannot be carried over: %s. qcloud_eip_association manages bindings to a CVM instance "+
				"(ins-…) or to a private IP of a network interface (eni-…) only. Keep this binding in the official "+
				"provider: remove the moved block.", err))
		return
	}

	// Timeouts stay unset until configured; Read fills in the public IP, and
	// what the old state lacks of where the binding sits.
	moved := map[string]attr.Value{
		"id":                          types.StringValue(id.String()),
		"eip_id":                      types.StringValue(id.EIPID),
		"instance_id":                 types.StringNull(),
		"network_interface_id":        types.StringNull(),
		"private_ip":                  types.StringNull(),
		"reallocate_normal_public_ip": types.BoolValue(false),
		"allow_reassociation":         types.BoolValue(false),
		"public_ip":                   types.StringNull(),
	}
	if id.Target.InstanceID != "" {
		moved["instance_id"] = types.StringValue(id.Target.InstanceID)
	} else {
		moved["network_interface_id"] = types.StringValue(id.Target.NetworkInterfaceID)
		moved["private_ip"] = types.StringValue(id.Target.PrivateIP)
	}
	for name, value := range moved {
		resp.Diagnostics.Append(resp.TargetState.SetAttribute(ctx, path.Root(name), value)...)
	}
	tflog.Info(ctx, "moved EIP association from the official provider", map[string]any{
		"eip_association_id": id.String(), "source_provider": req.SourceProviderAddress,
	})
}

// isProvider reports whether a source provider address is the provider
// NAMESPACE/TYPE: HOST/NAMESPACE/TYPE on any registry (registry.terraform.io,
// registry.opentofu.org, a mirror), or TYPE alone, which is what OpenTofu
// sends before 1.11.12 and 1.12.4.
func isProvider(address, namespaceType string) bool {
	parts := strings.Split(address, "/")
	_, typeName, _ := strings.Cut(namespaceType, "/")
	switch len(parts) {
	case 1:
		return strings.EqualFold(parts[0], typeName)
	case 3:
		return strings.EqualFold(parts[1]+"/"+parts[2], namespaceType)
	}
	return false
}
