// Package provider is the Terraform face of the qcloud provider: the provider
// configuration, the resources, and the translation of API errors into
// diagnostics.
package provider

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
)

// Environment variables the provider reads, the same names the official
// provider and SDK use, plus QCLOUD_ENDPOINT.
const (
	EnvSecretID        = "TENCENTCLOUD_SECRET_ID"
	EnvSecretKey       = "TENCENTCLOUD_SECRET_KEY"
	EnvSecurityToken   = "TENCENTCLOUD_SECURITY_TOKEN"
	EnvRegion          = "TENCENTCLOUD_REGION"
	EnvEndpoint        = "QCLOUD_ENDPOINT"
	EnvCredentialsFile = "TENCENTCLOUD_CREDENTIALS_FILE"
	EnvSite            = "QCLOUD_SITE"
	DefaultRegion      = "ap-guangzhou"
)

// regionPattern is the shape of a region name (ap-guangzhou, na-siliconvalley,
// ap-shanghai-fsi); a zone (ap-guangzhou-3) is not one.
var regionPattern = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+$`)

// site is the Tencent Cloud site an account belongs to. The two sites'
// documentation disagree on binding an EIP where a normal public IP sits.
type site string

const (
	// siteChina (cloud.tencent.com) refuses such a bind (since 2024-09).
	siteChina site = "china"
	// siteInternational (tencentcloud.com) releases the normal public IP.
	siteInternational site = "international"
)

// refusesBindOverNormalIP reports whether the site refuses to bind an EIP
// where a normal public IP sits.
func (s site) refusesBindOverNormalIP() bool { return s != siteInternational }

// providerData is what the provider hands its resources and data sources.
type providerData struct {
	client *client.Client
	run    *run
	site   site
}

var (
	_ provider.Provider                  = &QcloudProvider{}
	_ provider.ProviderWithActions       = &QcloudProvider{}
	_ provider.ProviderWithListResources = &QcloudProvider{}
)

// New returns the provider factory for a version.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &QcloudProvider{version: version}
	}
}

// QcloudProvider is the qcloud provider.
type QcloudProvider struct {
	version string
}

// QcloudProviderModel is the provider block.
type QcloudProviderModel struct {
	SecretID               types.String       `tfsdk:"secret_id"`
	SecretKey              types.String       `tfsdk:"secret_key"`
	SecurityToken          types.String       `tfsdk:"security_token"`
	Region                 types.String       `tfsdk:"region"`
	Endpoint               types.String       `tfsdk:"endpoint"`
	WriteRequestsPerSecond types.Float64      `tfsdk:"write_requests_per_second"`
	ReadRequestsPerSecond  types.Float64      `tfsdk:"read_requests_per_second"`
	Site                   types.String       `tfsdk:"site"`
	Profile                types.String       `tfsdk:"profile"`
	SharedCredentialsDir   types.String       `tfsdk:"shared_credentials_dir"`
	CamRoleName            types.String       `tfsdk:"cam_role_name"`
	EnablePodOIDC          types.Bool         `tfsdk:"enable_pod_oidc"`
	AllowedAccountIDs      types.Set          `tfsdk:"allowed_account_ids"`
	ForbiddenAccountIDs    types.Set          `tfsdk:"forbidden_account_ids"`
	AssumeRole             []assumeRoleModel  `tfsdk:"assume_role"`
	WebIdentity            []webIdentityModel `tfsdk:"assume_role_with_web_identity"`
}

func (p *QcloudProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "qcloud"
	resp.Version = p.version
}

func (p *QcloudProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	defer func() {
		for name, a := range authAttributes() {
			resp.Schema.Attributes[name] = a
		}
		resp.Schema.Blocks = authBlocks()
	}()
	resp.Schema = schema.Schema{
		MarkdownDescription: "The qcloud provider manages Tencent Cloud (qcloud) Elastic IP associations through the VPC API 3.0.",
		Attributes: map[string]schema.Attribute{
			"secret_id": schema.StringAttribute{
				MarkdownDescription: "API secret ID. Falls back to `" + EnvSecretID + "`, then to the `secret_id` of the `[default]` " +
					"section of the SDK credentials file (`" + EnvCredentialsFile + "` or `~/.tencentcloud/credentials`).",
				Optional: true,
			},
			"secret_key": schema.StringAttribute{
				MarkdownDescription: "API secret key. Falls back to `" + EnvSecretKey + "`, then to the SDK credentials file.",
				Optional:            true,
				Sensitive:           true,
			},
			"security_token": schema.StringAttribute{
				MarkdownDescription: "Security token of temporary (STS) credentials. Falls back to `" + EnvSecurityToken + "`.",
				Optional:            true,
				Sensitive:           true,
			},
			"region": schema.StringAttribute{
				MarkdownDescription: "Region, such as `ap-guangzhou`. Falls back to `" + EnvRegion + "`, then to `" + DefaultRegion + "`.",
				Optional:            true,
				Validators: []validator.String{
					stringvalidator.RegexMatches(regionPattern, "must be a region name: lowercase words joined by hyphens, with no digits, such as ap-guangzhou or na-siliconvalley (ap-guangzhou-3 is a zone, not a region)"),
				},
			},
			"endpoint": schema.StringAttribute{
				MarkdownDescription: "One URL that every Tencent Cloud API service the provider calls (VPC, CVM) is called at, " +
					"such as a local emulator or a proxy. Falls back to `" + EnvEndpoint + "`; by default each service is " +
					"called at its own domain (`vpc.tencentcloudapi.com`, `cvm.tencentcloudapi.com`). A URL whose host is one " +
					"service's domain, such as `https://vpc.ap-guangzhou.tencentcloudapi.com`, names the others' domains " +
					"beside it. Plain `http://` is accepted only for a loopback host (`127.0.0.0/8`, `localhost`, `[::1]`): " +
					"signatures and tokens must not travel in clear text.",
				Optional:   true,
				Validators: []validator.String{endpointValidator{}},
			},
			"write_requests_per_second": schema.Float64Attribute{
				MarkdownDescription: "Client-side limit on AssociateAddress and DisassociateAddress calls per second, each. " +
					"Defaults to the API's documented limit, `10`; lower it when other tools share the account's quota.",
				Optional:   true,
				Validators: []validator.Float64{requestRate{min: 0.1, max: 1000}},
			},
			"read_requests_per_second": schema.Float64Attribute{
				MarkdownDescription: "Client-side limit on each Describe action's calls per second. Defaults to each " +
					"action's documented limit: `20` for DescribeAddresses and DescribeTaskResult, `10` for " +
					"DescribeAddressQuota, `100` for DescribeNetworkInterfaces, `40` for CVM DescribeInstances. When set, it " +
					"applies to each of them.",
				Optional:   true,
				Validators: []validator.Float64{requestRate{min: 0.1, max: 1000}},
			},
			"site": schema.StringAttribute{
				MarkdownDescription: "The Tencent Cloud site the account belongs to: `china` (cloud.tencent.com, the " +
					"default) or `international` (tencentcloud.com). Their documentation differs on binding an EIP to an " +
					"instance that holds a normal public IP: the China site refuses the bind, the international site " +
					"releases the normal public IP. Plans check for the site's rule. Falls back to `" + EnvSite + "`.",
				Optional: true,
				Validators: []validator.String{
					stringvalidator.OneOf(string(siteChina), string(siteInternational)),
				},
			},
		},
	}
}

