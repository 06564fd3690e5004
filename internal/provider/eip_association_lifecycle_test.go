package provider_test

// Lifecycle across resources and runs: destroys, replacements, conflicts and
// imports. Each test asserts on the emulator's world and the requests it
// received, not only on Terraform's exit status.

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
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
)

// The emulator's instance holding a normal public IP sits on this interface
// and IP (cmd/qcloud-emulator/README.md); acctest names only the instance.
const (
	wanIPInstanceENI = "eni-demo0007"
	wanIPInstanceIP  = "10.0.0.61"
)

// block is one qcloud_eip_association named name, with the given attribute
// lines, for configurations of several resources.
func block(name string, lines ...string) string {
	return hclBlock(`resource "qcloud_eip_association"`, name, lines...)
}

// hclBlock is a block of kind (`data "qcloud_eip"`, say) named name, with
// the given argument lines.
func hclBlock(kind, name string, lines ...string) string {
	return fmt.Sprintf("\n%s %q {\n  %s\n}\n", kind, name, strings.Join(lines, "\n  "))
}

func byInstance(eip, instance string) []string {
	return []string{attr("eip_id", eip), attr("instance_id", instance)}
}

func byInterface(eip, eni, ip string) []string {
	return []string{attr("eip_id", eip), attr("network_interface_id", eni), attr("private_ip", ip)}
}

func timeoutsLine(op, d string) string {
	return fmt.Sprintf("timeouts = {\n    %s = %q\n  }", op, d)
}

// stateIsEmpty is a state check: no resource is left in the state.
type stateIsEmpty struct{}

func (stateIsEmpty) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if req.State == nil || req.State.Values == nil || req.State.Values.RootModule == nil {
		return
	}
	var left []string
	for _, r := range req.State.Values.RootModule.Resources {
		left = append(left, r.Address)
	}
	if len(left) > 0 {
		resp.Error = fmt.Errorf("the state still holds %s", strings.Join(left, ", "))
	}
}

// noDeposedObject is a plan check: no change is for a deposed object (what a
// failed create_before_destroy would leave behind).
type noDeposedObject struct{}

func (noDeposedObject) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.DeposedKey != "" {
			resp.Error = fmt.Errorf("the plan %v deposed object %s of %s", rc.Change.Actions, rc.DeposedKey, rc.Address)
			return
		}
	}
}

// sitsAt checks, through the API, that the EIP is settled and bound to that
// private IP of that interface.
func sitsAt(cloud *acctest.Cloud, eip, eni, ip string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		a, err := cloud.Address(eip)
		if err != nil {
			return err
		}
		if a == nil || !a.IsSettled() || a.NetworkInterfaceID != eni || a.PrivateIP != ip {
			return fmt.Errorf("EIP %s: got %+v, want it settled on %s %s", eip, a, eni, ip)
		}
		return nil
	}
}

// calls checks how many requests of action the emulator has received.
func calls(cloud *acctest.Cloud, action string, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := cloud.Emulator.Stats().Calls[action]; got != want {
			return fmt.Errorf("%s calls = %d, want %d (%s)", action, got, want, cloud.CallsOf())
		}
		return nil
	}
}

// reallocationsToday is today's DAILY_PUBLIC_IP_ASSIGN count.
func reallocationsToday(t *testing.T, cloud *acctest.Cloud) int64 {
	t.Helper()
	for _, q := range cloud.Emulator.Snapshot().Quotas {
		if q.QuotaID == "DAILY_PUBLIC_IP_ASSIGN" {
			return q.Current
		}
	}
	t.Fatal("the emulator lists no DAILY_PUBLIC_IP_ASSIGN quota")
	return 0
}

// waitUnbound waits for the EIP's operation in flight to leave it unbound.
func waitUnbound(t *testing.T, cloud *acctest.Cloud, eip string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := cloud.Client.WaitAddress(ctx, client.Task{Action: "DisassociateAddress", AddressID: eip},
		func(a *client.Address) bool { return a.Status == client.StatusUnbind }); err != nil {
		t.Fatal(err)
	}
}

// must reports a failed check as a test error, for checks run outside a step.
func must(t *testing.T, checks ...resource.TestCheckFunc) {
	t.Helper()
	for _, check := range checks {
		if err := check(nil); err != nil {
			t.Error(err)
		}
	}
}

