package provider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/acctest"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/provider"
)

const resourceName = "qcloud_eip_association.test"

var ipv4Pattern = regexp.MustCompile(`^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$`)

// config is the target's provider block and one association with the given
// attribute lines.
func config(cloud *acctest.Cloud, lines ...string) string {
	return cloud.ProviderConfig + "\nresource \"qcloud_eip_association\" \"test\" {\n  " + strings.Join(lines, "\n  ") + "\n}\n"
}

func attr(name string, value any) string {
	switch v := value.(type) {
	case string:
		return fmt.Sprintf("%s = %q", name, v)
	default:
		return fmt.Sprintf("%s = %v", name, v)
	}
}

// newParallelEmulator skips t on the real cloud, saying why, runs it in
// parallel, and starts its emulator.
func newParallelEmulator(t *testing.T, why string) *acctest.Cloud {
	t.Helper()
	acctest.EmulatorOnly(t, why)
	return newParallelCloud(t)
}

// newParallelCloud runs t in parallel, on a cloud of its own.
func newParallelCloud(t *testing.T) *acctest.Cloud {
	t.Helper()
	acctest.Parallel(t)
	return acctest.New(t)
}

// instanceConfig is config binding the test's EIP to its instance, with
// extra attribute lines.
func instanceConfig(cloud *acctest.Cloud, extra ...string) string {
	return config(cloud, append(byInstance(cloud.EIPID, cloud.InstanceID), extra...)...)
}

// stateAttr checks one attribute of the association in the state.
func stateAttr(name string, check knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(resourceName, tfjsonpath.New(name), check)
}

func stateID(id string) statecheck.StateCheck {
	return stateAttr("id", knownvalue.StringExact(id))
}

// plansTo checks that a plan has the association's action.
func plansTo(action plancheck.ResourceActionType) []plancheck.PlanCheck {
	return []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceName, action)}
}

// appliedAs checks the association's action in the plan a step applies.
func appliedAs(action plancheck.ResourceActionType) resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PreApply: plansTo(action)}
}

// settlesAs is appliedAs, then an empty plan after the apply.
func settlesAs(action plancheck.ResourceActionType) resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PreApply: plansTo(action), PostApplyPostRefresh: emptyPlan}
}

var emptyPlan = []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}

// importVerified is terraform import of the association by id (by its
// state's id when id is ""), verifying the state it makes.
func importVerified(id string) resource.TestStep {
	return resource.TestStep{
		ResourceName: resourceName, ImportState: true, ImportStateId: id,
		ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"},
	}
}

// testPlanFails plans cfg and expects an error matching pattern.
func testPlanFails(t *testing.T, cfg, pattern string) {
	t.Helper()
	testSteps(t, planFails(cfg, pattern))
}

// planFails is a step that plans cfg and expects an error matching pattern
// (see expectError).
func planFails(cfg, pattern string) resource.TestStep {
	return resource.TestStep{Config: cfg, PlanOnly: true, ExpectError: expectError(pattern)}
}

// testApplyFails applies cfg and expects an error matching pattern.
func testApplyFails(t *testing.T, cfg, pattern string) {
	t.Helper()
	testSteps(t, resource.TestStep{Config: cfg, ExpectError: expectError(pattern)})
}

// testSteps runs steps as one test case.
func testSteps(t *testing.T, steps ...resource.TestStep) {
	t.Helper()
	acctest.Test(t, resource.TestCase{Steps: steps})
}

// testUnbound runs steps as one test case, and checks after its destroy that
// the test's EIP is unbound.
func testUnbound(t *testing.T, cloud *acctest.Cloud, steps ...resource.TestStep) {
	t.Helper()
	testCheckDestroy(t, cloud.CheckUnbound(cloud.EIPID), steps...)
}

// testCheckDestroy runs steps as one test case whose CheckDestroy is check.
func testCheckDestroy(t *testing.T, check resource.TestCheckFunc, steps ...resource.TestStep) {
	t.Helper()
	acctest.Test(t, resource.TestCase{CheckDestroy: check, Steps: steps})
}

// testApplies applies cfg and destroys it.
func testApplies(t *testing.T, cfg string) {
	t.Helper()
	testSteps(t, resource.TestStep{Config: cfg})
}

func TestAccEIPAssociation_instance(t *testing.T) {
	cloud := newParallelCloud(t)
	testUnbound(t, cloud,
		resource.TestStep{
			Config: instanceConfig(cloud),
			ConfigStateChecks: []statecheck.StateCheck{
				stateID(cloud.EIPID + "::" + cloud.InstanceID),
				stateAttr("public_ip", knownvalue.StringRegexp(ipv4Pattern)),
				stateAttr("reallocate_normal_public_ip", knownvalue.Bool(false)),
				stateAttr("allow_reassociation", knownvalue.Bool(false)),
				// One form of binding in the state, so that configuration
				// written from it names one form.
				stateAttr("network_interface_id", knownvalue.Null()),
				stateAttr("private_ip", knownvalue.Null()),
			},
			ConfigPlanChecks: settlesAs(plancheck.ResourceActionCreate),
			Check:            cloud.CheckBound(cloud.EIPID, client.Target{InstanceID: cloud.InstanceID}),
		},
		importVerified(""),
		importVerified(cloud.EIPID),
		resource.TestStep{ResourceName: resourceName, ImportState: true, ImportStateKind: resource.ImportBlockWithID, ImportStateId: cloud.EIPID},
	)
}

