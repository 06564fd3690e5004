package provider

import (
	"context"
	"fmt"
	"strings"

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
	_ datasource.DataSource              = &EIPDataSource{}
	_ datasource.DataSourceWithConfigure = &EIPDataSource{}
)

func NewEIPDataSource() datasource.DataSource {
	return &EIPDataSource{}
}

// EIPDataSource looks up one EIP by id, public IP or name.
type EIPDataSource struct {
	client *client.Client
}

// EIPModel is one EIP: the qcloud_eip data source, and each entry of
// qcloud_eips.
type EIPModel struct {
	ID                 types.String `tfsdk:"id"`
	Name               types.String `tfsdk:"name"`
	PublicIP           types.String `tfsdk:"public_ip"`
	AddressType        types.String `tfsdk:"address_type"`
	Status             types.String `tfsdk:"status"`
	Blocked            types.Bool   `tfsdk:"blocked"`
	Arrears            types.Bool   `tfsdk:"arrears"`
	InstanceID         types.String `tfsdk:"instance_id"`
	NetworkInterfaceID types.String `tfsdk:"network_interface_id"`
	PrivateIP          types.String `tfsdk:"private_ip"`
}

// eipFrom is what the API shows of an address; what it leaves empty is null.
func eipFrom(a client.Address) EIPModel {
	str := func(s string) types.String {
		if s == "" {
			return types.StringNull()
		}
		return types.StringValue(s)
	}
	return EIPModel{
		ID:                 types.StringValue(a.ID),
		Name:               str(a.Name),
		PublicIP:           str(a.PublicIP),
		AddressType:        str(a.Type),
		Status:             str(a.Status),
		Blocked:            types.BoolValue(a.Blocked),
		Arrears:            types.BoolValue(a.Arrears),
		InstanceID:         str(a.InstanceID),
		NetworkInterfaceID: str(a.NetworkInterfaceID),
		PrivateIP:          str(a.PrivateIP),
	}
}

// eipDescriptions describe the attributes of an EIP, for both data sources.
var eipDescriptions = map[string]string{
	"id":        "ID of the EIP, such as `eip-1a2b3c4d`.",
	"name":      "Name of the EIP (exact match). The API names an EIP created without a name `未命名` (\"unnamed\").",
	"public_ip": "The EIP's public IPv4 address.",
	"address_type": "Address type: `EIP`, or a special kind such as `AnycastEIP`, `HighQualityEIP` or `AntiDDoSEIP`. " +
		"Normal public IPs (`WanIP`) are never shown.",
	"status": "Status: `UNBIND` (free), `BIND` (bound), `BIND_ENI` (bound to a network interface not " +
		"attached to an instance), `BINDING`, `UNBINDING`, `CREATING` or `OFFLINING`.",
	"blocked": "Whether the EIP is blocked: a blocked EIP can be neither bound nor unbound.",
	"arrears": "Whether the EIP is isolated because the account is in arrears: it cannot be bound.",
	"instance_id": "The instance the EIP is bound to (for a binding to a network interface, the instance the " +
		"interface is attached to). Null when it is bound to no instance.",
	"network_interface_id": "The network interface the EIP sits on. Null when unbound.",
	"private_ip":           "The private IPv4 address the EIP sits on. Null when unbound.",
}

func (d *EIPDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_eip"
}

func (d *EIPDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	lookup := stringvalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("public_ip"), path.MatchRoot("name"))
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up one Elastic IP (EIP) of the provider's region by `id`, `public_ip` or `name` " +
			"(exactly one of them), and shows its status and what it is bound to. Exactly one EIP must match: none, or " +
			"several (names need not be unique), is an error that says how many matched. Normal public IPs (address " +
			"type `WanIP`, which belong to their instance) are not EIPs and are never shown. To list EIPs, use " +
			"`qcloud_eips`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: eipDescriptions["id"] + " Set it, `public_ip` or `name` to choose the EIP.",
				Optional:            true,
				Computed:            true,
				Validators: []validator.String{
					lookup, eipIDValidator(),
				},
			},
			"public_ip": schema.StringAttribute{
				MarkdownDescription: eipDescriptions["public_ip"] + " Set it, `id` or `name` to choose the EIP.",
				Validators:          []validator.String{ipv4Address{}},
				Optional:            true,
				Computed:            true,
			},
			"name": schema.StringAttribute{
				MarkdownDescription: eipDescriptions["name"] + " Set it, `id` or `public_ip` to choose the EIP.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"address_type":         schema.StringAttribute{MarkdownDescription: eipDescriptions["address_type"], Computed: true},
			"status":               schema.StringAttribute{MarkdownDescription: eipDescriptions["status"], Computed: true},
			"blocked":              schema.BoolAttribute{MarkdownDescription: eipDescriptions["blocked"], Computed: true},
			"arrears":              schema.BoolAttribute{MarkdownDescription: eipDescriptions["arrears"], Computed: true},
			"instance_id":          schema.StringAttribute{MarkdownDescription: eipDescriptions["instance_id"], Computed: true},
			"network_interface_id": schema.StringAttribute{MarkdownDescription: eipDescriptions["network_interface_id"], Computed: true},
			"private_ip": schema.StringAttribute{
				MarkdownDescription: eipDescriptions["private_ip"], Computed: true,
			},
		},
	}
}