// A terraform destroy works whatever the configuration's other resources
// would meet if created, and whatever happened to the applied binding: the
// pre-destroy refresh plans every configured resource in normal mode, so
// what it finds there must be a warning, never an error.
func TestAccEIPAssociationLifecycle_destroyAlwaysWorks(t *testing.T) {
	acctest.EmulatorOnly(t, "uses the emulator's fixtures and changes the world out of band")
	acctest.Parallel(t)
	tests := []struct {
		name string
		// added is an association added for the destroy, never created.
		added []string
		// meanwhile changes the applied binding out of band before the destroy.
		meanwhile func(t *testing.T, cloud *acctest.Cloud)
		// unbinds: how many unbinds the destroy makes (of the applied binding).
		unbinds int
		check   func(cloud *acctest.Cloud) resource.TestCheckFunc
	}{
		{
			name:    "a blocked EIP not yet bound",
			added:   byInstance(acctest.EmulatorBlockedEIP, acctest.EmulatorTwoENIInstance),
			unbinds: 1,
			check: func(cloud *acctest.Cloud) resource.TestCheckFunc {
				return cloud.CheckUnbound(cloud.EIPID, acctest.EmulatorBlockedEIP)
			},
		},
		{
			name:    "an EIP in arrears not yet bound",
			added:   byInstance(acctest.EmulatorArrearsEIP, acctest.EmulatorTwoENIInstance),
			unbinds: 1,
			check: func(cloud *acctest.Cloud) resource.TestCheckFunc {
				return cloud.CheckUnbound(cloud.EIPID, acctest.EmulatorArrearsEIP)
			},
		},
		{
			name: "the EIP deleted out of band",
			meanwhile: func(t *testing.T, cloud *acctest.Cloud) {
				cloud.Patch(t, cloud.EIPID, emulator.AddressPatch{Delete: true})
			},
			check: func(cloud *acctest.Cloud) resource.TestCheckFunc {
				return func(*terraform.State) error {
					if a, err := cloud.Address(cloud.EIPID); err != nil || a != nil {
						return fmt.Errorf("EIP %s: %+v, %v; want it still deleted", cloud.EIPID, a, err)
					}
					return nil
				}
			},
		},
		{
			name:      "the EIP bound elsewhere out of band",
			meanwhile: func(t *testing.T, cloud *acctest.Cloud) { cloud.MoveOutOfBand(t, cloud.EIPID, elsewhere) },
			// That binding is not this configuration's: it is left alone.
			check: func(cloud *acctest.Cloud) resource.TestCheckFunc { return cloud.CheckBound(cloud.EIPID, elsewhere) },
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cloud := newParallelCloud(t)
			applied := byInstance(cloud.EIPID, cloud.InstanceID)
			meanwhile := func() {
				if tt.meanwhile != nil {
					tt.meanwhile(t, cloud)
				}
			}
			cfg := cloud.ProviderConfig + block("applied", applied...)
			bound := cloud.CheckBound(cloud.EIPID, client.Target{InstanceID: cloud.InstanceID})
			switch i {
			case 0, 2: // through Terraform: a resource added, and the applied one changed
				added := cfg
				if tt.added != nil {
					added += block("added", tt.added...)
				}
				testSteps(t,
					resource.TestStep{Config: cfg, Check: bound},
					resource.TestStep{PreConfig: meanwhile, Config: added, Destroy: true, ConfigStateChecks: []statecheck.StateCheck{stateIsEmpty{}}},
				)
			default:
				state, private := lifecycleCreate(t, cloud, applied...)
				must(t, bound)
				meanwhile()
				lifecycleDestroy(t, cloud, state, private, applied, tt.added)
			}
			must(t, tt.check(cloud), calls(cloud, "AssociateAddress", 1), calls(cloud, "DisassociateAddress", tt.unbinds))
		})
	}
}

// A destroy that reallocates and times out, its unbind still running, is run
// again once the unbind has finished: the second destroy finds nothing left
// to do, and neither the normal public IP the first one gave the instance nor
// the quota it spent stops it.
func TestAccEIPAssociationLifecycle_destroyAgainAfterTimedOutReallocatingDestroy(t *testing.T) {
	cloud := newParallelEmulator(t, "injects faults")
	before := reallocationsToday(t, cloud)
	cfg := instanceConfig(cloud, attr("reallocate_normal_public_ip", true), timeoutsLine("delete", "2s"))
	testSteps(t,
		resource.TestStep{Config: cfg},
		resource.TestStep{
			PreConfig:   func() { injectOnce(t, cloud, "DisassociateAddress", emulator.FaultTaskHang) },
			Config:      cfg,
			Destroy:     true,
			ExpectError: expectError(`Timed out.*was accepted but did not finish within timeouts.delete \(2s\)`),
		},
		resource.TestStep{
			// The unbind completes: the refresh drops the binding, and the
			// normal-mode plan of the pre-destroy refresh finds the instance
			// holding the normal public IP that the unbind gave it.
			PreConfig: func() {
				cloud.Emulator.ClearFaults()
				waitUnbound(t, cloud, cloud.EIPID)
			},
			Config:            cfg,
			Destroy:           true,
			ConfigStateChecks: []statecheck.StateCheck{stateIsEmpty{}},
		},
	)
	must(t, cloud.CheckUnbound(cloud.EIPID), checkNormalPublicIP(cloud, cloud.InstanceID, true),
		calls(cloud, "DisassociateAddress", 1))
	if got := reallocationsToday(t, cloud); got != before+1 {
		t.Errorf("reallocations today = %d, want %d: one unbind, counted once", got, before+1)
	}
}