func TestAccEIPAssociation_networkInterface(t *testing.T) {
	cloud := newParallelCloud(t)
	testUnbound(t, cloud,
		resource.TestStep{
			Config: config(cloud, byInterface(cloud.EIPID, cloud.NetworkInterfaceID, cloud.PrivateIP)...),
			ConfigStateChecks: []statecheck.StateCheck{
				stateID(cloud.EIPID + "::" + cloud.NetworkInterfaceID + "::" + cloud.PrivateIP),
				stateAttr("instance_id", knownvalue.Null()),
				stateAttr("public_ip", knownvalue.StringRegexp(ipv4Pattern)),
			},
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: emptyPlan},
			Check:            cloud.CheckBound(cloud.EIPID, client.Target{NetworkInterfaceID: cloud.NetworkInterfaceID, PrivateIP: cloud.PrivateIP}),
		},
		importVerified(""),
		importVerified(cloud.EIPID),
	)
}

func TestAccEIPAssociation_secondaryPrivateIP(t *testing.T) {
	cloud := newParallelEmulator(t, "needs an ENI with a secondary private IP on an instance")
	testUnbound(t, cloud,
		resource.TestStep{
			Config:           config(cloud, byInterface(cloud.EIPID, acctest.EmulatorInstanceENI, acctest.EmulatorSecondaryIP)...),
			Check:            cloud.CheckBound(cloud.EIPID, secondaryIP),
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: emptyPlan},
		},
		importVerified(""),
		// The API shows the instance for this binding too; the EIP alone
		// still imports it as the interface binding it is.
		importVerified(cloud.EIPID),
	)
}

// An existing binding adopted with an import {} block, then destroyed.
func TestAccEIPAssociation_importBlock(t *testing.T) {
	cloud := newParallelCloud(t)
	testUnbound(t, cloud, resource.TestStep{
		PreConfig:         func() { cloud.BindOutOfBand(t, cloud.EIPID, client.Target{InstanceID: cloud.InstanceID}) },
		Config:            instanceConfig(cloud) + fmt.Sprintf("\nimport {\n  to = %s\n  id = %q\n}\n", resourceName, cloud.EIPID),
		ConfigStateChecks: []statecheck.StateCheck{stateID(cloud.EIPID + "::" + cloud.InstanceID)},
		ConfigPlanChecks:  appliedAs(plancheck.ResourceActionNoop),
	})
}

func TestAccEIPAssociation_reallocateOnDestroy(t *testing.T) {
	acctest.EmulatorOnly(t, "spends the account's daily reallocation quota and inspects the emulator's request log")
	acctest.Parallel(t)
	for _, reallocate := range []bool{true, false} {
		t.Run(fmt.Sprint(reallocate), func(t *testing.T) {
			cloud := newParallelCloud(t)
			checkDestroy := resource.ComposeTestCheckFunc(cloud.CheckUnbound(cloud.EIPID), checkDisassociateSent(cloud, reallocate),
				checkNormalPublicIP(cloud, cloud.InstanceID, reallocate))
			testCheckDestroy(t, checkDestroy, resource.TestStep{
				Config:            instanceConfig(cloud, attr("reallocate_normal_public_ip", reallocate)),
				ConfigStateChecks: []statecheck.StateCheck{stateAttr("reallocate_normal_public_ip", knownvalue.Bool(reallocate))},
				Check:             checkNormalPublicIP(cloud, cloud.InstanceID, false),
			})
		})
	}
}

func TestAccEIPAssociation_flipReallocate(t *testing.T) {
	cloud := newParallelCloud(t)
	cfg := func(reallocate bool) string {
		return instanceConfig(cloud, attr("reallocate_normal_public_ip", reallocate))
	}
	update := settlesAs(plancheck.ResourceActionUpdate)
	testCheckDestroy(t, resource.ComposeTestCheckFunc(cloud.CheckUnbound(cloud.EIPID), checkDisassociateSent(cloud, false)),
		resource.TestStep{Config: cfg(false), Check: writes(cloud, 1)},
		resource.TestStep{
			Config: cfg(true), ConfigPlanChecks: update, Check: writes(cloud, 1),
			ConfigStateChecks: []statecheck.StateCheck{
				stateAttr("reallocate_normal_public_ip", knownvalue.Bool(true)),
				stateAttr("public_ip", knownvalue.StringRegexp(ipv4Pattern)),
			},
		},
		resource.TestStep{Config: cfg(false), ConfigPlanChecks: update, Check: writes(cloud, 1)},
		resource.TestStep{Config: instanceConfig(cloud, timeoutsLine("delete", "10m")), ConfigPlanChecks: update, Check: writes(cloud, 1)},
	)
}

// writes checks how many write calls the emulator has received (on the real
// cloud, nothing).
func writes(cloud *acctest.Cloud, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if cloud.Emulator == nil {
			return nil
		}
		if got := cloud.WriteCalls(); got != want {
			return fmt.Errorf("write calls = %d, want %d (%s)", got, want, cloud.CallsOf())
		}
		return nil
	}
}

func TestAccEIPAssociation_driftUnbound(t *testing.T) {
	cloud := newParallelEmulator(t, "changes the binding out of band")
	testUnbound(t, cloud,
		resource.TestStep{Config: instanceConfig(cloud)},
		resource.TestStep{
			PreConfig:        func() { cloud.Patch(t, cloud.EIPID, emulator.AddressPatch{Unbind: true}) },
			Config:           instanceConfig(cloud),
			ConfigPlanChecks: appliedAs(plancheck.ResourceActionCreate),
			Check:            cloud.CheckBound(cloud.EIPID, client.Target{InstanceID: cloud.InstanceID}),
		},
	)
}

