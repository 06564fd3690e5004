package provider_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/provider"
)

const (
	officialAddress = "registry.terraform.io/tencentcloudstack/tencentcloud"
	officialType    = "tencentcloud_eip_association"
)

// TestEIPAssociationMoveState sends MoveResourceState as Terraform would,
// for the sources the acceptance tests cannot make (other CLIs' addresses,
// other versions, odd states).
func TestEIPAssociationMoveState(t *testing.T) {
	t.Parallel()
	instanceState := `{"id":"eip-1a2b3c4d::ins-1a2b3c4d","eip_id":"eip-1a2b3c4d","instance_id":"ins-1a2b3c4d",` +
		`"network_interface_id":"","private_ip":"","cdc_id":""}`
	instanceMoved := map[string]string{
		"id": "eip-1a2b3c4d::ins-1a2b3c4d", "eip_id": "eip-1a2b3c4d", "instance_id": "ins-1a2b3c4d",
		"network_interface_id": "null", "private_ip": "null", "public_ip": "null",
		"reallocate_normal_public_ip": "false", "timeouts": "null",
	}
	// This resource's own state, from another registry host.
	ownMoved := map[string]string{
		"id": "eip-1a2b3c4d::ins-1a2b3c4d", "eip_id": "eip-1a2b3c4d", "instance_id": "ins-1a2b3c4d",
		"network_interface_id": "null", "private_ip": "null", "public_ip": "198.51.100.1",
		"reallocate_normal_public_ip": "true", "allow_reassociation": "false", "timeouts": `{"create":"10m","delete":null}`,
	}
	tests := []struct {
		name     string
		provider string
		typeName string
		version  int64
		state    string
		want     map[string]string // attribute: value, "null" for null
		wantErr  string
	}{
		{name: "instance binding", provider: officialAddress, typeName: officialType, state: instanceState, want: instanceMoved},
		{
			name: "network interface binding", provider: officialAddress, typeName: officialType,
			state: `{"id":"eip-1a2b3c4d::eni-1a2b3c4d::10.0.0.5","eip_id":"eip-1a2b3c4d","instance_id":"",` +
				`"network_interface_id":"eni-1a2b3c4d","private_ip":"10.0.0.5","cdc_id":""}`,
			want: map[string]string{
				"id": "eip-1a2b3c4d::eni-1a2b3c4d::10.0.0.5", "eip_id": "eip-1a2b3c4d", "instance_id": "null",
				"network_interface_id": "eni-1a2b3c4d", "private_ip": "10.0.0.5", "public_ip": "null",
				"reallocate_normal_public_ip": "false", "timeouts": "null",
			},
		},
		{
			name: "nulls rather than empty strings", provider: officialAddress, typeName: officialType,
			state: `{"id":"eip-1a2b3c4d::ins-1a2b3c4d","eip_id":"eip-1a2b3c4d","instance_id":"ins-1a2b3c4d"}`,
			want:  instanceMoved,
		},
		{name: "from the OpenTofu registry", provider: "registry.opentofu.org/tencentcloudstack/tencentcloud", typeName: officialType, state: instanceState, want: instanceMoved},
		{name: "type alone, as older OpenTofu sends it", provider: "tencentcloud", typeName: officialType, state: instanceState, want: instanceMoved},
		{
			name: "another namespace", provider: "registry.terraform.io/hashicorp/tencentcloud", typeName: officialType, state: instanceState,
			wantErr: "takes over the state of tencentcloud_eip_association of the official Tencent Cloud provider",
		},
		{
			name: "another resource type", provider: officialAddress, typeName: "tencentcloud_eip", state: `{"id":"eip-1a2b3c4d"}`,
			wantErr: "this moved block comes from tencentcloud_eip of " + officialAddress,
		},
		{name: "another schema version", provider: officialAddress, typeName: officialType, version: 1, state: instanceState, wantErr: "(schema version 1)"},
		{
			name: "bound to a load balancer", provider: officialAddress, typeName: officialType,
			state:   `{"id":"eip-1a2b3c4d::lb-1a2b3c4d","eip_id":"eip-1a2b3c4d","instance_id":"lb-1a2b3c4d"}`,
			wantErr: "Its id cannot be carried over",
		},
		{
			name: "no target in the id", provider: officialAddress, typeName: officialType,
			state: `{"id":"eip-1a2b3c4d","eip_id":"eip-1a2b3c4d"}`, wantErr: "names no instance or network interface",
		},
		{
			name: "this resource from another registry host", provider: "registry.opentofu.org/tfqcloud/qcloud",
			typeName: "qcloud_eip_association", version: 1,
			state: `{"id":"eip-1a2b3c4d::ins-1a2b3c4d","eip_id":"eip-1a2b3c4d","instance_id":"ins-1a2b3c4d",` +
				`"network_interface_id":null,"private_ip":null,"public_ip":"198.51.100.1","allow_reassociation":false,` +
				`"reallocate_normal_public_ip":true,"timeouts":{"create":"10m","delete":null}}`,
			want: ownMoved,
		},
		{
			// Schema version 0 recorded where an instance binding sits; it is
			// upgraded on the way.
			name: "this resource's schema version 0 from another registry host", provider: "registry.opentofu.org/tfqcloud/qcloud",
			typeName: "qcloud_eip_association",
			state: `{"id":"eip-1a2b3c4d::ins-1a2b3c4d","eip_id":"eip-1a2b3c4d","instance_id":"ins-1a2b3c4d",` +
				`"network_interface_id":"eni-1a2b3c4d","private_ip":"10.0.0.4","public_ip":"198.51.100.1",` +
				`"reallocate_normal_public_ip":true,"timeouts":{"create":"10m","delete":null}}`,
			want: ownMoved,
		},
		{
			name: "this resource type from another provider", provider: "registry.terraform.io/someone/qcloud",
			typeName: "qcloud_eip_association", state: `{"id":"eip-1a2b3c4d::ins-1a2b3c4d"}`,
			wantErr: "comes from qcloud_eip_association of registry.terraform.io/someone/qcloud",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, diags := moveState(t, tt.provider, tt.typeName, tt.version, tt.state)
			if tt.wantErr != "" {
				if !strings.Contains(diags, tt.wantErr) {
					t.Fatalf("diagnostics %q do not contain %q", diags, tt.wantErr)
				}
				return
			}
			if diags != "" {
				t.Fatalf("unexpected diagnostics: %s", diags)
			}
			for name, want := range tt.want {
				if got[name] != want {
					t.Errorf("%s = %s, want %s", name, got[name], want)
				}
			}
		})
	}
}