// replacementConfig is one association replaced whenever trigger changes
// (replace_triggered_by on a terraform_data, which is built into Terraform).
func replacementConfig(cloud *acctest.Cloud, trigger string, createBeforeDestroy bool, lines ...string) string {
	return cloud.ProviderConfig + fmt.Sprintf(`
resource "terraform_data" "trigger" {
  input = %q
}

resource "qcloud_eip_association" "test" {
  %s
  lifecycle {
    create_before_destroy = %v
    replace_triggered_by  = [terraform_data.trigger]
  }
}
`, trigger, strings.Join(lines, "\n  "), createBeforeDestroy)
}

// create_before_destroy replacing a binding by itself: the create finds the
// binding in place and takes it over, and the destroy of the old object
// leaves it to the create.
func TestAccEIPAssociationLifecycle_createBeforeDestroyOfTheSameBinding(t *testing.T) {
	cloud := newParallelEmulator(t, "counts the emulator's calls")
	cfg := func(trigger string) string {
		return replacementConfig(cloud, trigger, true, byInstance(cloud.EIPID, cloud.InstanceID)...)
	}
	testUnbound(t, cloud,
		resource.TestStep{Config: cfg("1")},
		resource.TestStep{
			Config:           cfg("2"),
			ConfigPlanChecks: settlesAs(plancheck.ResourceActionReplace),
			ConfigStateChecks: []statecheck.StateCheck{
				stateID(cloud.EIPID + "::" + cloud.InstanceID),
				stateAttr("public_ip", knownvalue.StringRegexp(ipv4Pattern)),
			},
			Check: resource.ComposeTestCheckFunc(
				sitsAt(cloud, cloud.EIPID, acctest.EmulatorInstanceENI, acctest.EmulatorInstanceENIIP),
				// The create's refused bind found the binding; nothing unbound it.
				calls(cloud, "AssociateAddress", 2),
				calls(cloud, "DisassociateAddress", 0),
			),
		},
	)
}

// create_before_destroy with a new EIP for the same instance: the create
// runs while the old EIP still sits there, and nothing in the apply unbinds
// it first, so the apply fails before binding, saying what to do, and keeps
// the old binding as it was (not deposed). allow_reassociation lets the
// create take the target.
func TestAccEIPAssociationLifecycle_createBeforeDestroyOfANewEIP(t *testing.T) {
	cloud := newParallelEmulator(t, "binds the emulator's spare EIP")
	cfg := func(eip string, reassociate bool) string {
		return replacementConfig(cloud, "1", true, attr("eip_id", eip), attr("instance_id", cloud.InstanceID),
			attr("allow_reassociation", reassociate))
	}
	replaceAgain := append(plansTo(plancheck.ResourceActionReplace), noDeposedObject{})
	testCheckDestroy(t, cloud.CheckUnbound(cloud.EIPID, acctest.EmulatorSpareEIP),
		resource.TestStep{Config: cfg(cloud.EIPID, false)},
		resource.TestStep{
			Config: cfg(acctest.EmulatorSpareEIP, false),
			ExpectError: expectError(`Target already holds an EIP.*The EIP ` + cloud.EIPID + ` .*sits on the primary private IP of instance ` +
				cloud.InstanceID + `.*create_before_destroy.*allow_reassociation`),
		},
		resource.TestStep{
			PreConfig: func() {
				must(t, cloud.CheckBound(cloud.EIPID, client.Target{InstanceID: cloud.InstanceID}), cloud.CheckUnbound(acctest.EmulatorSpareEIP),
					calls(cloud, "DisassociateAddress", 0))
			},
			Config:             cfg(acctest.EmulatorSpareEIP, false),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPreRefresh:  replaceAgain,
				PostApplyPostRefresh: replaceAgain,
			},
		},
		resource.TestStep{
			Config:            cfg(acctest.EmulatorSpareEIP, true),
			ConfigPlanChecks:  appliedAs(plancheck.ResourceActionReplace),
			ConfigStateChecks: []statecheck.StateCheck{stateID(acctest.EmulatorSpareEIP + "::" + cloud.InstanceID)},
			Check: resource.ComposeTestCheckFunc(
				cloud.CheckBound(acctest.EmulatorSpareEIP, client.Target{InstanceID: cloud.InstanceID}),
				cloud.CheckUnbound(cloud.EIPID),
				// The create unbound the old EIP (without reallocating); the
				// destroy of the old object found nothing left to do.
				calls(cloud, "DisassociateAddress", 1),
				checkDisassociateSent(cloud, false),
			),
		},
	)
}