func TestAccEIPAssociation_driftReboundElsewhere(t *testing.T) {
	cloud := newParallelEmulator(t, "changes the binding out of band")
	// The foreign binding survives the test's destroy.
	testCheckDestroy(t, cloud.CheckBound(cloud.EIPID, elsewhere),
		resource.TestStep{Config: instanceConfig(cloud)},
		resource.TestStep{
			PreConfig: func() { cloud.MoveOutOfBand(t, cloud.EIPID, elsewhere) },
			Config:    instanceConfig(cloud),
			// The refresh shows the drift; the plan refuses to take the EIP
			// away from the binding it now has.
			ExpectError: expectError(`EIP is bound elsewhere.*network interface ` + elsewhere.NetworkInterfaceID),
		},
	)
}

var (
	// elsewhere is a binding not the test's: on the emulator's network
	// interface attached to no instance.
	elsewhere = client.Target{NetworkInterfaceID: acctest.EmulatorDanglingENI, PrivateIP: acctest.EmulatorDanglingENIIP}
	// secondaryIP is a secondary private IP of the emulator's instance's
	// primary network interface.
	secondaryIP = client.Target{NetworkInterfaceID: acctest.EmulatorInstanceENI, PrivateIP: acctest.EmulatorSecondaryIP}
)

// Destroy must not unbind an EIP that now belongs to another target, even
// when it never refreshed: Delete looks before it unbinds.
func TestEIPAssociationDelete_leavesForeignBindingAlone(t *testing.T) {
	cloud := newParallelEmulator(t, "changes the binding out of band")
	cloud.Patch(t, cloud.EIPID, emulator.AddressPatch{BindNetworkInterfaceID: elsewhere.NetworkInterfaceID, BindPrivateIP: elsewhere.PrivateIP})

	diags := deleteDirectly(t, cloud, cloud.EIPID+"::"+cloud.InstanceID, false)
	if diags.HasError() || len(diags) != 1 || !strings.Contains(diags[0].Summary(), "bound to something else") {
		t.Fatalf("diagnostics = %v, want one warning that the EIP is bound elsewhere", diags)
	}
	must(t, cloud.CheckBound(cloud.EIPID, elsewhere), calls(cloud, "DisassociateAddress", 0))
}

func TestEIPAssociationDelete_alreadyGoneOrUnbound(t *testing.T) {
	cloud := newParallelEmulator(t, "changes the world out of band")
	cloud.Patch(t, acctest.EmulatorSpareEIP, emulator.AddressPatch{Delete: true})
	for _, id := range []string{acctest.EmulatorSpareEIP + "::ins-demo0001", cloud.EIPID + "::ins-demo0001"} {
		if diags := deleteDirectly(t, cloud, id, true); len(diags) != 0 {
			t.Errorf("Delete(%s) diagnostics = %v, want none", id, diags)
		}
	}
	must(t, writes(cloud, 0))
}

// Creates that cannot work fail at apply time, before anything is bound,
// naming what the cloud shows; their plan said it first, in the same words
// (TestEIPAssociationPlan_createWarnings).
func TestAccEIPAssociation_errors(t *testing.T) {
	acctest.EmulatorOnly(t, "needs the emulator's blocked, bound and failed fixtures")
	acctest.Parallel(t)
	for i, tt := range createFailures {
		t.Run(tt.name, func(t *testing.T) {
			cloud := newParallelCloud(t)
			before, err := cloud.Address(tt.eip())
			if err != nil {
				t.Fatal(err)
			}
			want := tt.summary + `.*` + tt.detail + `.*Code: .*RequestId: [0-9a-zA-Z]`
			if i == 0 { // one through Terraform too, for its rendering of the error
				testApplyFails(t, config(cloud, tt.lines...), want)
			}
			createFails(t, cloud, want, tt.lines...)
			after, err := cloud.Address(tt.eip())
			if err != nil || fmt.Sprint(after) != fmt.Sprint(before) || cloud.Emulator.Stats().Calls["DisassociateAddress"] != 0 {
				t.Errorf("the failed create changed the world: %+v became %+v (%v); calls %s", before, after, err, cloud.CallsOf())
			}
		})
	}
}

// createFailure is a create the world makes fail, as the plan warns it and
// the apply refuses it.
type createFailure struct {
	name    string
	lines   []string
	summary string // of the plan's warning and the apply's error
	detail  string // of the apply's error
}

func (f createFailure) eip() string {
	return strings.Trim(strings.TrimPrefix(f.lines[0], "eip_id = "), `"`)
}

var createFailures = []createFailure{
	{"blocked EIP", byInstance(acctest.EmulatorBlockedEIP, acctest.EmulatorInstance), `EIP is blocked`, `Unblock it first`},
	{"EIP in arrears", byInstance(acctest.EmulatorArrearsEIP, acctest.EmulatorInstance), `EIP is in arrears`, `Top up the account`},
	{"EIP already bound", byInstance(acctest.EmulatorBoundEIP, acctest.EmulatorInstance),
		`EIP is bound elsewhere`, `instance ` + acctest.EmulatorBoundInstance + `.*until nothing else in the apply was in progress`},
	{"instance already has an EIP", byInstance(acctest.EmulatorFreeEIP, acctest.EmulatorBoundInstance),
		`Target already holds an EIP`, acctest.EmulatorBoundEIP + `.*until nothing else in the apply was in progress`},
	{"EIP not found", byInstance("eip-nope0000", acctest.EmulatorInstance), `EIP not found`, `eip-nope0000.*ap-guangzhou`},
	{"normal public IP", byInstance(acctest.EmulatorNormalPublicIP, acctest.EmulatorInstance), `Not an EIP: a normal public IP`, `TransformAddress`},
}