// moveState asks the provider to move a source state to
// qcloud_eip_association, and returns the moved attributes (JSON values,
// strings unquoted) and the diagnostics' summaries and details.
func moveState(t *testing.T, sourceProvider, sourceType string, version int64, state string) (map[string]string, string) {
	t.Helper()
	ctx := context.Background()
	server := providerserver.NewProtocol6(provider.New("test")())()
	resp, err := server.MoveResourceState(ctx, &tfprotov6.MoveResourceStateRequest{
		SourceProviderAddress: sourceProvider,
		SourceTypeName:        sourceType,
		SourceSchemaVersion:   version,
		SourceState:           &tfprotov6.RawState{JSON: []byte(state)},
		TargetTypeName:        "qcloud_eip_association",
	})
	if err != nil {
		t.Fatal(err)
	}
	var diags []string
	for _, d := range resp.Diagnostics {
		diags = append(diags, d.Summary+": "+d.Detail)
	}
	if resp.TargetState == nil {
		return nil, strings.Join(diags, "\n")
	}
	var schemaResp fwresource.SchemaResponse
	provider.NewEIPAssociationResource().Schema(ctx, fwresource.SchemaRequest{}, &schemaResp)
	value, err := resp.TargetState.Unmarshal(schemaResp.Schema.Type().TerraformType(ctx))
	if err != nil {
		t.Fatal(err)
	}
	var attributes map[string]tftypes.Value
	if err := value.As(&attributes); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for name, v := range attributes {
		got[name] = jsonValue(t, v)
	}
	return got, strings.Join(diags, "\n")
}

// jsonValue renders a value as JSON, with a top-level string unquoted.
func jsonValue(t *testing.T, v tftypes.Value) string {
	t.Helper()
	if v.Type().Is(tftypes.String) && !v.IsNull() {
		var s string
		if err := v.As(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	b, err := json.Marshal(plain(t, v))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// plain turns a null, string, bool or object value into Go values.
func plain(t *testing.T, v tftypes.Value) any {
	t.Helper()
	if v.IsNull() {
		return nil
	}
	switch {
	case v.Type().Is(tftypes.String):
		var s string
		_ = v.As(&s)
		return s
	case v.Type().Is(tftypes.Bool):
		var b bool
		_ = v.As(&b)
		return b
	case v.Type().Is(tftypes.Object{}):
		var m map[string]tftypes.Value
		_ = v.As(&m)
		out := map[string]any{}
		for k, e := range m {
			out[k] = plain(t, e)
		}
		return out
	}
	t.Fatalf("unexpected value %s", v)
	return nil
}