// A replacement onto the same private IP with reallocate_normal_public_ip =
// true unbinds without reallocating, in either order: the EIP ends bound
// again, the instance holds no normal public IP, and no quota is spent.
func TestAccEIPAssociationLifecycle_forcedReplacementDoesNotReallocate(t *testing.T) {
	acctest.EmulatorOnly(t, "reads the emulator's quota")
	acctest.Parallel(t)
	for _, createBeforeDestroy := range []bool{false, true} {
		t.Run(fmt.Sprintf("create_before_destroy=%v", createBeforeDestroy), func(t *testing.T) {
			cloud := newParallelCloud(t)
			lines := append(byInstance(cloud.EIPID, cloud.InstanceID), attr("reallocate_normal_public_ip", true))
			before := reallocationsToday(t, cloud)
			settled := resource.ComposeTestCheckFunc(
				sitsAt(cloud, cloud.EIPID, acctest.EmulatorInstanceENI, acctest.EmulatorInstanceENIIP),
				checkNormalPublicIP(cloud, cloud.InstanceID, false),
				func(*terraform.State) error {
					if got := reallocationsToday(t, cloud); got != before {
						return fmt.Errorf("reallocations today = %d, want %d", got, before)
					}
					if reqs := cloud.Emulator.Requests("DisassociateAddress"); len(reqs) > 0 {
						return checkDisassociateSent(cloud, false)(nil)
					}
					return nil
				},
			)
			if !createBeforeDestroy {
				// Replaced by replace_triggered_by, with the same configuration:
				// Terraform destroys first. (Through Terraform, create_before_destroy.)
				state, private := lifecycleCreate(t, cloud, lines...)
				_, _, created := lifecycleReplace(t, cloud, state, private, "", lines...)
				if created == nil {
					t.FailNow()
				}
				lifecycleUnchanged(t, cloud, created.NewState, created.Private, lines...)
				id, want := newProtocolWalk(t, cloud).attributes(created.NewState)["id"], tftypes.NewValue(tftypes.String, cloud.EIPID+"::"+cloud.InstanceID)
				if !id.Equal(want) {
					t.Errorf("id = %v, want %v", id, want)
				}
				must(t, settled)
				return
			}
			cfg := func(trigger string) string { return replacementConfig(cloud, trigger, createBeforeDestroy, lines...) }
			testSteps(t,
				resource.TestStep{Config: cfg("1")},
				resource.TestStep{
					Config:            cfg("2"),
					ConfigPlanChecks:  appliedAs(plancheck.ResourceActionReplace),
					ConfigStateChecks: []statecheck.StateCheck{stateID(cloud.EIPID + "::" + cloud.InstanceID)},
					Check:             settled,
				},
			)
		})
	}
}

// The destroy half of a replacement whose create half cannot bind refuses
// before unbinding: the old binding stays, recorded as it was.
func TestAccEIPAssociationLifecycle_replacementRefusedBeforeUnbinding(t *testing.T) {
	acctest.EmulatorOnly(t, "needs the emulator's failed and stopped instances")
	acctest.Parallel(t)
	instance := client.Target{InstanceID: acctest.EmulatorInstance}
	dangling := client.Target{NetworkInterfaceID: acctest.EmulatorDanglingENI, PrivateIP: acctest.EmulatorDanglingENIIP}
	tests := []struct {
		name string
		from client.Target
		to   []string
		want string
	}{
		{"instance failed to launch", instance, byInstance(acctest.EmulatorFreeEIP, acctest.EmulatorFailedInstance), `failed to launch`},
		{"instance stopped in no-charge mode", instance, byInstance(acctest.EmulatorFreeEIP, acctest.EmulatorNoChargeInstance),
			`instance ` + acctest.EmulatorNoChargeInstance},
		{"unknown instance", instance, byInstance(acctest.EmulatorFreeEIP, "ins-nope0000"), `no instance ins-nope0000 exists`},
		{"unknown network interface", dangling, byInterface(acctest.EmulatorFreeEIP, "eni-nope0000", acctest.EmulatorDanglingENIIP),
			`no network interface eni-nope0000 exists`},
		{"private IP not on the interface", dangling, byInterface(acctest.EmulatorFreeEIP, acctest.EmulatorDanglingENI, "10.0.1.99"),
			`10\.0\.1\.99 is not a private IP of ` + acctest.EmulatorDanglingENI},
		{"instance holding a normal public IP", instance, byInstance(acctest.EmulatorFreeEIP, acctest.EmulatorWanIPInstance),
			`normal public IP 198\.51\.100\.61 sits on.*instance ` + acctest.EmulatorWanIPInstance},
		{"instance holding a blocked EIP", instance, byInstance(acctest.EmulatorFreeEIP, "ins-demo0003"),
			`blocked EIP eip-demo0004 sits on.*instance ins-demo0003`},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cloud := newParallelCloud(t)
			from := byInstance(cloud.EIPID, tt.from.InstanceID)
			if tt.from.InstanceID == "" {
				from = byInterface(cloud.EIPID, tt.from.NetworkInterfaceID, tt.from.PrivateIP)
			}
			want := `Replacement refused before unbinding.*` + tt.want + `.*the apply unbinds nothing`
			unchanged := func() {
				must(t, cloud.CheckBound(cloud.EIPID, tt.from), calls(cloud, "DisassociateAddress", 0), calls(cloud, "AssociateAddress", 1))
			}
			if i > 0 { // the first case shows the wiring through Terraform; the others replay its calls
				state, private := lifecycleCreate(t, cloud, from...)
				first, destroyed, _ := lifecycleReplace(t, cloud, state, private, want, tt.to...)
				// The state still records the old binding, unchanged, and a destroy unbinds it.
				if kept := bytes.Equal(destroyed.NewState.MsgPack, state.MsgPack); len(first.RequiresReplace) == 0 || !kept {
					t.Errorf("replacing for %v; the old state kept: %v", first.RequiresReplace, kept)
				}
				lifecycleUnchanged(t, cloud, destroyed.NewState, destroyed.Private, from...)
				unchanged()
				lifecycleDestroy(t, cloud, destroyed.NewState, destroyed.Private, from, nil)
				must(t, cloud.CheckUnbound(cloud.EIPID))
				return
			}
			testUnbound(t, cloud,
				resource.TestStep{Config: config(cloud, from...)},
				resource.TestStep{Config: config(cloud, tt.to...), ExpectError: expectError(want)},
				resource.TestStep{
					// The state still records the old binding, unchanged.
					PreConfig:        unchanged,
					Config:           config(cloud, from...),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: emptyPlan},
				},
			)
		})
	}
}