// Creates whose target cannot take an EIP fail at apply time with the API's
// answer; a plan does not read every target's state.
func TestAccEIPAssociation_targetErrors(t *testing.T) {
	acctest.EmulatorOnly(t, "needs the emulator's failed and stopped instances")
	acctest.Parallel(t)
	tests := []struct {
		name  string
		lines []string
		want  string
	}{
		{"instance not found", byInstance(acctest.EmulatorFreeEIP, "ins-nope0000"), `Instance not found.*ins-nope0000`},
		{"instance failed to launch", byInstance(acctest.EmulatorFreeEIP, acctest.EmulatorFailedInstance), `Instance cannot take an EIP`},
		{"instance stopped in no-charge mode", byInstance(acctest.EmulatorFreeEIP, acctest.EmulatorNoChargeInstance),
			`Instance is stopped in no-charge mode.*Start the instance`},
		{"ENI not found", byInterface(acctest.EmulatorFreeEIP, "eni-nope0000", "10.0.0.1"), `Network interface or private IP not found`},
		{"IP not on the ENI", byInterface(acctest.EmulatorFreeEIP, acctest.EmulatorDanglingENI, "10.9.9.9"),
			`Network interface or private IP not found.*10.9.9.9 is not one of its private IPs`},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acctest.Parallel(t)
			if i == 0 { // one through Terraform too, for its rendering of the error
				testApplyFails(t, config(acctest.New(t), tt.lines...), tt.want+`.*Code: .*RequestId: `)
			}
			createFails(t, acctest.New(t), tt.want+`.*Code: .*RequestId: `, tt.lines...)
		})
	}
}

// The same refusals reach the user at apply time when the plan did not
// catch them (a change made between plan and apply, say), with the API's
// code and RequestId.
func TestEIPAssociationCreate_apiErrors(t *testing.T) {
	acctest.EmulatorOnly(t, "needs the emulator's blocked, bound and arrears fixtures")
	acctest.Parallel(t)
	for eip, target := range map[string]client.Target{
		acctest.EmulatorBlockedEIP:     {InstanceID: acctest.EmulatorInstance},
		acctest.EmulatorArrearsEIP:     {InstanceID: acctest.EmulatorInstance},
		acctest.EmulatorFreeEIP:        {InstanceID: acctest.EmulatorBoundInstance},
		acctest.EmulatorNormalPublicIP: {InstanceID: acctest.EmulatorInstance},
	} {
		cloud := acctest.New(t)
		_, diags := createDirectly(t, cloud, eip, target)
		if !diags.HasError() || !strings.Contains(diags.Errors()[0].Detail(), "RequestId: ") || strings.Contains(diags.Errors()[0].Detail(), "RequestId: (none)") {
			t.Errorf("binding %s to %v: %v, want the API's refusal with its RequestId", eip, target, diags)
		}
	}
}

// A binding to the very target a new association names (left by an earlier
// run killed before it recorded its work, or made outside Terraform) is taken
// over (the plan warned of it); one to another target is refused.
func TestEIPAssociationCreate_existingBinding(t *testing.T) {
	cloud := newParallelEmulator(t, "uses the emulator's pre-bound EIP")
	state, diags := createDirectly(t, cloud, acctest.EmulatorBoundEIP, client.Target{InstanceID: acctest.EmulatorBoundInstance})
	if len(diags) != 0 {
		t.Fatalf("diagnostics = %v, want none: the plan warned of the takeover", diags)
	}
	var id string
	if d := state.GetAttribute(context.Background(), path.Root("id"), &id); d.HasError() || id != acctest.EmulatorBoundEIP+"::"+acctest.EmulatorBoundInstance {
		t.Fatalf("recorded id = %q (%v)", id, d)
	}
	must(t, calls(cloud, "AssociateAddress", 1)) // the one refused

	_, diags = createDirectly(t, cloud, acctest.EmulatorBoundEIP, client.Target{InstanceID: acctest.EmulatorInstance})
	if !diags.HasError() || !strings.Contains(diags.Errors()[0].Detail(), "bound to instance "+acctest.EmulatorBoundInstance) {
		t.Fatalf("binding an EIP bound elsewhere: %v, want an error naming the other binding", diags)
	}
}

// A bind refused because something held the EIP or its target, where a look
// then finds it gone (its unbind ended between the refusal and the look),
// binds again instead of failing with the stale refusal.
func TestEIPAssociationCreate_holderGoneBeforeTheLook(t *testing.T) {
	acctest.EmulatorOnly(t, "injects faults")
	acctest.Parallel(t)
	for _, code := range []string{"InvalidInstanceId.AlreadyBindEip", "InvalidAddressIdStatus.NotPermit"} {
		t.Run(code, func(t *testing.T) {
			cloud := newParallelCloud(t)
			cloud.Inject(t, emulator.Fault{Action: "AssociateAddress", Kind: emulator.FaultError, Code: code, Count: 1})
			target := client.Target{InstanceID: cloud.InstanceID}
			mustCreate(t, cloud, cloud.EIPID, target)
			// The refused bind and the one that bound.
			must(t, calls(cloud, "AssociateAddress", 2), cloud.CheckBound(cloud.EIPID, target))
		})
	}
}

