package provider_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	provschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/acctest"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/provider"
)

// The official provider's namespace. terraform-plugin-testing serves every
// provider factory under one namespace (TF_ACC_PROVIDER_NAMESPACE) and
// replaces any TF_REATTACH_PROVIDERS, so the move tests serve both providers
// under the official one: a move depends on the source's address only.
const officialNamespace = "tencentcloudstack"

// moveProviders are the qcloud provider and a stand-in for the official one.
var moveProviders = map[string]func() (tfprotov6.ProviderServer, error){
	acctest.ProviderName: providerserver.NewProtocol6WithError(provider.New("test")()),
	"tencentcloud":       providerserver.NewProtocol6WithError(&officialStandIn{}),
}

const moveRequiredProviders = `
terraform {
  required_providers {
    qcloud = {
      source = "` + officialNamespace + `/qcloud"
    }
    tencentcloud = {
      source = "` + officialNamespace + `/tencentcloud"
    }
  }
}
`

// crossProviderMoves skips the case where the CLI cannot move state between
// resource types: Terraform before 1.8, OpenTofu before 1.10.
var crossProviderMoves = []tfversion.TerraformVersionCheck{
	tfversion.SkipBelow(tfversion.Version1_8_0),
	skipOnOpenTofuBelow{version: tfversion.Version1_10_0,
		why: "it cannot move state between resource types (the migration guide's removed and import path covers it)"},
}

// removeAndImport skips the case where the CLI lacks what the removed and
// import path needs: removed blocks (Terraform 1.7) with a lifecycle block
// (OpenTofu 1.10).
var removeAndImport = []tfversion.TerraformVersionCheck{
	tfversion.SkipBelow(tfversion.Version1_7_0),
	skipOnOpenTofuBelow{version: tfversion.Version1_10_0, why: "its removed blocks take no lifecycle block"},
}

// The bindings the migration tests carry over, as the official provider's
// resources and as this provider's: one to an instance, one to a secondary
// private IP of that instance's network interface.
var (
	officialAssociations = hclBlock(`resource "tencentcloud_eip_association"`, "web", byInstance(acctest.EmulatorFreeEIP, acctest.EmulatorInstance)...) +
		hclBlock(`resource "tencentcloud_eip_association"`, "eni", byInterface(acctest.EmulatorSpareEIP, acctest.EmulatorInstanceENI, acctest.EmulatorSecondaryIP)...)
	qcloudAssociations = strings.ReplaceAll(officialAssociations, "tencentcloud_eip_association", "qcloud_eip_association")
	webAssociationID   = acctest.EmulatorFreeEIP + "::" + acctest.EmulatorInstance
	eniAssociationID   = acctest.EmulatorSpareEIP + "::" + acctest.EmulatorInstanceENI + "::" + acctest.EmulatorSecondaryIP
)

func TestAccEIPAssociation_moveFromOfficialProvider(t *testing.T) {
	testMigration(t, crossProviderMoves, `
moved {
  from = tencentcloud_eip_association.web
  to   = qcloud_eip_association.web
}

moved {
  from = tencentcloud_eip_association.eni
  to   = qcloud_eip_association.eni
}
`, onlyMoves(map[string]string{
		"qcloud_eip_association.web": "tencentcloud_eip_association.web",
		"qcloud_eip_association.eni": "tencentcloud_eip_association.eni",
	}))
}

// The migration guide's other path, for CLIs without cross-provider moves.
func TestAccEIPAssociation_removedAndImportedFromOfficialProvider(t *testing.T) {
	testMigration(t, removeAndImport, fmt.Sprintf(`
removed {
  from = tencentcloud_eip_association.web
  lifecycle {
    destroy = false
  }
}

removed {
  from = tencentcloud_eip_association.eni
  lifecycle {
    destroy = false
  }
}

import {
  to = qcloud_eip_association.web
  id = %q
}

import {
  to = qcloud_eip_association.eni
  id = %q
}
`, webAssociationID, eniAssociationID), forgetsAndImports{
		forget:   []string{"tencentcloud_eip_association.web", "tencentcloud_eip_association.eni"},
		imported: []string{"qcloud_eip_association.web", "qcloud_eip_association.eni"},
	})
}