// Naming the instance whose primary interface's SECONDARY IP holds the EIP
// is another binding (an instance binding is on the primary IP): a
// replacement, which moves the EIP to the primary IP.
func TestAccEIPAssociationLifecycle_secondaryIPToInstanceIsAReplacement(t *testing.T) {
	cloud := newParallelEmulator(t, "needs an ENI with a secondary private IP on an instance")
	testUnbound(t, cloud,
		resource.TestStep{
			Config: config(cloud, byInterface(cloud.EIPID, acctest.EmulatorInstanceENI, acctest.EmulatorSecondaryIP)...),
			Check:  sitsAt(cloud, cloud.EIPID, acctest.EmulatorInstanceENI, acctest.EmulatorSecondaryIP),
		},
		resource.TestStep{
			Config:           config(cloud, byInstance(cloud.EIPID, acctest.EmulatorInstance)...),
			ConfigPlanChecks: settlesAs(plancheck.ResourceActionReplace),
			ConfigStateChecks: []statecheck.StateCheck{
				stateID(cloud.EIPID + "::" + acctest.EmulatorInstance),
				stateAttr("network_interface_id", knownvalue.Null()),
				stateAttr("private_ip", knownvalue.Null()),
			},
			Check: sitsAt(cloud, cloud.EIPID, acctest.EmulatorInstanceENI, acctest.EmulatorInstanceENIIP),
		},
	)
}

// An instance binding moved out of band to a secondary IP of the same
// instance is drift: the refresh drops it, and binding it again is not a
// takeover of the secondary IP's binding: the apply refuses, and records
// nothing.
func TestAccEIPAssociationLifecycle_movedToSecondaryIPIsNotTakenOver(t *testing.T) {
	cloud := newParallelEmulator(t, "moves the binding out of band")
	cfg := instanceConfig(cloud)
	testSteps(t,
		resource.TestStep{Config: cfg},
		resource.TestStep{
			PreConfig:   func() { cloud.MoveOutOfBand(t, cloud.EIPID, secondaryIP) },
			Config:      cfg,
			ExpectError: expectError(`EIP is bound elsewhere.*` + regexp.QuoteMeta(acctest.EmulatorSecondaryIP) + `.*until nothing else in the apply was in progress`),
		},
		resource.TestStep{
			// Without refreshing, the plan still creates it: the failed
			// apply recorded no binding.
			PreConfig:          func() { must(t, sitsAt(cloud, cloud.EIPID, secondaryIP.NetworkInterfaceID, secondaryIP.PrivateIP)) },
			Config:             cfg,
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks:   resource.ConfigPlanChecks{PostApplyPreRefresh: plansTo(plancheck.ResourceActionCreate)},
		},
	)
	must(t, sitsAt(cloud, cloud.EIPID, secondaryIP.NetworkInterfaceID, secondaryIP.PrivateIP), calls(cloud, "DisassociateAddress", 0))
}