// Every reply to AssociateAddress is lost, and the create's time runs out
// while it looks: the look, and the slow interface read that tells an
// instance binding, run past the create's time, so the bind the API made is
// recorded, not orphaned.
func TestEIPAssociationCreate_bindSeenAfterTheTimeoutIsRecorded(t *testing.T) {
	acctest.EmulatorOnly(t, "injects faults")
	cloud := newParallelCloud(t)
	cloud.Inject(t, emulator.Fault{Action: "AssociateAddress", Kind: emulator.FaultLostReply})
	cloud.Inject(t, emulator.Fault{Action: "DescribeNetworkInterfaces", Kind: emulator.FaultDelay, Delay: emulator.Duration(time.Second), Count: 1})
	target := client.Target{InstanceID: cloud.InstanceID}
	state, diags := createDirectlyWithin(t, cloud, cloud.EIPID, target, "1s")
	if state.Raw.IsNull() {
		t.Fatalf("the bind the API made was not recorded: %v", diags)
	}
	must(t, cloud.CheckBound(cloud.EIPID, target))
}

// When no reply to AssociateAddress comes before the timeout, the bind may
// still have happened: the association is recorded (tainted), not orphaned,
// and the next apply replaces it.
func TestAccEIPAssociation_everyReplyLostIsNotOrphaned(t *testing.T) {
	cloud := newParallelEmulator(t, "injects faults")
	cfg := instanceConfig(cloud, timeoutsLine("create", "3s"))
	testUnbound(t, cloud,
		resource.TestStep{
			// The bind is accepted, its task hangs, and no reply to it or
			// to its retries ever comes, until the create timeout.
			PreConfig: func() {
				cloud.Inject(t, emulator.Fault{Action: "AssociateAddress", Kind: emulator.FaultLostReply})
				injectOnce(t, cloud, "AssociateAddress", emulator.FaultTaskHang)
			},
			Config: cfg,
			// Which error the time ran out on depends on the machine's
			// load: the wait for the hung task, or a retry's lost reply.
			ExpectError: expectError(`Timed out|kept failing|Cannot reach the Tencent Cloud API`),
		},
		resource.TestStep{
			// Had the failed apply not recorded the binding it made, this
			// apply would find the EIP bound and refuse.
			PreConfig:        cloud.Emulator.ClearFaults,
			Config:           cfg,
			ConfigPlanChecks: appliedAs(plancheck.ResourceActionReplace),
			Check:            cloud.CheckBound(cloud.EIPID, client.Target{InstanceID: cloud.InstanceID}),
		},
	)
}

func TestAccEIPAssociation_dailyQuotaUsedUp(t *testing.T) {
	cloud := newParallelEmulator(t, "sets the emulator's quota")
	cfg := func(reallocate bool) string {
		return instanceConfig(cloud, attr("reallocate_normal_public_ip", reallocate))
	}
	testCheckDestroy(t, resource.ComposeTestCheckFunc(cloud.CheckUnbound(cloud.EIPID), checkNormalPublicIP(cloud, cloud.InstanceID, false)),
		resource.TestStep{Config: cfg(true)},
		resource.TestStep{
			PreConfig: func() { setQuota(t, cloud, 10) },
			Config:    cfg(true),
			Destroy:   true,
			// The destroy's plan refuses it before anything is unbound.
			ExpectError: expectError(`Daily quota of normal public IP reallocations would run out.*gives instance ` + cloud.InstanceID +
				`.*DAILY_PUBLIC_IP_ASSIGN is 10 of 10: 0 reallocations left.*reallocate_normal_public_ip = false.*next day`),
		},
		// The remedy the message gives: flip the flag (no API call), destroy.
		resource.TestStep{Config: cfg(false), Check: cloud.CheckBound(cloud.EIPID, client.Target{InstanceID: cloud.InstanceID})},
	)
	if n := cloud.Emulator.Stats().Calls["DescribeAddressQuota"]; n < 1 {
		t.Errorf("DescribeAddressQuota calls = %d, want the plan to have read the quota", n)
	}
}

// Unbinding past today's quota fails at apply time too (the plan cannot
// see the quota spent between plan and apply), with today's count.
func TestEIPAssociationDelete_dailyQuotaUsedUp(t *testing.T) {
	cloud := newParallelEmulator(t, "sets the emulator's quota")
	cloud.BindOutOfBand(t, cloud.EIPID, client.Target{InstanceID: cloud.InstanceID})
	setQuota(t, cloud, 10)
	diags := deleteDirectly(t, cloud, cloud.EIPID+"::"+cloud.InstanceID, true)
	if !diags.HasError() || !regexp.MustCompile(`(?s)today's count is 10 of 10.*apply the flag change alone first`).MatchString(diags.Errors()[0].Detail()) {
		t.Fatalf("diagnostics = %v, want the quota error with today's count and the remedy order", diags)
	}
	must(t, cloud.CheckBound(cloud.EIPID, client.Target{InstanceID: cloud.InstanceID}))
}

