package provider_test

// State that is always true: each test reproduces a user's trial that found
// the state disagreeing with the cloud, or a change nobody asked for.

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/acctest"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// An instance binding means the EIP sits on the instance's primary private
// IP: a move to a secondary IP of the same instance is drift, and the
// destroy then leaves that binding alone.
func TestAccEIPAssociation_moveToSecondaryIPIsDrift(t *testing.T) {
	cloud := newParallelEmulator(t, "moves the binding out of band")
	cfg := instanceConfig(cloud, attr("reallocate_normal_public_ip", true))
	// The destroy finds the EIP where the state does not say it is, and
	// leaves that binding alone (with reallocation, it would fail there).
	testCheckDestroy(t, cloud.CheckBound(cloud.EIPID, secondaryIP),
		resource.TestStep{Config: cfg},
		resource.TestStep{
			PreConfig:          func() { cloud.MoveOutOfBand(t, cloud.EIPID, secondaryIP) },
			Config:             cfg,
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			// The refresh found the EIP on the secondary IP: the plan binds it again.
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: plansTo(plancheck.ResourceActionCreate)},
		},
	)
}

// An instance-form import of a binding on a secondary IP is refused, naming
// the id to use; the EIP alone imports it as the interface binding it is.
func TestAccEIPAssociation_importOfSecondaryIPBinding(t *testing.T) {
	cloud := newParallelEmulator(t, "binds out of band")
	cloud.BindOutOfBand(t, cloud.EIPID, secondaryIP)
	interfaceID := cloud.EIPID + "::" + acctest.EmulatorInstanceENI + "::" + acctest.EmulatorSecondaryIP
	testImportFails(t, instanceConfig(cloud), cloud.EIPID+"::"+cloud.InstanceID,
		`not on the primary private IP of its primary network interface.*Import it as `+regexp.QuoteMeta(interfaceID))
}

// testImportFails imports the association of cfg by id, and expects an
// error matching pattern.
func testImportFails(t *testing.T, cfg, id, pattern string) {
	t.Helper()
	testSteps(t, resource.TestStep{Config: cfg, ResourceName: resourceName, ImportState: true, ImportStateId: id, ExpectError: expectError(pattern)})
}

// Writing the same binding the other way (the instance, or its primary
// interface and primary IP) is an in-place change, not an unbind and a bind.
func TestAccEIPAssociation_sameBindingWrittenTwoWays(t *testing.T) {
	cloud := newParallelEmulator(t, "counts the emulator's calls")
	inPlace := settlesAs(plancheck.ResourceActionUpdate)
	testUnbound(t, cloud,
		resource.TestStep{Config: instanceConfig(cloud), Check: writes(cloud, 1)},
		resource.TestStep{
			Config:           config(cloud, byInterface(cloud.EIPID, acctest.EmulatorInstanceENI, acctest.EmulatorInstanceENIIP)...),
			ConfigPlanChecks: inPlace, Check: writes(cloud, 1),
			ConfigStateChecks: []statecheck.StateCheck{
				stateID(cloud.EIPID + "::" + acctest.EmulatorInstanceENI + "::" + acctest.EmulatorInstanceENIIP),
				stateAttr("instance_id", knownvalue.Null()),
			},
		},
		resource.TestStep{
			Config: instanceConfig(cloud), ConfigPlanChecks: inPlace, Check: writes(cloud, 1),
			ConfigStateChecks: []statecheck.StateCheck{stateID(cloud.EIPID + "::" + cloud.InstanceID)},
		},
		resource.TestStep{
			// Another private IP of the same instance is another binding.
			Config:           config(cloud, byInterface(cloud.EIPID, acctest.EmulatorInstanceENI, acctest.EmulatorSecondaryIP)...),
			ConfigPlanChecks: appliedAs(plancheck.ResourceActionReplace),
			Check:            writes(cloud, 3),
		},
	)
}