// Two EIPs on one instance, one on its primary IP and one on a secondary IP,
// imported by their bare ids: one is an instance binding, the other an
// interface binding, with an import block or terraform import.
func TestAccEIPAssociationLifecycle_importTwoEIPsOfOneInstance(t *testing.T) {
	cloud := newParallelEmulator(t, "binds out of band")
	primary, secondary := cloud.EIPID, acctest.EmulatorSpareEIP
	cloud.BindOutOfBand(t, primary, client.Target{InstanceID: cloud.InstanceID})
	cloud.BindOutOfBand(t, secondary, secondaryIP)
	resources := cloud.ProviderConfig + block("primary", byInstance(primary, cloud.InstanceID)...) +
		block("secondary", byInterface(secondary, acctest.EmulatorInstanceENI, acctest.EmulatorSecondaryIP)...)
	primaryID := primary + "::" + cloud.InstanceID
	secondaryID := secondary + "::" + acctest.EmulatorInstanceENI + "::" + acctest.EmulatorSecondaryIP
	importStep := func(name, id string) resource.TestStep {
		return resource.TestStep{
			Config: resources, ResourceName: "qcloud_eip_association." + name, ImportState: true, ImportStateId: id,
			ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"},
		}
	}
	testCheckDestroy(t, cloud.CheckUnbound(primary, secondary),
		resource.TestStep{
			Config: resources + fmt.Sprintf("\nimport {\n  to = qcloud_eip_association.primary\n  id = %q\n}\n", primary) +
				fmt.Sprintf("\nimport {\n  to = qcloud_eip_association.secondary\n  id = %q\n}\n", secondary),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("qcloud_eip_association.primary", plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction("qcloud_eip_association.secondary", plancheck.ResourceActionNoop),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("qcloud_eip_association.primary", tfjsonpath.New("id"), knownvalue.StringExact(primaryID)),
				statecheck.ExpectKnownValue("qcloud_eip_association.primary", tfjsonpath.New("network_interface_id"), knownvalue.Null()),
				statecheck.ExpectKnownValue("qcloud_eip_association.secondary", tfjsonpath.New("id"), knownvalue.StringExact(secondaryID)),
				statecheck.ExpectKnownValue("qcloud_eip_association.secondary", tfjsonpath.New("instance_id"), knownvalue.Null()),
			},
		},
		// terraform import of the bare ids gives the same state.
		importStep("primary", primary),
		importStep("secondary", secondary),
		resource.TestStep{
			Config: resources, ResourceName: "qcloud_eip_association.secondary", ImportState: true,
			ImportStateKind: resource.ImportBlockWithID, ImportStateId: secondary,
		},
	)
	must(t, calls(cloud, "AssociateAddress", 2))
}

// Two resources of one configuration that would bind the same EIP or the
// same private IP (in either form) are refused at plan, before any write,
// naming the other binding.
func TestAccEIPAssociationLifecycle_conflictsRefusedAtPlan(t *testing.T) {
	acctest.EmulatorOnly(t, "counts the emulator's calls")
	acctest.Parallel(t)
	one := byInstance(acctest.EmulatorFreeEIP, acctest.EmulatorInstance)
	oneID := regexp.QuoteMeta(acctest.EmulatorFreeEIP + "::" + acctest.EmulatorInstance)
	tests := []struct {
		name string
		two  []string
		want string
	}{
		{
			"two EIPs for one instance",
			byInstance(acctest.EmulatorSpareEIP, acctest.EmulatorInstance),
			`Target bound by two resources.*Another qcloud_eip_association of this configuration binds eip-demo000[16] to the primary ` +
				`private IP of instance ` + acctest.EmulatorInstance + ` \(id (` + oneID + `|eip-demo0006::ins-demo0001)\)`,
		},
		{
			"an instance and its primary interface's primary IP",
			byInterface(acctest.EmulatorSpareEIP, acctest.EmulatorInstanceENI, acctest.EmulatorInstanceENIIP),
			`Target bound by two resources.*Another qcloud_eip_association of this configuration binds eip-demo000[16] .*\(id (` +
				oneID + `|` + regexp.QuoteMeta(acctest.EmulatorSpareEIP+"::"+acctest.EmulatorInstanceENI+"::"+acctest.EmulatorInstanceENIIP) + `)\)`,
		},
		{
			"one EIP for two targets",
			byInterface(acctest.EmulatorFreeEIP, acctest.EmulatorDanglingENI, acctest.EmulatorDanglingENIIP),
			`EIP bound by two resources.*binds ` + acctest.EmulatorFreeEIP + ` too \(id (` + oneID + `|` +
				regexp.QuoteMeta(acctest.EmulatorFreeEIP+"::"+acctest.EmulatorDanglingENI+"::"+acctest.EmulatorDanglingENIIP) + `)\)`,
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cloud := newParallelCloud(t)
			if i == 0 { // through Terraform, which plans them in no set order
				testPlanFails(t, cloud.ProviderConfig+block("one", one...)+block("two", tt.two...), tt.want)
			}
			// One plan's walk, in either order: the one planned second is refused.
			for _, order := range [][][]string{{one, tt.two}, {tt.two, one}} {
				w := newProtocolWalk(t, cloud)
				first, _ := w.plan(w.none, nil, order[0]...)
				second, _ := w.plan(w.none, nil, order[1]...)
				checkErrors(t, "the plan planned first", first.Diagnostics, "")
				checkErrors(t, "the plan planned second", second.Diagnostics, tt.want)
			}
			must(t, writes(cloud, 0)) // the refused plans wrote nothing
		})
	}
}

// importDirectly runs the resource's ImportState for id with ctx, without
// Terraform.
func importDirectly(ctx context.Context, t *testing.T, cloud *acctest.Cloud, id string) (tfsdk.State, []string) {
	t.Helper()
	r, schema := configuredResource(t, cloud)
	importer, ok := r.(fwresource.ResourceWithImportState)
	if !ok {
		t.Fatal("the resource does not implement ResourceWithImportState")
	}
	resp := fwresource.ImportStateResponse{State: tfsdk.State{Schema: schema, Raw: tftypes.NewValue(schema.Type().TerraformType(ctx), nil)}}
	importer.ImportState(ctx, fwresource.ImportStateRequest{ID: id}, &resp)
	var errs []string
	for _, d := range resp.Diagnostics.Errors() {
		errs = append(errs, d.Summary()+": "+d.Detail())
	}
	return resp.State, errs
}

