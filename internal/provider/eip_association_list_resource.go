package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
)

var (
	_ list.ListResource              = &EIPAssociationListResource{}
	_ list.ListResourceWithConfigure = &EIPAssociationListResource{}
)

func NewEIPAssociationListResource() list.ListResource {
	return &EIPAssociationListResource{}
}

// EIPAssociationListResource finds the EIP bindings of the provider's region
// for terraform query (Terraform 1.14+), each as importing its EIP would
// record it.
type EIPAssociationListResource struct {
	client *client.Client
}

// EIPAssociationListModel is the config block of a list "qcloud_eip_association".
type EIPAssociationListModel struct {
	EIPIDs              types.List `tfsdk:"eip_ids"`
	InstanceIDs         types.List `tfsdk:"instance_ids"`
	NetworkInterfaceIDs types.List `tfsdk:"network_interface_ids"`
	PrivateIPs          types.List `tfsdk:"private_ips"`
	PublicIPs           types.List `tfsdk:"public_ips"`
	AddressNames        types.List `tfsdk:"address_names"`
}

// settledBindings are the statuses of an EIP bound and at rest: one being
// bound or unbound is left out (an import would wait for it to settle).
var settledBindings = []string{client.StatusBind, client.StatusBindENI}

func (l *EIPAssociationListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_eip_association"
}

func (l *EIPAssociationListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	each := func(v validator.String) []validator.List {
		return []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(v)}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Finds the EIP bindings (associations) of the provider's region, to adopt them with " +
			"`terraform query -generate-config-out`: every binding of an EIP to a CVM instance or to a private IP of a " +
			"network interface, or those the filters select (a binding matches when it matches every filter set, and " +
			"within a filter any value). Normal public IPs (`WanIP`) are never listed, and neither are EIPs being bound " +
			"or unbound, nor EIPs bound to something other than a CVM instance or a network interface (a NAT gateway). " +
			"Each result is recorded as importing its EIP would record it: an EIP on the primary private IP of an " +
			"instance's primary network interface as an instance binding (`instance_id`), any other as a network " +
			"interface binding (`network_interface_id` and `private_ip`). Results come in EIP id order; with `limit`, " +
			"they are the first the API lists, in that order. Requires Terraform 1.14 or later.",
		Attributes: map[string]schema.Attribute{
			"eip_ids": schema.ListAttribute{
				MarkdownDescription: "EIP ids, such as `eip-1a2b3c4d`.",
				ElementType:         types.StringType,
				Optional:            true,
				Validators:          each(eipIDValidator()),
			},
			"instance_ids": schema.ListAttribute{
				MarkdownDescription: "CVM instance ids, such as `ins-1a2b3c4d`: the bindings on any private IP of " +
					"these instances' network interfaces.",
				ElementType: types.StringType,
				Optional:    true,
				Validators:  each(instanceIDValidator()),
			},
			"network_interface_ids": schema.ListAttribute{
				MarkdownDescription: "Elastic network interface ids, such as `eni-1a2b3c4d`.",
				ElementType:         types.StringType,
				Optional:            true,
				Validators:          each(networkInterfaceIDValidator()),
			},
			"private_ips": schema.ListAttribute{
				MarkdownDescription: "Private IPv4 addresses the EIPs sit on. The API takes one private IP a call: " +
					"each costs a query of its own.",
				ElementType: types.StringType,
				Optional:    true,
				Validators:  each(ipv4Address{}),
			},
			"public_ips": schema.ListAttribute{
				MarkdownDescription: "The EIPs' public IPv4 addresses.",
				ElementType:         types.StringType,
				Optional:            true,
				Validators:          each(ipv4Address{}),
			},
			"address_names": schema.ListAttribute{
				MarkdownDescription: "Exact EIP names, as the console shows them. The API takes one name a call: each " +
					"costs a query of its own.",
				ElementType: types.StringType,
				Optional:    true,
				Validators:  each(stringvalidator.LengthAtLeast(1)),
			},
		},
	}
}

