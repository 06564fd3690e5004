package provider_test

// Plan-based review: the plan says what an apply or destroy will do, and
// refuses what would fail.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/acctest"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// A destroy that reallocates warns, in the plan, what the instance gets and
// what it costs; the quota is read once.
func TestEIPAssociationPlan_destroyWithReallocationWarns(t *testing.T) {
	cloud := newParallelEmulator(t, "reads the emulator's quota")
	setQuota(t, cloud, 3)
	state := mustCreate(t, cloud, cloud.EIPID, client.Target{InstanceID: cloud.InstanceID})
	setAttributes(t, &state, map[string]any{"reallocate_normal_public_ip": true})
	srv, resourceType := configuredServer(t, cloud)
	cloud.Emulator.ResetStats()
	planned := planDestroyWith(t, srv, resourceType, dynamicValue(t, resourceType, state.Raw), nil)
	for _, want := range []string{"Destroy gives the instance a normal public IP", "instance " + cloud.InstanceID + " gets a new normal public IP",
		"Terraform does not manage", "DAILY_PUBLIC_IP_ASSIGN is 3 of 10", "each such destroy spends 1 reallocation"} {
		if !hasDiagnostic(planned.Diagnostics, tfprotov6.DiagnosticSeverityWarning, want) {
			t.Errorf("destroy plan diagnostics lack a warning with %q: %v", want, describeDiagnostics(planned.Diagnostics))
		}
	}
	for _, d := range planned.Diagnostics {
		if d.Attribute == nil || !d.Attribute.Equal(tftypes.NewAttributePath().WithAttributeName("reallocate_normal_public_ip")) {
			t.Errorf("diagnostic %q is not on reallocate_normal_public_ip", d.Summary)
		}
	}
	calls := cloud.Emulator.Stats().Calls
	if calls["DescribeAddressQuota"] != 1 || calls["DescribeNetworkInterfaces"] != 0 {
		t.Errorf("calls of the destroy plan: %s; want one DescribeAddressQuota and no DescribeNetworkInterfaces", cloud.CallsOf())
	}

	// Without reallocation the destroy plan says nothing and reads nothing.
	setAttributes(t, &state, map[string]any{"reallocate_normal_public_ip": false})
	cloud.Emulator.ResetStats()
	planned = planDestroyWith(t, srv, resourceType, dynamicValue(t, resourceType, state.Raw), nil)
	if len(planned.Diagnostics) != 0 || cloud.TotalCalls() != 0 {
		t.Fatalf("plain destroy plan: %v, calls %s; want nothing", describeDiagnostics(planned.Diagnostics), cloud.CallsOf())
	}
}

// Reallocations beyond what is left of today's quota fail at plan time, for
// each resource that would spend one, with the remedy.
func TestAccEIPAssociation_reallocationsBeyondTheQuota(t *testing.T) {
	cloud := newParallelEmulator(t, "sets the emulator's quota")
	cfg := func(reallocate bool) string {
		return cloud.ProviderConfig +
			block("one", append(byInstance(cloud.EIPID, cloud.InstanceID), attr("reallocate_normal_public_ip", reallocate))...) +
			block("two", append(byInstance(acctest.EmulatorSpareEIP, acctest.EmulatorTwoENIInstance), attr("reallocate_normal_public_ip", reallocate))...)
	}
	testCheckDestroy(t, cloud.CheckUnbound(cloud.EIPID, acctest.EmulatorSpareEIP),
		resource.TestStep{Config: cfg(true)},
		resource.TestStep{
			PreConfig:   func() { setQuota(t, cloud, 9) },
			Config:      cfg(true),
			Destroy:     true,
			ExpectError: expectError(`would run out.*9 of 10: 1 reallocation left, and this plan has more destroys that reallocate than that.*reallocate_normal_public_ip = false`),
		},
		resource.TestStep{Config: cfg(false)},
	)
	must(t, calls(cloud, "DisassociateAddress", 2)) // the final destroy's only
}