// unbindOutOfBand binds the EIP to the instance and starts an unbind whose
// task hangs (for delay, or until the faults are cleared): the EIP is
// UNBINDING.
func unbindOutOfBand(t *testing.T, cloud *acctest.Cloud, delay time.Duration) {
	t.Helper()
	cloud.BindOutOfBand(t, cloud.EIPID, client.Target{InstanceID: cloud.InstanceID})
	cloud.Inject(t, emulator.Fault{Action: "DisassociateAddress", Kind: emulator.FaultTaskHang, Count: 1, Delay: emulator.Duration(delay)})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := cloud.Client.Disassociate(ctx, cloud.EIPID, client.UnbindOptions{}); err != nil {
		t.Fatal(err)
	}
	if a, err := cloud.Address(cloud.EIPID); err != nil || a == nil || a.Status != client.StatusUnbinding {
		t.Fatalf("EIP %s: %+v, %v; want it UNBINDING", cloud.EIPID, a, err)
	}
}

// Importing an EIP being unbound waits for it to settle; when the wait ends
// first, the error says what it saw, and nothing is imported.
func TestEIPAssociationLifecycle_importOfAnUnbindingEIP(t *testing.T) {
	acctest.EmulatorOnly(t, "injects faults")
	acctest.Parallel(t)

	t.Run("the wait ends first", func(t *testing.T) {
		cloud := newParallelCloud(t)
		unbindOutOfBand(t, cloud, 0)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		state, errs := importDirectly(ctx, t, cloud, cloud.EIPID)
		if len(errs) != 1 || !strings.Contains(errs[0], cloud.EIPID) || !strings.Contains(errs[0], client.StatusUnbinding) {
			t.Errorf("import errors = %q, want one naming %s and its status %s", errs, cloud.EIPID, client.StatusUnbinding)
		}
		if !state.Raw.IsNull() {
			t.Errorf("the import recorded %v", state.Raw)
		}
		must(t, calls(cloud, "DisassociateAddress", 1))
	})

	t.Run("it settles", func(t *testing.T) {
		cloud := newParallelCloud(t)
		// The unbind finishes on its own a little later: the import sees it
		// UNBINDING first, then waits, and finds it unbound.
		unbindOutOfBand(t, cloud, 3*time.Second)
		testImportFails(t, instanceConfig(cloud), cloud.EIPID,
			`Cannot import this EIP's binding.*The EIP `+cloud.EIPID+` is UNBIND: there is no association to import`)
		must(t, cloud.CheckUnbound(cloud.EIPID))
	})
}

// A state of schema version 0, which recorded both forms, is upgraded to the
// one form configured: instance_id alone for an instance binding,
// network_interface_id and private_ip alone for an interface binding.
func TestEIPAssociationLifecycle_v0StateKeepsOneForm(t *testing.T) {
	cloud := newParallelEmulator(t, "configures the provider for the emulator")
	srv, resourceType := configuredServer(t, cloud)
	tests := []struct {
		v0   string
		want map[string]string // "" for null
	}{
		{
			v0: `{"id":"eip-demo0001::ins-demo0001","eip_id":"eip-demo0001","instance_id":"ins-demo0001",` +
				`"network_interface_id":"eni-demo0001","private_ip":"10.0.0.11","reallocate_normal_public_ip":true,"public_ip":"203.0.113.1"}`,
			want: map[string]string{"id": "eip-demo0001::ins-demo0001", "instance_id": "ins-demo0001", "network_interface_id": "",
				"private_ip": "", "public_ip": "203.0.113.1"},
		},
		{
			v0: `{"id":"eip-demo0001::eni-demo0001::10.0.0.12","eip_id":"eip-demo0001","instance_id":"ins-demo0001",` +
				`"network_interface_id":"eni-demo0001","private_ip":"10.0.0.12","reallocate_normal_public_ip":false,"public_ip":"203.0.113.1"}`,
			want: map[string]string{"id": "eip-demo0001::eni-demo0001::10.0.0.12", "instance_id": "", "network_interface_id": "eni-demo0001",
				"private_ip": "10.0.0.12", "public_ip": "203.0.113.1"},
		},
	}
	for _, tt := range tests {
		resp, err := srv.UpgradeResourceState(context.Background(), &tfprotov6.UpgradeResourceStateRequest{
			TypeName: "qcloud_eip_association", Version: 0, RawState: &tfprotov6.RawState{JSON: []byte(tt.v0)},
		})
		if err != nil || len(resp.Diagnostics) != 0 {
			t.Fatalf("upgrading %s: %v %s", tt.v0, err, describeDiagnostics(resp.Diagnostics))
		}
		upgraded, err := resp.UpgradedState.Unmarshal(resourceType)
		if err != nil {
			t.Fatal(err)
		}
		var attrs map[string]tftypes.Value
		if err := upgraded.As(&attrs); err != nil {
			t.Fatal(err)
		}
		for name, want := range tt.want {
			var got *string
			if err := attrs[name].As(&got); err != nil {
				t.Fatal(err)
			}
			if (got == nil) != (want == "") || (got != nil && *got != want) {
				t.Errorf("upgrading %s: %s = %v, want %q", tt.v0, name, attrs[name], want)
			}
		}
	}
}