// Reallocation needs the primary private IP of an instance's primary
// interface: create and update plans that ask for it elsewhere warn that the
// destroy would fail, and the destroy's plan refuses it; a destroy that meets
// it anyway (without that plan) says so.
func TestAccEIPAssociation_reallocateNotOnPrimaryIP(t *testing.T) {
	cloud := newParallelEmulator(t, "needs an ENI with a secondary private IP on an instance")
	cfg := func(reallocate bool) string {
		return config(cloud, attr("eip_id", cloud.EIPID), attr("network_interface_id", acctest.EmulatorInstanceENI),
			attr("private_ip", acctest.EmulatorSecondaryIP), attr("reallocate_normal_public_ip", reallocate))
	}
	notHere := `normal public IP cannot be reallocated.*primary private IP of an instance's primary network interface.*` +
		`secondary private IP of instance ` + acctest.EmulatorInstance
	testUnbound(t, cloud,
		resource.TestStep{Config: cfg(true)},
		resource.TestStep{Config: cfg(true), Destroy: true, ExpectError: expectError(notHere + `.*the destroy would fail`)},
		resource.TestStep{Config: cfg(false)},
	)
	must(t, writes(cloud, 2)) // one bind and one unbind

	other := acctest.New(t)
	other.BindOutOfBand(t, other.EIPID, secondaryIP)
	diags := deleteDirectly(t, other, other.EIPID+"::"+acctest.EmulatorInstanceENI+"::"+acctest.EmulatorSecondaryIP, true)
	if !diags.HasError() || !strings.Contains(diags.Errors()[0].Summary(), "cannot be reallocated") {
		t.Fatalf("diagnostics = %v, want the reallocation refused", diags)
	}
}

func TestAccEIPAssociation_retriesThrottlingAndMutex(t *testing.T) {
	cloud := newParallelEmulator(t, "injects faults")
	cloud.Inject(t, emulator.Fault{Action: "AssociateAddress", Kind: emulator.FaultError, Code: "RequestLimitExceeded", Count: 2})
	cloud.Inject(t, emulator.Fault{Action: "DescribeAddresses", Kind: emulator.FaultError, Code: "InternalError", Count: 2})
	cloud.Inject(t, emulator.Fault{Action: "DisassociateAddress", Kind: emulator.FaultError, Code: "OperationDenied.MutexTaskRunning", Count: 3})
	testCheckDestroy(t, resource.ComposeTestCheckFunc(cloud.CheckUnbound(cloud.EIPID), func(*terraform.State) error {
		errs := cloud.Emulator.Stats().Errors
		if errs["AssociateAddress"]["RequestLimitExceeded"] != 2 || errs["DisassociateAddress"]["OperationDenied.MutexTaskRunning"] != 3 ||
			errs["DescribeAddresses"]["InternalError"] != 2 {
			return fmt.Errorf("the faults did not all fire: %v", errs)
		}
		return nil
	}), resource.TestStep{Config: instanceConfig(cloud), Check: cloud.CheckBound(cloud.EIPID, client.Target{InstanceID: cloud.InstanceID})})
}

// A write carried out whose reply never came: the retry is refused (the EIP
// is busy, then bound or unbound), the resource looks, finds its own work
// done, and carries on, without a second reallocation.
func TestAccEIPAssociation_lostRepliesAreRecovered(t *testing.T) {
	cloud := newParallelEmulator(t, "injects faults")
	injectOnce(t, cloud, "AssociateAddress", emulator.FaultLostReply)
	injectOnce(t, cloud, "DisassociateAddress", emulator.FaultLostReply)
	testCheckDestroy(t, resource.ComposeTestCheckFunc(
		cloud.CheckUnbound(cloud.EIPID),
		checkNormalPublicIP(cloud, cloud.InstanceID, true),
		func(*terraform.State) error {
			if n := reallocationsToday(t, cloud); n != 1 {
				return fmt.Errorf("%d reallocations today, want exactly 1", n)
			}
			if n := len(cloud.Emulator.Snapshot().AddressesOn(cloud.InstanceID)); n != 1 {
				return fmt.Errorf("instance %s holds %d addresses, want its one normal public IP", cloud.InstanceID, n)
			}
			if calls := cloud.Emulator.Stats().Calls; calls["AssociateAddress"] < 2 || calls["DisassociateAddress"] < 2 {
				return fmt.Errorf("the lost replies were not retried: %s", cloud.CallsOf())
			}
			return nil
		},
	), resource.TestStep{
		Config: instanceConfig(cloud, attr("reallocate_normal_public_ip", true)),
		Check:  cloud.CheckBound(cloud.EIPID, client.Target{InstanceID: cloud.InstanceID}),
	})
}

func TestAccEIPAssociation_taskFailedIsReportedAndRecovers(t *testing.T) {
	cloud := newParallelEmulator(t, "injects faults")
	testUnbound(t, cloud,
		resource.TestStep{
			PreConfig:   func() { injectOnce(t, cloud, "AssociateAddress", emulator.FaultTaskFail) },
			Config:      instanceConfig(cloud),
			ExpectError: expectError(`asynchronous task failed.*TaskId: \d+`),
		},
		resource.TestStep{
			// The failed bind left the EIP unbound and recorded nothing:
			// the plan binds it again.
			Config:           instanceConfig(cloud),
			ConfigPlanChecks: appliedAs(plancheck.ResourceActionCreate),
			Check:            cloud.CheckBound(cloud.EIPID, client.Target{InstanceID: cloud.InstanceID}),
		},
	)
}

