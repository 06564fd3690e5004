package provider_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/provider"
)

// TestEIPDataSource_lookupValidation validates qcloud_eip configurations over
// the protocol and checks every diagnostic: a bad public_ip is one error,
// never also "no attribute specified" (as when its type hid its value).
func TestEIPDataSource_lookupValidation(t *testing.T) {
	tests := []struct {
		name   string
		config map[string]string
		want   []string // summaries
	}{
		{"by id", map[string]string{"id": "eip-demo0002"}, nil},
		{"by public IP", map[string]string{"public_ip": "203.0.113.2"}, nil},
		{"invalid public IP", map[string]string{"public_ip": "10.0.0.256"}, []string{"Invalid IPv4 Address String Value"}},
		{"nothing", map[string]string{}, []string{"Invalid Attribute Combination"}},
		{"two ways", map[string]string{"id": "eip-demo0002", "name": "demo"}, []string{"Invalid Attribute Combination"}},
		{"two ways, one invalid", map[string]string{"public_ip": "1.2.3", "name": "demo"},
			[]string{"Invalid Attribute Combination", "Invalid IPv4 Address String Value"}},
	}
	ctx := context.Background()
	var schemaResp datasource.SchemaResponse
	provider.NewEIPDataSource().Schema(ctx, datasource.SchemaRequest{}, &schemaResp)
	objectType, ok := schemaResp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatal("the schema's type is not an object")
	}
	server := providerserver.NewProtocol6(provider.New("test")())()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			values := map[string]tftypes.Value{}
			for name, typ := range objectType.AttributeTypes {
				values[name] = tftypes.NewValue(typ, nil)
				if v, ok := tt.config[name]; ok {
					values[name] = tftypes.NewValue(typ, v)
				}
			}
			config, err := tfprotov6.NewDynamicValue(objectType, tftypes.NewValue(objectType, values))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := server.ValidateDataResourceConfig(ctx, &tfprotov6.ValidateDataResourceConfigRequest{
				TypeName: "qcloud_eip", Config: &config,
			})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range resp.Diagnostics {
				got = append(got, d.Summary)
			}
			// The framework validates attributes in map order: compare as sets.
			want := slices.Clone(tt.want)
			slices.Sort(got)
			slices.Sort(want)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("diagnostics %q, want %q", got, tt.want)
			}
		})
	}
}