// A normal public IP is not an EIP: it cannot be imported.
func TestAccEIPAssociation_importOfNormalPublicIPRefused(t *testing.T) {
	cloud := newParallelEmulator(t, "needs the emulator's normal public IP")
	const want = `normal public IP \(address type WanIP\), not an EIP.*TransformAddress`
	// One through Terraform, for its rendering of the error; the other over the protocol.
	testImportFails(t, config(cloud, byInstance(acctest.EmulatorNormalPublicIP, acctest.EmulatorWanIPInstance)...), acctest.EmulatorNormalPublicIP, want)
	checkErrors(t, "import", importOverProtocol(t, cloud, acctest.EmulatorNormalPublicIP+"::"+acctest.EmulatorWanIPInstance), want)
}

// Import errors say the same whatever the id's form.
func TestAccEIPAssociation_importErrorsByIDForm(t *testing.T) {
	cloud := newParallelEmulator(t, "needs the emulator's fixtures")
	for i, tt := range []struct{ id, want string }{
		{"eip-nope0000", `No EIP eip-nope0000 exists in region ap-guangzhou`},
		{"eip-nope0000::ins-demo0001", `No EIP eip-nope0000 exists in region ap-guangzhou`},
		{"eip-nope0000::eni-demo0005::10.0.1.5", `No EIP eip-nope0000 exists in region ap-guangzhou`},
		{cloud.EIPID, `The EIP ` + cloud.EIPID + ` is UNBIND: there is no association to import`},
		{cloud.EIPID + "::" + cloud.InstanceID, `The EIP ` + cloud.EIPID + ` is UNBIND: there is no association to import`},
		{"eip-demo0002::ins-demo0001", `eip-demo0002 is bound to .*ins-demo0002.*, not to instance ins-demo0001\. To import ` +
			`the binding it has, import the EIP id alone: eip-demo0002`},
	} {
		t.Run(tt.id, func(t *testing.T) {
			if i == 0 { // one through Terraform too, for its rendering of the error
				testImportFails(t, instanceConfig(cloud), tt.id, `Cannot import this EIP's binding.*`+tt.want)
			}
			checkErrors(t, "import", importOverProtocol(t, cloud, tt.id), `Cannot import this EIP's binding.*`+tt.want)
		})
	}
}

// Changing a for_each key from one EIP to another on the same instance
// unbinds one and binds the other in the same apply. (terraform-plugin-testing
// cannot read for_each instances from a state; two resource names make the
// same plan: the destroy of one, the create of the other, run at once.)
func TestAccEIPAssociation_swapEIPOfOneTarget(t *testing.T) {
	cloud := newParallelEmulator(t, "binds the emulator's spare EIPs")
	cfg := func(name, eip string) string {
		return cloud.ProviderConfig + block(name, byInstance(eip, cloud.InstanceID)...)
	}
	testCheckDestroy(t, cloud.CheckUnbound(cloud.EIPID, acctest.EmulatorSpareEIP),
		resource.TestStep{Config: cfg("old", cloud.EIPID)},
		resource.TestStep{
			Config: cfg("new", acctest.EmulatorSpareEIP),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("qcloud_eip_association.old", plancheck.ResourceActionDestroy),
					plancheck.ExpectResourceAction("qcloud_eip_association.new", plancheck.ResourceActionCreate),
				},
			},
			Check: resource.ComposeTestCheckFunc(
				cloud.CheckBound(acctest.EmulatorSpareEIP, client.Target{InstanceID: cloud.InstanceID}),
				cloud.CheckUnbound(cloud.EIPID),
			),
		},
	)
}

