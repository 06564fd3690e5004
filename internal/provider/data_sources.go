package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
)

// What the data sources share: the client from the provider, and API errors
// as diagnostics.

// dataSourceClient returns the client the provider hands its data sources;
// nil before the provider is configured.
func dataSourceClient(req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) *client.Client {
	if req.ProviderData == nil {
		return nil
	}
	data, ok := req.ProviderData.(*providerData)
	if !ok {
		resp.Diagnostics.AddError("Unexpected Data Source Configure Type",
			fmt.Sprintf("Expected *provider.providerData, got: %T. Please report this issue to the provider developers.", req.ProviderData))
		return nil
	}
	return data.client
}

// readDiagnostic is diagnose for a data source's read: blame is the
// attribute that chose the EIPs (none when empty), and what completes "EIP …"
// in the messages ("eip-1a2b3c4d", "named \"web\"").
func readDiagnostic(c *client.Client, doing, what string, err error, blame path.Path) diag.Diagnostic {
	s := subject{}
	if !blame.Equal(path.Empty()) {
		s[roleEIP] = blame
	}
	return diagnose(reading, doing, err, facts{EIPID: what, Region: c.Region(), Endpoint: c.Endpoint()}, s)
}