// The destroy half of a replacement runs on the state's flag: when it would
// fail, the plan says so and gives the order that works.
func TestAccEIPAssociation_replacementWhoseDestroyWouldFail(t *testing.T) {
	cloud := newParallelEmulator(t, "sets the emulator's quota")
	cfg := func(instance string, reallocate bool) string {
		return config(cloud, attr("eip_id", cloud.EIPID), attr("instance_id", instance), attr("reallocate_normal_public_ip", reallocate))
	}
	testUnbound(t, cloud,
		resource.TestStep{Config: cfg(cloud.InstanceID, true)},
		resource.TestStep{
			PreConfig: func() { setQuota(t, cloud, 10) },
			// Setting the flag to false in the same change does not help: the
			// destroy half uses the state's.
			Config:      cfg(acctest.EmulatorTwoENIInstance, false),
			ExpectError: expectError(`would run out.*apply the flag change alone first, then the rest`),
		},
		// The order that works: the flag alone, then the move.
		resource.TestStep{Config: cfg(cloud.InstanceID, false)},
		resource.TestStep{
			Config:           cfg(acctest.EmulatorTwoENIInstance, false),
			ConfigPlanChecks: appliedAs(plancheck.ResourceActionReplace),
			Check:            cloud.CheckBound(cloud.EIPID, client.Target{InstanceID: acctest.EmulatorTwoENIInstance}),
		},
	)
}

// A replacement that binds an EIP to the same private IP again gives no
// normal public IP in its destroy half, whatever the flag: the instance goes
// from one EIP to the other and never holds a normal public IP (which, where
// one refuses a bind, would refuse the create half), and no quota is spent.
func TestAccEIPAssociation_replacementOntoTheSameIPDoesNotReallocate(t *testing.T) {
	cloud := newParallelEmulator(t, "uses the emulator's refusing rule and its quota")
	cfg := func(eip string) string {
		return config(cloud, append(byInstance(eip, cloud.InstanceID), attr("reallocate_normal_public_ip", true))...)
	}
	testSteps(t,
		resource.TestStep{Config: cfg(cloud.EIPID)},
		resource.TestStep{
			Config:           cfg(acctest.EmulatorSpareEIP),
			ConfigPlanChecks: appliedAs(plancheck.ResourceActionReplace),
			Check: resource.ComposeTestCheckFunc(
				cloud.CheckBound(acctest.EmulatorSpareEIP, client.Target{InstanceID: cloud.InstanceID}),
				cloud.CheckUnbound(cloud.EIPID),
				checkNormalPublicIP(cloud, cloud.InstanceID, false),
				checkDisassociateSent(cloud, false), // by the destroy half
			),
		},
	)
}

// An instance holding a normal public IP refuses an EIP on the China site
// (the plan warns, the apply fails with the ways out, nothing bound); on the
// international site the bind releases it (the plan warns, the apply goes
// through).
func TestAccEIPAssociation_targetHoldsNormalPublicIP(t *testing.T) {
	acctest.EmulatorOnly(t, "uses the emulator's instance with a normal public IP")
	acctest.Parallel(t)
	china := acctest.New(t)
	testApplyFails(t, config(china, byInstance(china.EIPID, acctest.EmulatorWanIPInstance)...),
		`Target holds a normal public IP.*instance `+acctest.EmulatorWanIPInstance+`.*ReturnNormalAddresses.*TransformAddress.*site = "international"`)
	must(t, china.CheckUnbound(china.EIPID))

	opts := emulator.DefaultOptions()
	opts.Settings.WanIPOnBind = emulator.WanIPOnBindRelease
	international := acctest.NewEmulator(t, opts)
	testCheckDestroy(t, international.CheckUnbound(international.EIPID), resource.TestStep{
		Config: providerWith(international, `site = "international"`) + block("test", byInstance(international.EIPID, acctest.EmulatorWanIPInstance)...),
		Check:  international.CheckBound(international.EIPID, client.Target{InstanceID: acctest.EmulatorWanIPInstance}),
	})
}

// The same refusal reaches the apply when the plan could not see it.
func TestEIPAssociationCreate_instanceHasWanIP(t *testing.T) {
	cloud := newParallelEmulator(t, "uses the emulator's instance with a normal public IP")
	_, diags := createDirectly(t, cloud, cloud.EIPID, client.Target{InstanceID: acctest.EmulatorWanIPInstance})
	if !diags.HasError() {
		t.Fatal("binding to an instance with a normal public IP succeeded")
	}
	checkErrorOn(t, diags.Errors()[0], "instance_id", "Target holds a normal public IP",
		"ReturnNormalAddresses", "TransformAddress", "InvalidParameterValue.InstanceHasWanIP")
}

