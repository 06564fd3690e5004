// Command noapiprovider is terraform-provider-qcloud with its API taken out:
// the same schemas, CRUD that copies the plan into the state, and a list
// resource that makes up as many bindings as its limit asks for. The
// benchmark measures on it what Terraform and the plugin framework cost by
// themselves (the "framework floor"). It is never shipped.
package main

import (
	"context"
	"fmt"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	qcloud "github.com/tfqcloud/terraform-provider-qcloud/internal/provider"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/providerprocess"
)

func main() {
	providerprocess.Prepare(false)
	err := providerserver.Serve(context.Background(), func() provider.Provider {
		return noAPIProvider{Provider: qcloud.New("no-api")()}
	}, providerserver.ServeOpts{Address: "registry.terraform.io/tfqcloud/qcloud"})
	if err != nil {
		log.Fatal(err)
	}
}

// noAPIProvider has the real provider's metadata and schema, and configures
// nothing.
type noAPIProvider struct{ provider.Provider }

func (noAPIProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

var _ provider.ProviderWithListResources = noAPIProvider{}

func (noAPIProvider) ListResources(context.Context) []func() list.ListResource {
	return []func() list.ListResource{func() list.ListResource {
		return noAPIListResource{ListResource: qcloud.NewEIPAssociationListResource()}
	}}
}

func (noAPIProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource {
		return noAPIResource{Resource: qcloud.NewEIPAssociationResource()}
	}}
}

// noAPIResource has the real resource's metadata and schema; its state is
// its plan.
type noAPIResource struct{ resource.Resource }

// The real resource's identity schema: Terraform and the framework handle
// one for each resource.
var _ resource.ResourceWithIdentity = noAPIResource{}

func (noAPIResource) IdentitySchema(ctx context.Context, req resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	(&qcloud.EIPAssociationResource{}).IdentitySchema(ctx, req, resp)
}

func (noAPIResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m qcloud.EIPAssociationResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	m.ID = types.StringValue(m.EIPID.ValueString() + "::" + m.InstanceID.ValueString())
	m.PublicIP = types.StringValue("192.0.2.1")
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	resp.Diagnostics.Append(identity(ctx, resp.Identity, m.EIPID)...)
}

// identity sets a binding's identity: its EIP, in the emulator's region.
func identity(ctx context.Context, to *tfsdk.ResourceIdentity, eipID types.String) diag.Diagnostics {
	return to.Set(ctx, qcloud.EIPAssociationIdentityModel{EIPID: eipID, Region: types.StringValue("ap-guangzhou")})
}

// Read keeps the state as it is, and gives it its identity, which a
// Terraform before 1.12 does not keep.
func (noAPIResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var eipID types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("eip_id"), &eipID)...)
	resp.Diagnostics.Append(identity(ctx, resp.Identity, eipID)...)
}

func (noAPIResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
	var eipID types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("eip_id"), &eipID)...)
	resp.Diagnostics.Append(identity(ctx, resp.Identity, eipID)...)
}

func (noAPIResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

// noAPIListResource has the real list resource's metadata and schema; it
// lists limit instance bindings eip-scNNNNNN → ins-scNNNNNN, as the real one
// records them, without asking anything.
type noAPIListResource struct{ list.ListResource }

func (noAPIListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	stream.Results = func(push func(list.ListResult) bool) {
		for i := int64(1); i <= req.Limit; i++ {
			eip, ins := fmt.Sprintf("eip-sc%06d", i), fmt.Sprintf("ins-sc%06d", i)
			result := req.NewListResult(ctx)
			result.DisplayName = fmt.Sprintf("%s (192.0.2.1) on instance %s", eip, ins)
			result.Diagnostics.Append(result.Identity.SetAttribute(ctx, path.Root("eip_id"), eip)...)
			result.Diagnostics.Append(result.Identity.SetAttribute(ctx, path.Root("region"), "ap-guangzhou")...)
			if req.IncludeResource {
				for name, value := range map[string]attr.Value{
					"id": types.StringValue(eip + "::" + ins), "eip_id": types.StringValue(eip), "instance_id": types.StringValue(ins),
					"reallocate_normal_public_ip": types.BoolValue(false), "allow_reassociation": types.BoolValue(false),
					"public_ip": types.StringValue("192.0.2.1"),
				} {
					result.Diagnostics.Append(result.Resource.SetAttribute(ctx, path.Root(name), value)...)
				}
			}
			if !push(result) {
				return
			}
		}
	}
}