// Two resources of one configuration binding the same EIP to the same
// target: the plan refuses it (whichever is planned second sees the first),
// before anything is bound.
func TestAccEIPAssociation_twoResourcesForOneBinding(t *testing.T) {
	cloud := newParallelEmulator(t, "counts the emulator's calls")
	binding := byInstance(cloud.EIPID, cloud.InstanceID)
	testApplyFails(t, cloud.ProviderConfig+block("one", binding...)+block("two", binding...),
		`EIP bound by two resources.*Another qcloud_eip_association of this configuration binds `+cloud.EIPID+` too.*remove one of them`)
	must(t, cloud.CheckUnbound(cloud.EIPID))
}

// A bind that settles after the create timed out: the error says what the
// next apply does and how to keep the binding.
func TestAccEIPAssociation_timedOutCreateNamesUntaint(t *testing.T) {
	cloud := newParallelEmulator(t, "injects faults")
	cfg := instanceConfig(cloud, timeoutsLine("create", "2s"))
	testUnbound(t, cloud,
		resource.TestStep{
			PreConfig:   func() { injectOnce(t, cloud, "AssociateAddress", emulator.FaultTaskHang) },
			Config:      cfg,
			ExpectError: expectError(`Timed out.*accepted but did not finish within timeouts.create \(2s\).*tainted.*terraform untaint`),
		},
		resource.TestStep{PreConfig: cloud.Emulator.ClearFaults, Config: cfg},
	)
}

// A destroy whose unbind the API accepted but which timed out: the next read
// says the unbind Terraform asked for has completed, and blames no one. The
// note travels in the resource's private state, so this goes through the
// plugin protocol, as Terraform does.
func TestEIPAssociationRead_unbindRequestedByTerraformIsNotBlamedOnOthers(t *testing.T) {
	acctest.EmulatorOnly(t, "injects faults")
	acctest.Parallel(t)
	ctx := context.Background()
	cloud := acctest.New(t)
	state := mustCreate(t, cloud, cloud.EIPID, client.Target{InstanceID: cloud.InstanceID})
	if d := state.SetAttribute(ctx, path.Root("timeouts").AtName("delete"), "2s"); d.HasError() {
		t.Fatal(d)
	}
	srv, resourceType := configuredServer(t, cloud)
	prior := dynamicValue(t, resourceType, state.Raw)
	none := dynamicValue(t, resourceType, tftypes.NewValue(resourceType, nil))

	injectOnce(t, cloud, "DisassociateAddress", emulator.FaultTaskHang)
	applied, err := srv.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName: "qcloud_eip_association", PriorState: prior, PlannedState: none, Config: none,
	})
	if err != nil || !hasDiagnostic(applied.Diagnostics, tfprotov6.DiagnosticSeverityError, "Timed out") {
		t.Fatalf("destroy with a hung unbind: %v %v, want a timeout", err, applied.Diagnostics)
	}
	cloud.Emulator.ClearFaults()
	waitUnbound(t, cloud, cloud.EIPID)
	read, err := srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
		TypeName: "qcloud_eip_association", CurrentState: applied.NewState, Private: applied.Private,
	})
	if err != nil || !hasDiagnostic(read.Diagnostics, tfprotov6.DiagnosticSeverityWarning, "the unbind that an earlier terraform destroy or apply requested has completed") ||
		hasDiagnostic(read.Diagnostics, tfprotov6.DiagnosticSeverityWarning, "outside Terraform") {
		t.Fatalf("read after Terraform's own unbind: %v %v", err, read.Diagnostics)
	}
}

// Timeouts must be positive durations.
func TestAccEIPAssociation_timeoutsMustBePositive(t *testing.T) {
	cloud := newParallelCloud(t)
	emu := acctest.NewEmulator(t, emulator.DefaultOptions()) // the provider's check needs no cloud
	for i, d := range []string{"0s", "-1m", "-0.5h"} {
		t.Run(d, func(t *testing.T) {
			want := `Invalid timeout.*` + regexp.QuoteMeta(d) + `.*greater than zero`
			if i == 0 { // one through Terraform too, for its rendering of the error
				testPlanFails(t, instanceConfig(cloud, timeoutsLine("delete", d)), want)
			}
			createFails(t, emu, want, append(byInstance(emu.EIPID, emu.InstanceID), timeoutsLine("delete", d))...)
		})
	}
}