func (d *EIPDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = dataSourceClient(req, resp)
}

func (d *EIPDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config EIPModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() || !hasClient(d.client, &resp.Diagnostics) {
		return
	}
	key := eipLookupOf(config)
	ctx = tflog.SetField(ctx, "eip_lookup_"+key.attribute, key.value)

	found, err := d.lookup(ctx, key)
	if err != nil {
		resp.Diagnostics.Append(readDiagnostic(d.client, "looking up the EIP "+key.subject(), key.subject(), err, key.path()))
		return
	}
	if len(found) == 1 && found[0].Type == client.AddressTypeWanIP {
		resp.Diagnostics.AddAttributeError(key.path(), "Not an EIP: a normal public IP", notAnEIP(&found[0]))
		return
	}
	if len(found) != 1 {
		resp.Diagnostics.AddAttributeError(key.path(), key.countSummary(len(found)), key.countDetail(found, d.client.Region()))
		return
	}
	tflog.Debug(ctx, "found EIP", map[string]any{"eip_id": found[0].ID, "status": found[0].Status})
	data := eipFrom(found[0])
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

// lookup returns the addresses the key matches. An id names any address,
// normal public IPs included; public IPs and names match EIPs only.
func (d *EIPDataSource) lookup(ctx context.Context, key eipLookup) ([]client.Address, error) {
	switch key.attribute {
	case "id":
		addr, err := d.client.LookupAddress(ctx, key.value)
		if client.IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return []client.Address{*addr}, nil
	case "public_ip":
		return d.client.SelectAddresses(ctx, client.AddressSelection{PublicIPs: []string{key.value}})
	default:
		return d.client.SelectAddresses(ctx, client.AddressSelection{Names: []string{key.value}})
	}
}

// maxIDsShown is how many of the EIPs that match a lookup an error names.
const maxIDsShown = 10

// eipLookup is what qcloud_eip looks an EIP up by: the attribute set, and
// its value.
type eipLookup struct {
	attribute string
	value     string
}

// eipLookupOf reads the lookup from the configuration, which has exactly one
// of id, public_ip and name (the schema's validators see to it).
func eipLookupOf(config EIPModel) eipLookup {
	switch {
	case !config.ID.IsNull():
		return eipLookup{"id", config.ID.ValueString()}
	case !config.PublicIP.IsNull():
		return eipLookup{"public_ip", config.PublicIP.ValueString()}
	default:
		return eipLookup{"name", config.Name.ValueString()}
	}
}

func (k eipLookup) path() path.Path { return path.Root(k.attribute) }

// subject completes "EIP …" in messages.
func (k eipLookup) subject() string {
	switch k.attribute {
	case "id":
		return k.value
	case "public_ip":
		return "with public IP " + k.value
	default:
		return fmt.Sprintf("named %q", k.value)
	}
}

func (k eipLookup) countSummary(matched int) string {
	if matched == 0 {
		return "No EIP found"
	}
	return "More than one EIP found"
}

func (k eipLookup) countDetail(found []client.Address, region string) string {
	if len(found) == 0 {
		detail := fmt.Sprintf("No EIP %s exists in region %s: 0 matched, and qcloud_eip needs exactly one. Check the "+
			"value, and that the provider's region is the EIP's region.", k.subject(), region)
		if k.attribute == "public_ip" {
			detail += " A normal public IP (address type WanIP) of an instance is not an EIP and is not shown."
		}
		return detail
	}
	var ids []string
	for _, a := range found[:min(len(found), maxIDsShown)] {
		ids = append(ids, a.ID)
	}
	if len(found) > maxIDsShown {
		ids = append(ids, fmt.Sprintf("and %d more", len(found)-maxIDsShown))
	}
	return fmt.Sprintf("%d EIPs %s exist in region %s (%s), and qcloud_eip needs exactly one. Look the EIP up by id "+
		"instead, or list them all with qcloud_eips.", len(found), k.subject(), region, strings.Join(ids, ", "))
}