// Every throttling code the API documents is retried like the plain one.
func TestAccEIPAssociation_retriesEveryThrottlingCode(t *testing.T) {
	cloud := newParallelEmulator(t, "injects faults")
	codes := []string{"RequestLimitExceeded.UinLimitExceeded", "RequestLimitExceeded.IPLimitExceeded",
		"RequestLimitExceeded.GlobalRegionUinLimitExceeded", "LimitExceeded.ActionLimited"}
	for _, code := range codes {
		cloud.Inject(t, emulator.Fault{Action: "AssociateAddress", Kind: emulator.FaultThrottle, Code: code, Count: 1})
		cloud.Inject(t, emulator.Fault{Action: "DescribeAddresses", Kind: emulator.FaultThrottle, Code: code, Count: 1})
	}
	testUnbound(t, cloud, resource.TestStep{
		Config: instanceConfig(cloud),
		Check:  cloud.CheckBound(cloud.EIPID, client.Target{InstanceID: cloud.InstanceID}),
	})
	errs := cloud.Emulator.Stats().Errors
	for _, code := range codes {
		if errs["AssociateAddress"][code] != 1 || errs["DescribeAddresses"][code] != 1 {
			t.Errorf("the %s faults did not all fire: %v", code, errs)
		}
	}
}

func describeDiagnostics(diags []*tfprotov6.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&b, "\n  %v: %s: %s", d.Severity, d.Summary, d.Detail)
	}
	return b.String()
}

// checkErrorOn checks an error diagnostic's attribute, summary and detail.
func checkErrorOn(t *testing.T, d diag.Diagnostic, attribute, summary string, detail ...string) {
	t.Helper()
	withPath, ok := d.(diag.DiagnosticWithPath)
	if !ok || !withPath.Path().Equal(path.Root(attribute)) {
		t.Errorf("diagnostic %q is not on %s", d.Summary(), attribute)
	}
	if !strings.Contains(d.Summary(), summary) {
		t.Errorf("summary %q does not contain %q", d.Summary(), summary)
	}
	for _, want := range detail {
		if !strings.Contains(d.Detail(), want) {
			t.Errorf("detail does not contain %q:\n%s", want, d.Detail())
		}
	}
}

// A create the world makes fail is planned with a warning in the words of
// the apply's error, never an error: the same plan is Terraform's
// pre-destroy refresh, which an error would turn into a failed destroy.
func TestEIPAssociationPlan_createWarnings(t *testing.T) {
	acctest.EmulatorOnly(t, "needs the emulator's blocked, bound and failed fixtures")
	acctest.Parallel(t)
	for _, tt := range createFailures {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cloud := acctest.New(t)
			diags := planCreate(t, cloud, tt.lines...)
			if len(diags) != 1 || diags[0].Severity != tfprotov6.DiagnosticSeverityWarning || diags[0].Summary != tt.summary {
				t.Fatalf("plan diagnostics: %v; want one warning %q", describeDiagnostics(diags), tt.summary)
			}
			must(t, writes(cloud, 0)) // the plan wrote nothing
		})
	}
}

// planCreate plans a new association with the given attribute lines, as
// Terraform's PlanResourceChange does, and returns the diagnostics.
func planCreate(t *testing.T, cloud *acctest.Cloud, lines ...string) []*tfprotov6.Diagnostic {
	t.Helper()
	w := newProtocolWalk(t, cloud)
	planned, _ := w.plan(w.none, nil, lines...)
	return planned.Diagnostics
}

// A destroy plan of a binding whose EIP has been blocked warns that the
// unbind will be refused and how to stop managing the binding instead; it
// does not refuse the destroy.
func TestEIPAssociationPlan_destroyOfABlockedEIPWarns(t *testing.T) {
	acctest.EmulatorOnly(t, "blocks the EIP out of band")
	t.Parallel()
	cloud := acctest.New(t)
	state, private := reallocatingBinding(t, cloud)
	const blocked = "the API refuses to unbind a blocked EIP"
	if before := planDestroyOverProtocol(t, cloud, state, private); hasDiagnostic(before.Diagnostics, tfprotov6.DiagnosticSeverityWarning, blocked) {
		t.Fatalf("destroy plan of an EIP not blocked: %s", describeDiagnostics(before.Diagnostics))
	}
	blockedNow := true
	cloud.Patch(t, cloud.EIPID, emulator.AddressPatch{Blocked: &blockedNow})
	planned := planDestroyOverProtocol(t, cloud, state, private)
	if !hasDiagnostic(planned.Diagnostics, tfprotov6.DiagnosticSeverityWarning, blocked) ||
		!hasDiagnostic(planned.Diagnostics, tfprotov6.DiagnosticSeverityWarning, "removed block") ||
		hasDiagnostic(planned.Diagnostics, tfprotov6.DiagnosticSeverityError, "") {
		t.Fatalf("destroy plan of a blocked EIP: %s; want a warning that the unbind is refused, and no error", describeDiagnostics(planned.Diagnostics))
	}
}