// testMigration hands the bindings the official provider manages over to
// qcloud_eip_association with the handOver blocks, and checks that the plan
// does nothing else (handOverPlan), that nothing was written to the cloud,
// and that the state is complete: the refresh that follows fills in what the
// old state lacks.
func testMigration(t *testing.T, versionChecks []tfversion.TerraformVersionCheck, handOver string, handOverPlan plancheck.PlanCheck) {
	acctest.EmulatorOnly(t, "the official provider is a stand-in, and the test counts the emulator's write calls")
	cloud := acctest.New(t)
	// Bindings the official provider made; made here without a write call.
	cloud.Patch(t, acctest.EmulatorFreeEIP, emulator.AddressPatch{BindInstanceID: acctest.EmulatorInstance})
	cloud.Patch(t, acctest.EmulatorSpareEIP, emulator.AddressPatch{
		BindNetworkInterfaceID: acctest.EmulatorInstanceENI, BindPrivateIP: acctest.EmulatorSecondaryIP,
	})
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", officialNamespace)

	web, eni := "qcloud_eip_association.web", "qcloud_eip_association.eni"
	var writesBefore int
	acctest.Test(t, resource.TestCase{
		TerraformVersionChecks:   versionChecks,
		ProtoV6ProviderFactories: moveProviders,
		CheckDestroy:             cloud.CheckUnbound(acctest.EmulatorFreeEIP, acctest.EmulatorSpareEIP),
		Steps: []resource.TestStep{
			{
				Config: moveRequiredProviders + officialAssociations,
				ConfigStateChecks: []statecheck.StateCheck{
					// What the official provider's state holds: "" for the other form's attributes.
					statecheck.ExpectKnownValue("tencentcloud_eip_association.web", tfjsonpath.New("network_interface_id"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue("tencentcloud_eip_association.eni", tfjsonpath.New("instance_id"), knownvalue.StringExact("")),
				},
			},
			{
				PreConfig:        func() { writesBefore = cloud.WriteCalls() },
				Config:           moveRequiredProviders + cloud.ProviderConfig + handOver + qcloudAssociations,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{handOverPlan}, PostApplyPostRefresh: emptyPlan},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(web, tfjsonpath.New("id"), knownvalue.StringExact(webAssociationID)),
					statecheck.ExpectKnownValue(web, tfjsonpath.New("eip_id"), knownvalue.StringExact(acctest.EmulatorFreeEIP)),
					statecheck.ExpectKnownValue(web, tfjsonpath.New("instance_id"), knownvalue.StringExact(acctest.EmulatorInstance)),
					statecheck.ExpectKnownValue(web, tfjsonpath.New("network_interface_id"), knownvalue.Null()),
					statecheck.ExpectKnownValue(web, tfjsonpath.New("private_ip"), knownvalue.Null()),
					statecheck.ExpectKnownValue(web, tfjsonpath.New("public_ip"), knownvalue.StringExact("203.0.113.1")),
					statecheck.ExpectKnownValue(web, tfjsonpath.New("reallocate_normal_public_ip"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(web, tfjsonpath.New("timeouts"), knownvalue.Null()),
					statecheck.ExpectKnownValue(eni, tfjsonpath.New("id"), knownvalue.StringExact(eniAssociationID)),
					statecheck.ExpectKnownValue(eni, tfjsonpath.New("instance_id"), knownvalue.Null()),
					statecheck.ExpectKnownValue(eni, tfjsonpath.New("network_interface_id"), knownvalue.StringExact(acctest.EmulatorInstanceENI)),
					statecheck.ExpectKnownValue(eni, tfjsonpath.New("private_ip"), knownvalue.StringExact(acctest.EmulatorSecondaryIP)),
					statecheck.ExpectKnownValue(eni, tfjsonpath.New("public_ip"), knownvalue.StringExact("203.0.113.6")),
					statecheck.ExpectKnownValue(eni, tfjsonpath.New("reallocate_normal_public_ip"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(eni, tfjsonpath.New("timeouts"), knownvalue.Null()),
				},
				Check: func(*terraform.State) error {
					if n := cloud.WriteCalls() - writesBefore; n != 0 {
						return fmt.Errorf("the hand-over made %d write calls, want none (%s)", n, cloud.CallsOf())
					}
					return nil
				},
			},
		},
	})
}

func TestAccEIPAssociation_moveFromOtherResourceRefused(t *testing.T) {
	cloud := newParallelEmulator(t, "counts the emulator's write calls")
	acctest.Test(t, resource.TestCase{
		TerraformVersionChecks: crossProviderMoves,
		Steps: []resource.TestStep{
			{Config: `resource "terraform_data" "web" {}`},
			{
				Config: cloud.ProviderConfig + fmt.Sprintf(`
moved {
  from = terraform_data.web
  to   = qcloud_eip_association.web
}

resource "qcloud_eip_association" "web" {
  eip_id      = %q
  instance_id = %q
}
`, acctest.EmulatorFreeEIP, acctest.EmulatorInstance),
				ExpectError: expectError(`Cannot move this resource to qcloud_eip_association.*takes over the state of ` +
					`tencentcloud_eip_association of the official Tencent Cloud provider \(tencentcloudstack/tencentcloud, schema version 0\) only.*` +
					`comes from terraform_data of terraform.io/builtin/terraform.*removed block.*import`),
			},
			// The refused move changed nothing: the old resource is planned as it was.
			{Config: `resource "terraform_data" "web" {}`, PlanOnly: true},
		},
	})
	must(t, writes(cloud, 0)) // a refused move writes nothing
}

// onlyMoves checks that the plan moves each resource (to address: from
// address) and changes nothing: no create, update, replace or destroy.
type onlyMoves map[string]string

func (want onlyMoves) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	var problems []string
	seen := map[string]bool{}
	for _, rc := range req.Plan.ResourceChanges {
		if !rc.Change.Actions.NoOp() {
			problems = append(problems, fmt.Sprintf("%s is planned to %v", rc.Address, rc.Change.Actions))
		}
		if from, ok := want[rc.Address]; ok {
			seen[rc.Address] = true
			if rc.PreviousAddress != from {
				problems = append(problems, fmt.Sprintf("%s moves from %q, want %q", rc.Address, rc.PreviousAddress, from))
			}
		}
	}
	for to, from := range want {
		if !seen[to] {
			problems = append(problems, fmt.Sprintf("the plan does not move %s to %s", from, to))
		}
	}
	if len(problems) > 0 {
		resp.Error = fmt.Errorf("the plan does more than move: %s", strings.Join(problems, "; "))
	}
}

// forgetsAndImports checks that the plan forgets the resources forget
// (removed from the state, not destroyed), imports the resources imported
// without changing them, and does nothing else.
type forgetsAndImports struct{ forget, imported []string }

func (want forgetsAndImports) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	var problems []string
	seen := map[string]bool{}
	for _, rc := range req.Plan.ResourceChanges {
		seen[rc.Address] = true
		switch {
		case slices.Contains(want.forget, rc.Address):
			if !rc.Change.Actions.Forget() {
				problems = append(problems, fmt.Sprintf("%s is planned to %v, want forget", rc.Address, rc.Change.Actions))
			}
		case slices.Contains(want.imported, rc.Address):
			if rc.Change.Importing == nil || !rc.Change.Actions.NoOp() {
				problems = append(problems, fmt.Sprintf("%s is planned to %v (importing: %t), want an import and no change",
					rc.Address, rc.Change.Actions, rc.Change.Importing != nil))
			}
		case !rc.Change.Actions.NoOp():
			problems = append(problems, fmt.Sprintf("%s is planned to %v", rc.Address, rc.Change.Actions))
		}
	}
	for _, address := range append(slices.Clone(want.forget), want.imported...) {
		if !seen[address] {
			problems = append(problems, "the plan does not mention "+address)
		}
	}
	if len(problems) > 0 {
		resp.Error = fmt.Errorf("the plan does more than forget and import: %s", strings.Join(problems, "; "))
	}
}

// skipOnOpenTofuBelow skips a case when the CLI under test is an OpenTofu
// older than version: its version numbers are alike to Terraform's, so
// tfversion's own checks cannot tell them apart.
type skipOnOpenTofuBelow struct {
	version *version.Version
	why     string
}

func (s skipOnOpenTofuBelow) CheckTerraformVersion(ctx context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	out, err := exec.CommandContext(ctx, os.Getenv("TF_ACC_TERRAFORM_PATH"), "version").Output()
	if err == nil && strings.HasPrefix(string(out), "OpenTofu") && req.TerraformVersion.Core().LessThan(s.version) {
		resp.Skip = fmt.Sprintf("OpenTofu %s: %s", req.TerraformVersion, s.why)
	}
}

// officialStandIn stands in for the official provider
// (registry.terraform.io/tencentcloudstack/tencentcloud), which cannot be
// built here: it serves the schema of its tencentcloud_eip_association at
// version 0, and records what the official provider records, calling no API.
type officialStandIn struct{}

func (p *officialStandIn) Metadata(_ context.Context, _ fwprovider.MetadataRequest, resp *fwprovider.MetadataResponse) {
	resp.TypeName = "tencentcloud"
}

func (p *officialStandIn) Schema(_ context.Context, _ fwprovider.SchemaRequest, resp *fwprovider.SchemaResponse) {
	resp.Schema = provschema.Schema{}
}

func (p *officialStandIn) Configure(context.Context, fwprovider.ConfigureRequest, *fwprovider.ConfigureResponse) {
}

func (p *officialStandIn) Resources(context.Context) []func() fwresource.Resource {
	return []func() fwresource.Resource{func() fwresource.Resource { return &officialAssociationStandIn{} }}
}

func (p *officialStandIn) DataSources(context.Context) []func() datasource.DataSource { return nil }

type officialAssociationStandIn struct{}

type officialAssociationModel struct {
	ID                 types.String `tfsdk:"id"`
	EIPID              types.String `tfsdk:"eip_id"`
	InstanceID         types.String `tfsdk:"instance_id"`
	NetworkInterfaceID types.String `tfsdk:"network_interface_id"`
	PrivateIP          types.String `tfsdk:"private_ip"`
	CDCID              types.String `tfsdk:"cdc_id"`
}

func (r *officialAssociationStandIn) Metadata(_ context.Context, req fwresource.MetadataRequest, resp *fwresource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_eip_association"
}

func (r *officialAssociationStandIn) Schema(_ context.Context, _ fwresource.SchemaRequest, resp *fwresource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Version: 0,
		Attributes: map[string]schema.Attribute{
			"id":                   schema.StringAttribute{Computed: true},
			"eip_id":               schema.StringAttribute{Required: true},
			"instance_id":          schema.StringAttribute{Optional: true, Computed: true},
			"network_interface_id": schema.StringAttribute{Optional: true, Computed: true},
			"private_ip":           schema.StringAttribute{Optional: true, Computed: true},
			"cdc_id":               schema.StringAttribute{Computed: true},
		},
	}
}

// Create records the id in the official formats and, as the official
// provider's SDKv2 state does, "" for every string it did not set.
func (r *officialAssociationStandIn) Create(ctx context.Context, req fwresource.CreateRequest, resp *fwresource.CreateResponse) {
	var m officialAssociationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	orEmpty := func(v types.String) types.String {
		if v.IsUnknown() || v.IsNull() {
			return types.StringValue("")
		}
		return v
	}
	m.InstanceID, m.NetworkInterfaceID, m.PrivateIP, m.CDCID = orEmpty(m.InstanceID), orEmpty(m.NetworkInterfaceID), orEmpty(m.PrivateIP), orEmpty(m.CDCID)
	if m.InstanceID.ValueString() != "" {
		m.ID = types.StringValue(m.EIPID.ValueString() + "::" + m.InstanceID.ValueString())
	} else {
		m.ID = types.StringValue(m.EIPID.ValueString() + "::" + m.NetworkInterfaceID.ValueString() + "::" + m.PrivateIP.ValueString())
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *officialAssociationStandIn) Read(context.Context, fwresource.ReadRequest, *fwresource.ReadResponse) {
}

func (r *officialAssociationStandIn) Update(ctx context.Context, req fwresource.UpdateRequest, resp *fwresource.UpdateResponse) {
	resp.Diagnostics.Append(resp.State.Set(ctx, req.Plan)...)
}

func (r *officialAssociationStandIn) Delete(context.Context, fwresource.DeleteRequest, *fwresource.DeleteResponse) {
}
