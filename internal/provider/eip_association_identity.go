package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The identity of qcloud_eip_association (Terraform 1.12+, OpenTofu 1.12+):
// an EIP has at most one binding in a region, so the EIP and the region name
// the binding for the life of the resource, whichever form its id takes.

var _ resource.ResourceWithIdentity = &EIPAssociationResource{}

// EIPAssociationIdentityModel is the resource's identity.
type EIPAssociationIdentityModel struct {
	EIPID  types.String `tfsdk:"eip_id"`
	Region types.String `tfsdk:"region"`
}

func (r *EIPAssociationResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"eip_id": identityschema.StringAttribute{
				Description:       "ID of the bound EIP, such as `eip-1a2b3c4d`.",
				RequiredForImport: true,
			},
			"region": identityschema.StringAttribute{
				Description: "Region of the EIP. Defaults to the provider's region on import, and must be that region: " +
					"the provider works in one region.",
				OptionalForImport: true,
			},
		},
	}
}

// setIdentity records the identity of the binding of eipID. A resource
// without an identity schema (the framework gives no identity then) has
// nothing to record.
func (r *EIPAssociationResource) setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, eipID string) diag.Diagnostics {
	if identity == nil || r.client == nil {
		return nil
	}
	return identity.Set(ctx, EIPAssociationIdentityModel{EIPID: types.StringValue(eipID), Region: types.StringValue(r.client.Region())})
}

// recordRegion notes, in the identity and the private state, the region the
// binding of eipID was made or seen in: the identity needs Terraform 1.12,
// the private state does not.
func (r *EIPAssociationResource) recordRegion(ctx context.Context, identity *tfsdk.ResourceIdentity, private privateState, eipID string) diag.Diagnostics {
	diags := r.setIdentity(ctx, identity, eipID)
	diags.Append(setJSON(ctx, private, keyRegion, r.client.Region())...)
	return diags
}

// inRecordedRegion reports whether the provider works in the region the
// association was recorded in (or none was recorded), and otherwise says
// so: in another region the EIP would look gone, so a refresh would drop the
// binding as drift and a destroy would unbind nothing and report success.
func (r *EIPAssociationResource) inRecordedRegion(ctx context.Context, identity *tfsdk.ResourceIdentity, private privateState,
	id associationID, diags *diag.Diagnostics) bool {
	var recorded string
	if identity != nil && !identity.Raw.IsFullyNull() {
		var model EIPAssociationIdentityModel
		if !identity.Get(ctx, &model).HasError() {
			recorded = model.Region.ValueString()
		}
	}
	if recorded == "" {
		getJSON(ctx, private, keyRegion, &recorded)
	}
	if recorded == "" || recorded == r.client.Region() {
		return true
	}
	diags.AddError("Association recorded in another region",
		fmt.Sprintf("The association %s was made in region %q, but the provider now works in region %q, where the EIP "+
			"cannot be seen. Nothing was changed. Set the provider's region back to %q, or manage this resource "+
			"with a provider for that region (a provider block with an alias, named by the resource's provider argument). "+
			"%s",
			id, recorded, r.client.Region(), recorded, stopManaging))
	return false
}

// importIDFromIdentity turns an import by identity into the id it stands
// for: the EIP alone, whose current binding the import looks up.
func (r *EIPAssociationResource) importIDFromIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) (string, bool) {
	if identity == nil {
		diags.AddError("Missing import id", "The import gives neither an id nor an identity. Import by id ("+importIDForms+
			") or by identity (identity = { eip_id = \"eip-xxxxxxxx\" }).")
		return "", false
	}
	var id EIPAssociationIdentityModel
	diags.Append(identity.Get(ctx, &id)...)
	if diags.HasError() {
		return "", false
	}
	eipID := id.EIPID.ValueString()
	if !eipIDPattern.MatchString(eipID) {
		diags.AddError("Invalid identity",
			fmt.Sprintf("The identity's eip_id %q is not an EIP id: eip- followed by 8 lowercase letters or digits, such as eip-1a2b3c4d.", eipID))
		return "", false
	}
	if region := id.Region.ValueString(); region != "" && region != r.client.Region() {
		diags.AddError("Identity names another region",
			fmt.Sprintf("The identity names region %q, but the provider works in region %q, and only there. Import the "+
				"binding with a provider configured for %s (a provider block with region = %q and an alias, named by the "+
				"import block's provider argument), or leave region out of the identity to use the provider's.",
				region, r.client.Region(), region, region))
		return "", false
	}
	return eipID, true
}