func (l *EIPAssociationListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	data, ok := req.ProviderData.(*providerData)
	if !ok {
		resp.Diagnostics.AddError("Unexpected List Resource Configure Type",
			fmt.Sprintf("Expected *provider.providerData, got: %T. Please report this issue to the provider developers.", req.ProviderData))
		return
	}
	l.client = data.client
}

func (l *EIPAssociationListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var diags diag.Diagnostics
	var config EIPAssociationListModel
	diags.Append(req.Config.Get(ctx, &config)...)
	sel := client.AddressSelection{Statuses: settledBindings, Limit: int(req.Limit)}
	for _, f := range []struct {
		from types.List
		to   *[]string
	}{
		{config.EIPIDs, &sel.IDs}, {config.InstanceIDs, &sel.InstanceIDs}, {config.NetworkInterfaceIDs, &sel.NetworkInterfaceIDs},
		{config.PrivateIPs, &sel.PrivateIPs}, {config.PublicIPs, &sel.PublicIPs}, {config.AddressNames, &sel.Names},
	} {
		diags.Append(f.from.ElementsAs(ctx, f.to, false)...)
	}
	if diags.HasError() || !hasClient(l.client, &diags) {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	ctx = tflog.SetField(ctx, "region", l.client.Region())
	found, err := l.client.SelectAddresses(ctx, sel)
	if err != nil {
		diags.Append(diagnose(reading, "listing the EIP bindings of region "+l.client.Region(), err,
			facts{Region: l.client.Region(), Endpoint: l.client.Endpoint()}, nil))
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	// The form of each binding comes from its network interface, as an
	// import finds it: read them together, 100 a call, not one by one.
	r := &EIPAssociationResource{client: l.client}
	bindings := make([]client.Address, 0, len(found))
	var interfaces []string
	for _, addr := range found {
		if err := r.notImportable(associationID{EIPID: addr.ID}, &addr); err != nil {
			tflog.Debug(ctx, "not listed: no binding qcloud_eip_association manages", map[string]any{"eip_id": addr.ID, "reason": err.Error()})
			continue
		}
		bindings = append(bindings, addr)
		if addr.InstanceID != "" {
			interfaces = append(interfaces, addr.NetworkInterfaceID)
		}
	}
	if req.IncludeResource && len(interfaces) > 0 {
		if _, err := l.client.LookupNetworkInterfaces(ctx, interfaces); err != nil {
			diags.Append(diagnose(reading, "reading the network interfaces of the EIP bindings of region "+l.client.Region(), err,
				facts{Region: l.client.Region(), Endpoint: l.client.Endpoint()}, nil))
			stream.Results = list.ListResultsStreamDiagnostics(diags)
			return
		}
	}
	tflog.Debug(ctx, "listed EIP bindings", map[string]any{"addresses": len(found), "bindings": len(bindings), "limit": req.Limit})
	stream.Results = func(push func(list.ListResult) bool) {
		for _, addr := range bindings {
			if !push(l.result(ctx, req, r, addr)) {
				return
			}
		}
	}
}

// result is one binding as a list result: its identity and display name, and
// with include_resource what importing its EIP would record.
func (l *EIPAssociationListResource) result(ctx context.Context, req list.ListRequest, r *EIPAssociationResource, addr client.Address) list.ListResult {
	result := req.NewListResult(ctx)
	result.DisplayName = fmt.Sprintf("%s (%s) on %s", addr.ID, addr.PublicIP, addr.Describe())
	result.Diagnostics.Append(r.setIdentity(ctx, result.Identity, addr.ID)...)
	if !req.IncludeResource {
		return result
	}
	at, err := r.importable(ctx, associationID{EIPID: addr.ID}, &addr)
	if err != nil {
		result.Diagnostics.AddError("Cannot list this EIP's binding", sentence(err.Error()))
		return result
	}
	result.Diagnostics.Append(setImported(ctx, result.Resource, at, &addr)...)
	return result
}