// lifecycleCreate is terraform apply creating the association configured by
// lines, and the plan after it; it returns the state and private state
// recorded.
func lifecycleCreate(t *testing.T, cloud *acctest.Cloud, lines ...string) (*tfprotov6.DynamicValue, []byte) {
	t.Helper()
	created, diags := newProtocolWalk(t, cloud).create(lines...)
	if checkErrors(t, "create", diags, ""); created == nil {
		t.FailNow()
	}
	lifecycleUnchanged(t, cloud, created.NewState, created.Private, lines...)
	return created.NewState, created.Private
}

// lifecycleUnchanged is terraform plan of the association configured by
// lines and recorded as state: the refresh and the plan keep the state.
func lifecycleUnchanged(t *testing.T, cloud *acctest.Cloud, state *tfprotov6.DynamicValue, private []byte, lines ...string) {
	t.Helper()
	read := readOverProtocol(t, cloud, state, private)
	planned, _ := newProtocolWalk(t, cloud).plan(read.NewState, read.Private, lines...)
	checkErrors(t, "refresh and plan", slices.Concat(read.Diagnostics, planned.Diagnostics), "")
	if !bytes.Equal(read.NewState.MsgPack, state.MsgPack) || !bytes.Equal(planned.PlannedState.MsgPack, state.MsgPack) {
		t.Errorf("the plan after the apply is not empty: %s", describeDiagnostics(planned.Diagnostics))
	}
}

// lifecycleReplace is terraform apply replacing the association recorded as
// state by the one configured by lines, destroying first, whether the
// provider or replace_triggered_by asks for it. The plan's walk refreshes,
// plans the change, then the create half given that plan's private state;
// the apply's destroys given the create half's, failing as refused says
// ("" for not at all), then, if it did not, plans the create half again
// (with no private state: the object is gone) and applies it.
func lifecycleReplace(t *testing.T, cloud *acctest.Cloud, state *tfprotov6.DynamicValue, private []byte, refused string,
	lines ...string) (first *tfprotov6.PlanResourceChangeResponse, destroyed, created *tfprotov6.ApplyResourceChangeResponse) {
	t.Helper()
	w := newProtocolWalk(t, cloud)
	read := readOverProtocol(t, cloud, state, private)
	first, _ = w.plan(read.NewState, read.Private, lines...)
	second, _ := w.plan(w.none, first.PlannedPrivate, lines...)
	checkErrors(t, "refresh and plan", slices.Concat(read.Diagnostics, first.Diagnostics, second.Diagnostics), "")
	w = newProtocolWalk(t, cloud)
	destroyed = w.apply(read.NewState, w.none, second.PlannedPrivate, w.none)
	if checkErrors(t, "the destroy half", destroyed.Diagnostics, refused); refused != "" || t.Failed() {
		return first, destroyed, nil
	}
	again, config := w.plan(w.none, nil, lines...)
	created = w.apply(w.none, again.PlannedState, again.PlannedPrivate, config)
	checkErrors(t, "the create half", slices.Concat(again.Diagnostics, created.Diagnostics), "")
	return first, destroyed, created
}

// lifecycleDestroy is terraform destroy of the association configured by
// applied and recorded as state, in a configuration that adds one configured
// by added unless it is nil: the pre-destroy refresh plans each configured
// resource in normal mode, then the destroy is planned and applied unless
// the refresh dropped the association. Nothing may fail or be left.
func lifecycleDestroy(t *testing.T, cloud *acctest.Cloud, state *tfprotov6.DynamicValue, private []byte, applied, added []string) {
	t.Helper()
	w := newProtocolWalk(t, cloud)
	read := readOverProtocol(t, cloud, state, private)
	planned, _ := w.plan(read.NewState, read.Private, applied...)
	diags := slices.Concat(read.Diagnostics, planned.Diagnostics)
	if added != nil {
		planned, _ = w.plan(w.none, nil, added...)
		diags = append(diags, planned.Diagnostics...)
	}
	checkErrors(t, "the pre-destroy refresh", diags, "")
	if len(w.attributes(read.NewState)) > 0 {
		d := destroyOverProtocol(t, cloud, read.NewState, read.Private)
		checkErrors(t, "the destroy", slices.Concat(d.planned.Diagnostics, d.applied.Diagnostics), "")
		if len(w.attributes(d.applied.NewState)) > 0 {
			t.Error("the destroy left the association in the state")
		}
	}
}