func (p *QcloudProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var data QcloudProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// A value that is unknown until apply (taken from another resource) leaves
	// the provider unconfigured for now; resources report it if they need the
	// API before then.
	for name, v := range map[string]types.String{
		"secret_id": data.SecretID, "secret_key": data.SecretKey, "security_token": data.SecurityToken,
		"region": data.Region, "endpoint": data.Endpoint, "site": data.Site,
	} {
		if v.IsUnknown() {
			tflog.Debug(ctx, "provider configuration not yet known; deferring client setup", map[string]any{"attribute": name})
			return
		}
	}
	if data.WriteRequestsPerSecond.IsUnknown() || data.ReadRequestsPerSecond.IsUnknown() || authUnknown(&data) {
		tflog.Debug(ctx, "provider configuration not yet known; deferring client setup")
		return
	}

	endpoint := valueOrEnv(data.Endpoint, EnvEndpoint, "")
	if err := checkEndpoint(endpoint); endpoint != "" && err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Invalid endpoint", sentence(err.Error())+
			"\n\nThe value came from "+origin(data.Endpoint, EnvEndpoint)+".")
	}
	region := valueOrEnv(data.Region, EnvRegion, DefaultRegion)

	if !regionPattern.MatchString(region) {
		resp.Diagnostics.AddAttributeError(path.Root("region"), "Invalid region",
			fmt.Sprintf("%q is not a region name such as ap-guangzhou or na-siliconvalley. The value came from %s.",
				region, origin(data.Region, EnvRegion)))
	}
	chosenSite := site(valueOrEnv(data.Site, EnvSite, string(siteChina)))
	if chosenSite != siteChina && chosenSite != siteInternational {
		resp.Diagnostics.AddAttributeError(path.Root("site"), "Invalid site",
			fmt.Sprintf("%q is not %q or %q. The value came from %s.", chosenSite, siteChina, siteInternational, origin(data.Site, EnvSite)))
	}

	if resp.Diagnostics.HasError() {
		return
	}
	var rate client.RateLimit
	if !data.WriteRequestsPerSecond.IsNull() {
		rate.Write = data.WriteRequestsPerSecond.ValueFloat64()
	}
	if !data.ReadRequestsPerSecond.IsNull() {
		rate.Read = data.ReadRequestsPerSecond.ValueFloat64()
	}

	var secrets []string
	newClient := func(cfg client.Config) (*client.Client, error) {
		cfg.Region = cmp.Or(cfg.Region, region)
		cfg.Endpoint, cfg.Version, cfg.RateLimit = endpoint, p.version, rate
		cfg.Log = func(ctx context.Context, msg string, fields map[string]any) {
			logFunc(secrets...)(ctx, msg, fields) // the secrets found by then
		}
		return client.New(cfg)
	}
	a := resolveAuth(ctx, &data, newClient, &resp.Diagnostics)
	secrets = a.secrets
	if resp.Diagnostics.HasError() {
		return
	}
	if a.region != "" && valueOrEnv(data.Region, EnvRegion, "") == "" {
		// The tccli profile's region (STS, which a profile's role-arn
		// already called, is global).
		region = a.region
	}
	c, err := newClient(client.Config{Credentials: a.source})
	if err != nil {
		resp.Diagnostics.AddError("Unable to create the Tencent Cloud client", err.Error())
		return
	}
	if a.temporary {
		if err := c.Authenticate(ctx); err != nil {
			resp.Diagnostics.Append(diagnose(authenticating, "obtaining credentials from "+a.describe, err,
				facts{Region: region, Endpoint: c.Endpoint(), Auth: a.describe}, nil))
			return
		}
	}
	checkAccount(ctx, c, &data, a.describe, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Debug(ctx, "configured the API client", map[string]any{"region": region, "endpoint": c.Endpoint(), "site": string(chosenSite)})
	// Terraform configures the provider once for each plan and each apply.
	shared := &providerData{client: c, run: newRun(client.RealClock{}), site: chosenSite}
	resp.ResourceData = shared
	resp.DataSourceData = shared
	resp.ActionData = shared
	resp.ListResourceData = shared
}

