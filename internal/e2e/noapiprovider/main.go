// Command noapiprovider is terraform-provider-qcloud with its API taken out:
// the same provider and resource schemas (taken from internal/provider), and
// CRUD that only copies the plan into the state. The benchmark runs it beside
// the real provider to measure what Terraform and the plugin framework cost by
// themselves for N associations (the "framework floor"), which no provider
// built on them can go below. It is a measuring instrument, never shipped.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
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

func (noAPIProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource {
		return noAPIResource{Resource: qcloud.NewEIPAssociationResource()}
	}}
}

// noAPIResource has the real resource's metadata and schema; its state is
// its plan. Read keeps the state as it is (the framework's default).
type noAPIResource struct{ resource.Resource }

func (noAPIResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m qcloud.EIPAssociationResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	m.ID = types.StringValue(m.EIPID.ValueString() + "::" + m.InstanceID.ValueString())
	m.PublicIP = types.StringValue("192.0.2.1")
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (noAPIResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (noAPIResource) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
}

func (noAPIResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