func TestAccEIPAssociation_hungTaskTimesOutAndRecovers(t *testing.T) {
	cloud := newParallelEmulator(t, "injects faults")
	cfg := instanceConfig(cloud, timeoutsLine("create", "3s"))
	testUnbound(t, cloud,
		resource.TestStep{
			PreConfig:   func() { injectOnce(t, cloud, "AssociateAddress", emulator.FaultTaskHang) },
			Config:      cfg,
			ExpectError: expectError(`Timed out.*still BINDING`),
		},
		resource.TestStep{
			PreConfig: cloud.Emulator.ClearFaults,
			Config:    cfg,
			Check:     cloud.CheckBound(cloud.EIPID, client.Target{InstanceID: cloud.InstanceID}),
		},
	)
}

func TestAccEIPAssociation_configMistakesCaughtAtPlan(t *testing.T) {
	cloud := newParallelCloud(t)
	// Terraform itself refuses this one, before any call to the provider.
	testPlanFails(t, config(cloud, attr("eip_id", "eip-demo0001"), attr("instance_id", "ins-demo0001"), attr("reallocate_normal_public_ip", "yes")),
		`reallocate_normal_public_ip`)
	// The provider's refusals need no cloud: an emulator counts the calls
	// they make, wherever the test runs.
	emu := acctest.NewEmulator(t, emulator.DefaultOptions())
	for _, tt := range []struct {
		lines []string
		want  string
	}{
		{byInstance("eip-123", "ins-demo0001"), `eip_id.*must be an EIP id`},
		{byInstance("EIP-DEMO0001", "ins-demo0001"), `eip_id.*must be an EIP id`},
		{byInstance("eip-demo0001", "i-12345678"), `instance_id.*must be an instance id`},
		{byInterface("eip-demo0001", "eni_12345678", "10.0.0.1"), `network_interface_id.*must be a network interface id`},
		{byInterface("eip-demo0001", "eni-demo0005", "10.0.0.300"), `Invalid IPv4 Address String Value.*private_ip`},
		{byInterface("eip-demo0001", "eni-demo0005", "fe80::1"), `Invalid IPv4 Address String Value.*private_ip`},
		{[]string{attr("eip_id", "eip-demo0001")}, `Invalid Attribute Combination.*instance_id.*network_interface_id`},
		{[]string{attr("eip_id", "eip-demo0001"), attr("instance_id", "ins-demo0001"), attr("network_interface_id", "eni-demo0005"),
			attr("private_ip", "10.0.1.5")}, `Invalid Attribute Combination`},
		{[]string{attr("eip_id", "eip-demo0001"), attr("network_interface_id", "eni-demo0005")}, `private_ip.*must be specified`},
		{[]string{attr("eip_id", "eip-demo0001"), attr("private_ip", "10.0.1.5")}, `network_interface_id.*must be specified`},
		{[]string{attr("eip_id", "eip-demo0001"), attr("instance_id", "ins-demo0001"), attr("private_ip", "10.0.1.5")},
			`Invalid Attribute Combination`},
		{[]string{attr("eip_id", "eip-demo0001"), attr("instance_id", "ins-demo0001"), "timeouts = {\n    create = \"soon\"\n  }"},
			`Invalid timeout.*"soon" is not a timeout.*"30s"`},
	} {
		t.Run(strings.Join(tt.lines, " "), func(t *testing.T) { createFails(t, emu, tt.want, tt.lines...) })
	}
	for _, c := range []*acctest.Cloud{cloud, emu} {
		if c.Emulator != nil && c.TotalCalls() != 0 {
			t.Errorf("config mistakes made %d API calls (%s), want 0", c.TotalCalls(), c.CallsOf())
		}
	}
}

// checkDisassociateSent checks the last DisassociateAddress request carried
// ReallocateNormalPublicIp, explicitly, as want.
func checkDisassociateSent(cloud *acctest.Cloud, want bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if cloud.Emulator == nil {
			return nil
		}
		sent, err := reallocateFlagsSent(cloud)
		if err == nil && (len(sent) == 0 || sent[len(sent)-1] != want) {
			err = fmt.Errorf("DisassociateAddress sent with ReallocateNormalPublicIp %v, want the last %v", sent, want)
		}
		return err
	}
}

// reallocateFlagsSent are the ReallocateNormalPublicIp values of the
// DisassociateAddress requests the emulator received, each of which must
// carry one.
func reallocateFlagsSent(cloud *acctest.Cloud) ([]bool, error) {
	var sent []bool
	for _, r := range cloud.Emulator.Requests("DisassociateAddress") {
		var body struct{ ReallocateNormalPublicIp *bool }
		if err := json.Unmarshal(r.Body, &body); err != nil {
			return nil, fmt.Errorf("DisassociateAddress body %s: %w", r.Body, err)
		}
		if body.ReallocateNormalPublicIp == nil {
			return nil, fmt.Errorf("DisassociateAddress body %s: no ReallocateNormalPublicIp", r.Body)
		}
		sent = append(sent, *body.ReallocateNormalPublicIp)
	}
	return sent, nil
}

// checkNormalPublicIP checks whether the instance holds a normal public IP.
func checkNormalPublicIP(cloud *acctest.Cloud, instanceID string, want bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		wan, err := cloud.Client.Addresses(ctx, client.Query{Filters: []client.Filter{
			{Name: "address-type", Values: []string{"WanIP"}}, {Name: "instance-id", Values: []string{instanceID}},
		}})
		if err != nil {
			return err
		}
		if got := len(wan) > 0; got != want {
			return fmt.Errorf("instance %s holds a normal public IP: %v, want %v (%v)", instanceID, got, want, wan)
		}
		return nil
	}
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// createDirectly runs the resource's Create for eipID and target, without
// Terraform, and returns the state it recorded and its diagnostics.
func createDirectly(t *testing.T, cloud *acctest.Cloud, eipID string, target client.Target) (tfsdk.State, diag.Diagnostics) {
	t.Helper()
	return createDirectlyWithin(t, cloud, eipID, target, "")
}