// Applying a saved plan that only flips the flag, after the EIP was unbound
// out of band, records nothing false.
func TestEIPAssociationUpdate_bindingGoneMeanwhile(t *testing.T) {
	cloud := newParallelEmulator(t, "changes the world out of band")
	state := mustCreate(t, cloud, cloud.EIPID, client.Target{InstanceID: cloud.InstanceID})
	cloud.Patch(t, cloud.EIPID, emulator.AddressPatch{Unbind: true})
	after, diags := updateDirectly(t, cloud, state, map[string]any{"reallocate_normal_public_ip": true})
	// Terraform keeps an updated object's state when the update fails: the
	// message says so, and the state returned is the one before the change.
	if !diags.HasError() || !strings.Contains(diags.Errors()[0].Detail(), "was unbound outside Terraform") ||
		!strings.Contains(diags.Errors()[0].Detail(), "the state still records") || !after.Raw.Equal(state.Raw) {
		t.Fatalf("update after an out-of-band unbind: state %v, %v; want an error and the state as it was", after.Raw, diags)
	}
}

// configuredServer is the provider's protocol server, configured for the
// emulator, and the resource's value type.
func configuredServer(t *testing.T, cloud *acctest.Cloud) (tfprotov6.ProviderServer, tftypes.Type) {
	t.Helper()
	ctx := context.Background()
	srv, err := acctest.ProtoV6ProviderFactories[acctest.ProviderName]()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	providerType, values := nullAttributes(t, schemas.Provider.ValueType())
	for name, value := range cloud.ProviderSettings() {
		values[name] = tftypes.NewValue(tftypes.String, value)
	}
	configured, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
		Config: dynamicValue(t, providerType, tftypes.NewValue(providerType, values)),
	})
	if err != nil || len(configured.Diagnostics) > 0 {
		t.Fatalf("configuring the provider: %v %v", err, configured.Diagnostics)
	}
	return srv, schemas.ResourceSchemas["qcloud_eip_association"].ValueType()
}

// nullAttributes is typ as an object type, and a null value for each of its
// attributes.
func nullAttributes(t *testing.T, typ tftypes.Type) (tftypes.Object, map[string]tftypes.Value) {
	t.Helper()
	object, ok := typ.(tftypes.Object)
	if !ok {
		t.Fatalf("the type is %T, want an object", typ)
	}
	values := map[string]tftypes.Value{}
	for name, attributeType := range object.AttributeTypes {
		values[name] = tftypes.NewValue(attributeType, nil)
	}
	return object, values
}

func dynamicValue(t *testing.T, typ tftypes.Type, v tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

func hasDiagnostic(diags []*tfprotov6.Diagnostic, severity tfprotov6.DiagnosticSeverity, text string) bool {
	for _, d := range diags {
		if d.Severity == severity && strings.Contains(d.Summary+"\n"+d.Detail, text) {
			return true
		}
	}
	return false
}

// updateDirectly runs the resource's Update from state to state with
// changes, configured as the state's id form says.
func updateDirectly(t *testing.T, cloud *acctest.Cloud, state tfsdk.State, changes map[string]any) (tfsdk.State, diag.Diagnostics) {
	t.Helper()
	ctx := context.Background()
	r, schema := configuredResource(t, cloud)
	plan := tfsdk.Plan{Schema: schema, Raw: state.Raw.Copy()}
	setAttributes(t, &plan, changes)
	config := tfsdk.Config{Schema: schema, Raw: plan.Raw}
	resp := fwresource.UpdateResponse{State: tfsdk.State{Schema: schema, Raw: plan.Raw.Copy()}}
	r.Update(ctx, fwresource.UpdateRequest{State: state, Plan: plan, Config: config}, &resp)
	return resp.State, resp.Diagnostics
}
