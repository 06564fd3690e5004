package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
)

var (
	_ datasource.DataSource              = &EIPsDataSource{}
	_ datasource.DataSourceWithConfigure = &EIPsDataSource{}
)

func NewEIPsDataSource() datasource.DataSource {
	return &EIPsDataSource{}
}

// EIPsDataSource lists the region's EIPs, filtered.
type EIPsDataSource struct {
	client *client.Client
}

// EIPsDataSourceModel is the filters and the EIPs they match.
type EIPsDataSourceModel struct {
	Names     []string   `tfsdk:"names"`
	PublicIPs []string   `tfsdk:"public_ips"`
	Statuses  []string   `tfsdk:"statuses"`
	Bound     types.Bool `tfsdk:"bound"`
	EIPs      []EIPModel `tfsdk:"eips"`
}

// addressStatuses are the documented address statuses.
var addressStatuses = []string{
	client.StatusUnbind, client.StatusBind, client.StatusBindENI, client.StatusBinding, client.StatusUnbinding,
	client.StatusCreating, client.StatusOffline,
}

func (d *EIPsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_eips"
}

func (d *EIPsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	nonEmpty := []validator.Set{setvalidator.SizeAtLeast(1)}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the Elastic IPs (EIPs) of the provider's region, in id order, optionally filtered. " +
			"An EIP is listed when it matches every filter set, and a filter matches when any of its values does. " +
			"Normal public IPs (address type `WanIP`, which belong to their instance) are not EIPs and are never " +
			"listed, as DescribeAddresses leaves them out unless asked for them. The list is read a page of 100 at a " +
			"time, however long it is.",
		Attributes: map[string]schema.Attribute{
			"names": schema.SetAttribute{
				MarkdownDescription: "List the EIPs with these names (exact match).",
				ElementType:         types.StringType,
				Optional:            true,
				Validators:          append(nonEmpty, setvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))),
			},
			"public_ips": schema.SetAttribute{
				MarkdownDescription: "List the EIPs with these public IPv4 addresses.",
				ElementType:         types.StringType,
				Optional:            true,
				Validators:          append(nonEmpty, setvalidator.ValueStringsAre(ipv4Address{})),
			},
			"statuses": schema.SetAttribute{
				MarkdownDescription: "List the EIPs in these statuses: `UNBIND`, `BIND`, `BIND_ENI`, `BINDING`, " +
					"`UNBINDING`, `CREATING` or `OFFLINING`.",
				ElementType: types.StringType,
				Optional:    true,
				Validators:  append(nonEmpty, setvalidator.ValueStringsAre(stringvalidator.OneOf(addressStatuses...))),
			},
			"bound": schema.BoolAttribute{
				MarkdownDescription: "`true` lists the EIPs bound to something, or being bound or unbound (`BIND`, " +
					"`BIND_ENI`, `BINDING`, `UNBINDING`); `false` lists the others (`UNBIND`, `CREATING`, `OFFLINING`). " +
					"An EIP in `UNBIND` that is blocked or in arrears cannot be bound all the same: to find the EIPs free to bind, " +
					"keep those of `statuses = [\"UNBIND\"]` with `blocked` and `arrears` false.",
				Optional: true,
			},
			"eips": schema.ListNestedAttribute{
				MarkdownDescription: "The EIPs that match, in id order.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":                   schema.StringAttribute{MarkdownDescription: eipDescriptions["id"], Computed: true},
						"name":                 schema.StringAttribute{MarkdownDescription: eipDescriptions["name"], Computed: true},
						"address_type":         schema.StringAttribute{MarkdownDescription: eipDescriptions["address_type"], Computed: true},
						"status":               schema.StringAttribute{MarkdownDescription: eipDescriptions["status"], Computed: true},
						"blocked":              schema.BoolAttribute{MarkdownDescription: eipDescriptions["blocked"], Computed: true},
						"arrears":              schema.BoolAttribute{MarkdownDescription: eipDescriptions["arrears"], Computed: true},
						"instance_id":          schema.StringAttribute{MarkdownDescription: eipDescriptions["instance_id"], Computed: true},
						"network_interface_id": schema.StringAttribute{MarkdownDescription: eipDescriptions["network_interface_id"], Computed: true},
						"public_ip": schema.StringAttribute{
							MarkdownDescription: eipDescriptions["public_ip"], Computed: true,
						},
						"private_ip": schema.StringAttribute{
							MarkdownDescription: eipDescriptions["private_ip"], Computed: true,
						},
					},
				},
			},
		},
	}
}

func (d *EIPsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = dataSourceClient(req, resp)
}

func (d *EIPsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data EIPsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() || !hasClient(d.client, &resp.Diagnostics) {
		return
	}
	sel := client.AddressSelection{Names: data.Names, PublicIPs: data.PublicIPs, Statuses: data.Statuses}
	if !data.Bound.IsNull() {
		bound := data.Bound.ValueBool()
		sel.Bound = &bound
	}
	found, err := d.client.SelectAddresses(ctx, sel)
	if err != nil {
		resp.Diagnostics.Append(readDiagnostic(d.client, "listing EIPs", "s matching the filters", err, path.Empty()))
		return
	}
	data.EIPs = make([]EIPModel, 0, len(found))
	for _, a := range found {
		data.EIPs = append(data.EIPs, eipFrom(a))
	}
	tflog.Debug(ctx, "listed EIPs", map[string]any{"count": len(found)})
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}
