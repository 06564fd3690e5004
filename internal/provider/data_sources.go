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

// readDiagnostic is diagnose for a data source's read: the table's rules
// blame the resource's attributes (eip_id), which a data source does not
// have, so a diagnostic about an attribute is put on blame instead, or on no
// attribute when blame is empty. subject completes "EIP …" in the messages.
func readDiagnostic(c *client.Client, doing, subject string, err error, blame path.Path) diag.Diagnostic {
	d := diagnose(opRead, doing, err, situation{EIPID: subject, Region: c.Region(), Endpoint: c.Endpoint()})
	if _, onAttribute := d.(diag.DiagnosticWithPath); !onAttribute {
		return d
	}
	if blame.Equal(path.Empty()) {
		return diag.NewErrorDiagnostic(d.Summary(), d.Detail())
	}
	return diag.NewAttributeErrorDiagnostic(blame, d.Summary(), d.Detail())
}