// createDirectlyWithin is createDirectly with timeouts.create set, unless "".
func createDirectlyWithin(t *testing.T, cloud *acctest.Cloud, eipID string, target client.Target, timeout string) (tfsdk.State, diag.Diagnostics) {
	t.Helper()
	ctx := context.Background()
	r, schema := configuredResource(t, cloud)
	plan := tfsdk.Plan{Schema: schema, Raw: tftypes.NewValue(schema.Type().TerraformType(ctx), nil)}
	values := map[string]any{"eip_id": eipID, "reallocate_normal_public_ip": false}
	if target.InstanceID != "" {
		values["instance_id"] = target.InstanceID
	} else {
		values["network_interface_id"], values["private_ip"] = target.NetworkInterfaceID, target.PrivateIP
	}
	setAttributes(t, &plan, values)
	if timeout != "" {
		if d := plan.SetAttribute(ctx, path.Root("timeouts").AtName("create"), timeout); d.HasError() {
			t.Fatal(d)
		}
	}
	config := tfsdk.Config{Schema: schema, Raw: plan.Raw}
	setAttributes(t, &plan, map[string]any{"id": types.StringUnknown(), "public_ip": types.StringUnknown(), "allow_reassociation": false})
	resp := fwresource.CreateResponse{State: tfsdk.State{Schema: schema, Raw: tftypes.NewValue(schema.Type().TerraformType(ctx), nil)}}
	r.Create(ctx, fwresource.CreateRequest{Plan: plan, Config: config}, &resp)
	return resp.State, resp.Diagnostics
}

// setAttributes sets top-level attributes of a plan or a state.
func setAttributes(t *testing.T, to interface {
	SetAttribute(context.Context, path.Path, any) diag.Diagnostics
}, values map[string]any) {
	t.Helper()
	for name, v := range values {
		if d := to.SetAttribute(context.Background(), path.Root(name), v); d.HasError() {
			t.Fatalf("setting %s: %v", name, d)
		}
	}
}

// mustCreate is createDirectly for a bind that must succeed.
func mustCreate(t *testing.T, cloud *acctest.Cloud, eipID string, target client.Target) tfsdk.State {
	t.Helper()
	state, diags := createDirectly(t, cloud, eipID, target)
	if diags.HasError() {
		t.Fatalf("binding %s to %+v: %v", eipID, target, diags)
	}
	return state
}

// configuredResource is the resource configured with the target's client,
// and its schema.
func configuredResource(t *testing.T, cloud *acctest.Cloud) (fwresource.Resource, schema.Schema) {
	t.Helper()
	ctx := context.Background()
	r := provider.NewEIPAssociationResource()
	withConfigure, ok := r.(fwresource.ResourceWithConfigure)
	if !ok {
		t.Fatal("the resource does not implement ResourceWithConfigure")
	}
	var configured fwresource.ConfigureResponse
	withConfigure.Configure(ctx, fwresource.ConfigureRequest{ProviderData: cloud.ProviderData(t)}, &configured)
	var schemaResp fwresource.SchemaResponse
	r.Schema(ctx, fwresource.SchemaRequest{}, &schemaResp)
	return r, schemaResp.Schema
}

// deleteDirectly runs the resource's Delete on a state holding id, without
// Terraform (and so without the refresh Terraform would do first).
func deleteDirectly(t *testing.T, cloud *acctest.Cloud, id string, reallocate bool) diag.Diagnostics {
	t.Helper()
	ctx := context.Background()
	r, schema := configuredResource(t, cloud)
	state := tfsdk.State{Schema: schema, Raw: tftypes.NewValue(schema.Type().TerraformType(ctx), nil)}
	parts := strings.Split(id, "::")
	values := map[string]any{"id": id, "eip_id": parts[0], "reallocate_normal_public_ip": reallocate}
	if len(parts) == 2 {
		values["instance_id"] = parts[1]
	} else {
		values["network_interface_id"], values["private_ip"] = parts[1], parts[2]
	}
	setAttributes(t, &state, values)
	var resp fwresource.DeleteResponse
	r.Delete(ctx, fwresource.DeleteRequest{State: state}, &resp)
	return resp.Diagnostics
}

// injectOnce makes the next request of action fail as kind says.
func injectOnce(t *testing.T, cloud *acctest.Cloud, action, kind string) {
	t.Helper()
	cloud.Inject(t, emulator.Fault{Action: action, Kind: kind, Count: 1})
}

// setQuota sets today's count of reallocations (DAILY_PUBLIC_IP_ASSIGN).
func setQuota(t *testing.T, cloud *acctest.Cloud, current int64) {
	t.Helper()
	if err := cloud.Emulator.SetQuota("DAILY_PUBLIC_IP_ASSIGN", current); err != nil {
		t.Fatal(err)
	}
}

// expectError matches a diagnostic however Terraform wrapped its lines: each
// space in pattern matches any run of white space.
func expectError(pattern string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)` + strings.ReplaceAll(pattern, " ", `\s+`))
}