func (p *QcloudProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewEIPAssociationResource,
	}
}

// Actions need Terraform 1.14 or later; older versions and OpenTofu ignore
// them.
func (p *QcloudProvider) Actions(_ context.Context) []func() action.Action {
	return []func() action.Action{
		NewEIPDisassociateAction,
	}
}

// List resources need Terraform 1.14 or later (terraform query).
func (p *QcloudProvider) ListResources(_ context.Context) []func() list.ListResource {
	return []func() list.ListResource{
		NewEIPAssociationListResource,
	}
}

func (p *QcloudProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewEIPDataSource,
		NewEIPsDataSource,
	}
}

// hasClient reports whether the provider handed out a client; when it did
// not, its configuration depended on values not known yet, which the
// diagnostic explains.
func hasClient(c *client.Client, diags *diag.Diagnostics) bool {
	if c != nil {
		return true
	}
	diags.AddError("Provider not configured",
		"The qcloud provider's configuration depends on values that are not known yet (for example an attribute of "+
			"a resource that is not created yet), so it cannot call the API in this step. Apply the resources it depends on "+
			"first (terraform apply -target=...), or give the provider values known at plan time.")
	return false
}

// logFunc sends the client's log lines to Terraform's log, with the secrets
// masked should any ever appear in them.
func logFunc(secrets ...string) client.LogFunc {
	var mask []string
	for _, s := range secrets {
		if s != "" {
			mask = append(mask, s)
		}
	}
	return func(ctx context.Context, msg string, fields map[string]any) {
		ctx = tflog.MaskMessageStrings(ctx, mask...)
		ctx = tflog.MaskAllFieldValuesStrings(ctx, mask...)
		tflog.Debug(ctx, msg, fields)
	}
}

func valueOrEnv(v types.String, env, fallback string) string {
	if !v.IsNull() && v.ValueString() != "" {
		return v.ValueString()
	}
	if e := os.Getenv(env); e != "" {
		return e
	}
	return fallback
}

func origin(v types.String, env string) string {
	if !v.IsNull() && v.ValueString() != "" {
		return "the provider argument"
	}
	if os.Getenv(env) != "" {
		return "the environment variable " + env
	}
	return "the default"
}

// credentialSummary says which half of a credential pair is present, never
// its value.
func credentialSummary(id, key string) string {
	switch {
	case id == "" && key == "":
		return "neither a secret ID nor a secret key"
	case id == "":
		return "a secret key but no secret ID"
	default:
		return "a secret ID but no secret key"
	}
}

// checkEndpoint accepts an https URL, or an http URL whose host is loopback.
func checkEndpoint(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("the endpoint is not a URL such as https://vpc.tencentcloudapi.com")
	}
	shown := u.Redacted() // never repeat a password given in the URL
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q must not carry user information, a query or a fragment", shown)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return fmt.Errorf("%q uses plain http to a host that is not loopback; request signatures and security "+
				"tokens must not travel in clear text. Use https, or http only to 127.0.0.0/8, localhost or [::1]", shown)
		}
	default:
		return fmt.Errorf("%q must start with https:// (or http:// for a loopback host)", shown)
	}
	return nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
