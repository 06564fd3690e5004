package provider_test

// Messages: each test pins the words of a diagnostic that once said
// something untrue or unhelpful.

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/acctest"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// A create whose time runs out before the API accepted anything says that
// nothing was bound, and records nothing (no tainted object to untaint: the
// next plan is a create).
func TestAccEIPAssociationMessages_createTimedOutBeforeAnythingWasAccepted(t *testing.T) {
	cloud := newParallelEmulator(t, "counts the emulator's calls")
	state, diags := createDirectlyWithin(t, cloud, cloud.EIPID, client.Target{InstanceID: cloud.InstanceID}, "1ns")
	want := expectError(`Timed out.*The bind of EIP ` + cloud.EIPID + ` did not start within timeouts.create \(1ns\): nothing was bound and nothing was recorded`)
	if len(diags) != 1 || !diags.HasError() || !want.MatchString(diags[0].Summary()+"\n"+diags[0].Detail()) || !state.Raw.IsNull() {
		t.Errorf("timed-out create: state %v, %v; want one error matching %s, and nothing recorded", state.Raw, diags, want)
	}
	must(t, cloud.CheckUnbound(cloud.EIPID))
}

// duringApply is a plan check that changes the world between a step's plan
// and its apply: what someone does while a saved plan waits to be applied.
type duringApply func()

func (f duringApply) CheckPlan(context.Context, plancheck.CheckPlanRequest, *plancheck.CheckPlanResponse) {
	f()
}

// A saved plan that updates a binding in place, applied after the binding
// was changed out of band: the error says the state still records it, and it
// does.
func TestAccEIPAssociationMessages_savedUpdateAfterOutOfBandChange(t *testing.T) {
	cloud := newParallelEmulator(t, "changes the binding out of band")
	id := cloud.EIPID + "::" + cloud.InstanceID
	cfg := func(reallocate bool) string {
		return instanceConfig(cloud, attr("reallocate_normal_public_ip", reallocate))
	}
	update := plansTo(plancheck.ResourceActionUpdate)
	testSteps(t,
		resource.TestStep{Config: cfg(false)},
		resource.TestStep{
			Config: cfg(true),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: append(update, duringApply(func() {
				cloud.Patch(t, cloud.EIPID, emulator.AddressPatch{Unbind: true})
			}))},
			ExpectError: expectError(`EIP association changed since the plan.*unbound outside Terraform.*this change was not applied and the state still records ` +
				regexp.QuoteMeta(id) + `.*Run terraform plan again`),
		},
		resource.TestStep{
			// Without refreshing: still recorded, with the flag as it was.
			Config:             cfg(true),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks:   resource.ConfigPlanChecks{PostApplyPreRefresh: update},
		},
	)
	must(t, cloud.CheckUnbound(cloud.EIPID), calls(cloud, "DisassociateAddress", 0))
}

// With site = "international" against an API that refuses a bind over a
// normal public IP, the refusal of an interface-form bind names that
// interface and IP: there is no instance in the configuration to name.
func TestAccEIPAssociationMessages_normalPublicIPOnAnInterfaceTarget(t *testing.T) {
	cloud := newParallelEmulator(t, "uses the emulator's instance with a normal public IP")
	testApplyFails(t, providerWith(cloud, `site = "international"`)+block("test", byInterface(cloud.EIPID, wanIPInstanceENI, wanIPInstanceIP)...),
		`Target holds a normal public IP.*A normal public IP sits on network interface `+wanIPInstanceENI+
			` private IP `+regexp.QuoteMeta(wanIPInstanceIP)+`, and on this site`)
	must(t, cloud.CheckUnbound(cloud.EIPID), checkNormalPublicIP(cloud, acctest.EmulatorWanIPInstance, true))
}

// A reallocating destroy that timed out has spent its reallocation: planning
// the destroy again (its unbind still running) neither counts it again,
// which here would run past the quota, nor warns that it spends one.
func TestAccEIPAssociationMessages_requestedReallocationIsNotCountedAgain(t *testing.T) {
	cloud := newParallelEmulator(t, "injects faults and sets the emulator's quota")
	cfg := instanceConfig(cloud, attr("reallocate_normal_public_ip", true), timeoutsLine("delete", "2s"))
	testSteps(t,
		resource.TestStep{Config: cfg},
		resource.TestStep{
			PreConfig: func() {
				setQuota(t, cloud, 9)
				injectOnce(t, cloud, "DisassociateAddress", emulator.FaultTaskHang)
			},
			Config:      cfg,
			Destroy:     true,
			ExpectError: expectError(`Timed out.*was accepted but did not finish`),
		},
		resource.TestStep{
			// Today's count is now 10 of 10: a plan that counted this
			// destroy again would refuse it.
			Config:             cfg,
			Destroy:            true,
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		},
		resource.TestStep{
			PreConfig:         cloud.Emulator.ClearFaults,
			Config:            cfg,
			Destroy:           true,
			ConfigStateChecks: []statecheck.StateCheck{stateIsEmpty{}},
		},
	)
	must(t, cloud.CheckUnbound(cloud.EIPID), checkNormalPublicIP(cloud, cloud.InstanceID, true), calls(cloud, "DisassociateAddress", 1))
	if got := reallocationsToday(t, cloud); got != 10 {
		t.Errorf("reallocations today = %d, want 10", got)
	}

	// The destroy's plan, as the protocol gives it, says nothing of spending.
	direct := acctest.New(t)
	setQuota(t, direct, 9)
	prior, private := reallocatingBinding(t, direct)
	injectOnce(t, direct, "DisassociateAddress", emulator.FaultTaskHang)
	first := destroyOverProtocol(t, direct, prior, private)
	if !hasDiagnostic(first.planned.Diagnostics, tfprotov6.DiagnosticSeverityWarning, "spends 1 reallocation") ||
		!hasDiagnostic(first.applied.Diagnostics, tfprotov6.DiagnosticSeverityError, "Timed out") {
		t.Fatalf("first destroy: plan %s; apply %s; want the warning, then a timeout",
			describeDiagnostics(first.planned.Diagnostics), describeDiagnostics(first.applied.Diagnostics))
	}
	again := planDestroyOverProtocol(t, direct, first.applied.NewState, first.applied.Private)
	if len(again.Diagnostics) != 0 {
		t.Errorf("destroy planned again while its unbind runs: %s; want nothing", describeDiagnostics(again.Diagnostics))
	}
	direct.Emulator.ClearFaults()
}

// A destroy planned without refreshing, of a binding whose EIP has been
// bound elsewhere meanwhile, unbinds nothing, and so says nothing of
// spending a reallocation, nor counts one against the quota.
func TestAccEIPAssociationMessages_noRefreshDestroyOfAnEIPBoundElsewhere(t *testing.T) {
	cloud := newParallelEmulator(t, "moves the binding out of band and sets the emulator's quota")
	cfg := instanceConfig(cloud, attr("reallocate_normal_public_ip", true))
	testSteps(t,
		resource.TestStep{Config: cfg},
		resource.TestStep{
			PreConfig: func() {
				cloud.MoveOutOfBand(t, cloud.EIPID, elsewhere)
				setQuota(t, cloud, 10)
			},
			// Both plans of the step are terraform plan -destroy -refresh=false.
			Config:                    cfg,
			Destroy:                   true,
			PlanOnly:                  true,
			PreventPostDestroyRefresh: true,
			ExpectNonEmptyPlan:        true,
		},
		resource.TestStep{Config: cfg, Destroy: true, ConfigStateChecks: []statecheck.StateCheck{stateIsEmpty{}}},
	)
	must(t, cloud.CheckBound(cloud.EIPID, elsewhere), calls(cloud, "DisassociateAddress", 0))

	direct := acctest.New(t)
	prior, private := reallocatingBinding(t, direct)
	direct.MoveOutOfBand(t, direct.EIPID, elsewhere)
	planned := planDestroyOverProtocol(t, direct, prior, private)
	if len(planned.Diagnostics) != 0 {
		t.Errorf("destroy plan of an EIP bound elsewhere: %s; want nothing", describeDiagnostics(planned.Diagnostics))
	}
	must(t, calls(direct, "DescribeAddressQuota", 0)) // the destroy plan read no quota
}

// Two destroys in a row time out while the unbind the first requested is
// still running, the first naming timeouts.delete; once the unbind completes,
// the refresh says so, and blames no one outside Terraform. Each command is
// a fresh provider, as with Terraform, given the previous one's private state.
func TestEIPAssociationMessages_twoTimedOutDestroysThenTheUnbindCompletes(t *testing.T) {
	cloud := newParallelEmulator(t, "injects faults")
	state, private := reallocatingBinding(t, cloud)
	cloud.Inject(t, emulator.Fault{Action: "DisassociateAddress", Kind: emulator.FaultTaskHang, Count: 2})
	for i := 1; i <= 2; i++ {
		if i > 1 {
			read := readOverProtocol(t, cloud, state, private)
			if len(read.Diagnostics) != 0 || read.NewState == nil {
				t.Fatalf("refresh before destroy %d: %s", i, describeDiagnostics(read.Diagnostics))
			}
			state, private = read.NewState, read.Private
		}
		d := destroyOverProtocol(t, cloud, state, private)
		diags := d.applied.Diagnostics
		if !hasDiagnostic(diags, tfprotov6.DiagnosticSeverityError, "Timed out") {
			t.Fatalf("destroy %d: %s; want a timeout", i, describeDiagnostics(diags))
		}
		// The first names the timeout that ran out, timeouts.delete, alone.
		if i == 1 && (len(diags) != 1 || !strings.Contains(diags[0].Detail, "within timeouts.delete (2s)") || strings.Contains(diags[0].Detail, "create, delete")) {
			t.Errorf("timed-out destroy: %s; want one error naming timeouts.delete (2s)", describeDiagnostics(diags))
		}
		// The second waits on the first's unbind: it says so, not that the
		// EIP is still bound.
		if i == 2 && (!hasDiagnostic(diags, tfprotov6.DiagnosticSeverityError, "still being unbound (UNBINDING) after timeouts.delete (2s), by an unbind requested earlier") ||
			hasDiagnostic(diags, tfprotov6.DiagnosticSeverityError, "still bound")) {
			t.Errorf("second timed-out destroy: %s; want it to say an unbind requested earlier is under way", describeDiagnostics(diags))
		}
		state, private = d.applied.NewState, d.applied.Private
	}
	cloud.Emulator.ClearFaults()
	waitUnbound(t, cloud, cloud.EIPID)
	read := readOverProtocol(t, cloud, state, private)
	if !hasDiagnostic(read.Diagnostics, tfprotov6.DiagnosticSeverityWarning, "the unbind that an earlier terraform destroy or apply requested has completed") ||
		hasDiagnostic(read.Diagnostics, tfprotov6.DiagnosticSeverityWarning, "outside Terraform") {
		t.Errorf("refresh after the unbind completed: %s", describeDiagnostics(read.Diagnostics))
	}
	must(t, calls(cloud, "DisassociateAddress", 1))
}

// A task that ends FAILED sends the user to support with the id the
// diagnostic shows: the TaskId only when there is one, else the RequestId.
func TestEIPAssociationMessages_failedTaskNamesTheIDItShows(t *testing.T) {
	acctest.EmulatorOnly(t, "injects faults")
	acctest.Parallel(t)
	for name, failure := range map[string]string{
		// DescribeTaskResult answers FailedOperation.TaskFailed: no TaskId in the error.
		"task error": emulator.FaultTaskError,
		// DescribeTaskResult answers Result FAILED for the task the provider knows.
		"task failed": emulator.FaultTaskFail,
	} {
		t.Run(name, func(t *testing.T) {
			cloud := newParallelCloud(t)
			// The first bind's reply is lost; its task and the retried bind's fail.
			injectOnce(t, cloud, "AssociateAddress", emulator.FaultLostReply)
			cloud.Inject(t, emulator.Fault{Action: "AssociateAddress", Kind: failure})
			state, diags := createDirectly(t, cloud, cloud.EIPID, client.Target{InstanceID: cloud.InstanceID})
			if !diags.HasError() || len(diags) != 1 || diags[0].Summary() != "The asynchronous task failed" {
				t.Fatalf("diagnostics = %v, want one: the task failed", diags)
			}
			detail := diags[0].Detail()
			hasTaskID := strings.Contains(detail, "\nTaskId: ")
			switch {
			case strings.Contains(detail, "give the TaskId below") && !hasTaskID:
				t.Errorf("the detail asks for a TaskId it does not show:\n%s", detail)
			case strings.Contains(detail, "give the RequestId below") && strings.Contains(detail, "RequestId: (none)"):
				t.Errorf("the detail asks for a RequestId it does not have:\n%s", detail)
			case !strings.Contains(detail, "give the TaskId below") && !strings.Contains(detail, "give the RequestId below"):
				t.Errorf("the detail names no id for support:\n%s", detail)
			}
			if !state.Raw.IsNull() {
				t.Errorf("the failed bind recorded %v", state.Raw)
			}
			must(t, cloud.CheckUnbound(cloud.EIPID))
		})
	}
}

// Configuration mistakes get one diagnostic each, in the provider's words:
// no parser output, no negative durations offered as examples, rates written
// as a person would.
func TestEIPAssociationMessages_configMistakes(t *testing.T) {
	cloud := newParallelEmulator(t, "counts the emulator's calls")
	tests := []struct {
		name      string
		values    map[string]tftypes.Value
		want      string
		forbidden []string
	}{
		{
			name: "invalid IPv4 private_ip",
			values: map[string]tftypes.Value{
				"network_interface_id": tftypes.NewValue(tftypes.String, acctest.EmulatorDanglingENI),
				"private_ip":           tftypes.NewValue(tftypes.String, "10.0.0.300"),
			},
			want:      "10.0.0.300",
			forbidden: []string{"ParseAddr("},
		},
		{
			name: "a timeout in words",
			values: map[string]tftypes.Value{
				"instance_id": tftypes.NewValue(tftypes.String, acctest.EmulatorInstance),
				"timeouts":    timeoutsValue(t, cloud, "create", "5 minutes"),
			},
			want:      `"5 minutes" is not a timeout`,
			forbidden: []string{"-1.5h"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diags := validateOverProtocol(t, cloud, tt.values)
			if len(diags) != 1 || !strings.Contains(diags[0].Summary+diags[0].Detail, tt.want) {
				t.Errorf("diagnostics: %s; want exactly one, with %q", describeDiagnostics(diags), tt.want)
			}
			for _, d := range diags {
				for _, bad := range tt.forbidden {
					if strings.Contains(d.Summary+d.Detail, bad) {
						t.Errorf("diagnostic %q contains %q:\n%s", d.Summary, bad, d.Detail)
					}
				}
			}
		})
	}
	// Through Terraform, the provider's rate and the timeout read the same.
	testSteps(t,
		planFails(providerWith(cloud, "write_requests_per_second = 0.01")+block("test", byInstance(cloud.EIPID, cloud.InstanceID)...),
			`Invalid request rate.*0\.01 is not a request rate the provider can use: it must be between 0\.1 and 1000 requests per second\.`),
		planFails(instanceConfig(cloud, timeoutsLine("create", "5 minutes")),
			`Invalid timeout.*"5 minutes" is not a timeout: it must be a duration greater than zero`),
	)
	if n := cloud.TotalCalls(); n != 0 {
		t.Errorf("configuration mistakes made API calls: %s", cloud.CallsOf())
	}
}

// reallocatingBinding binds the test's EIP to its instance and returns the
// state of an association recording it with reallocate_normal_public_ip =
// true and timeouts.delete = "2s", as the protocol carries it.
func reallocatingBinding(t *testing.T, cloud *acctest.Cloud) (*tfprotov6.DynamicValue, []byte) {
	t.Helper()
	ctx := context.Background()
	state := mustCreate(t, cloud, cloud.EIPID, client.Target{InstanceID: cloud.InstanceID})
	setAttributes(t, &state, map[string]any{"reallocate_normal_public_ip": true})
	if d := state.SetAttribute(ctx, path.Root("timeouts").AtName("delete"), "2s"); d.HasError() {
		t.Fatal(d)
	}
	_, resourceType := configuredServer(t, cloud)
	// Read once, as Terraform's refresh would: it records where the binding sits.
	read := readOverProtocol(t, cloud, dynamicValue(t, resourceType, state.Raw), nil)
	if len(read.Diagnostics) != 0 {
		t.Fatalf("reading the new binding: %s", describeDiagnostics(read.Diagnostics))
	}
	return read.NewState, read.Private
}

func readOverProtocol(t *testing.T, cloud *acctest.Cloud, state *tfprotov6.DynamicValue, private []byte) *tfprotov6.ReadResourceResponse {
	t.Helper()
	srv, _ := configuredServer(t, cloud)
	resp, err := srv.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{
		TypeName: "qcloud_eip_association", CurrentState: state, Private: private,
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// planDestroyOverProtocol plans a destroy in a fresh provider, as terraform
// plan -destroy -refresh=false does.
func planDestroyOverProtocol(t *testing.T, cloud *acctest.Cloud, state *tfprotov6.DynamicValue, private []byte) *tfprotov6.PlanResourceChangeResponse {
	t.Helper()
	srv, resourceType := configuredServer(t, cloud)
	return planDestroyWith(t, srv, resourceType, state, private)
}

func planDestroyWith(t *testing.T, srv tfprotov6.ProviderServer, resourceType tftypes.Type, state *tfprotov6.DynamicValue,
	private []byte) *tfprotov6.PlanResourceChangeResponse {
	t.Helper()
	none := dynamicValue(t, resourceType, tftypes.NewValue(resourceType, nil))
	resp, err := srv.PlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{
		TypeName: "qcloud_eip_association", PriorState: state, PriorPrivate: private, ProposedNewState: none, Config: none,
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

type destroyed struct {
	planned *tfprotov6.PlanResourceChangeResponse
	applied *tfprotov6.ApplyResourceChangeResponse
}

// destroyOverProtocol plans and applies a destroy in a fresh provider, as
// terraform destroy -refresh=false does.
func destroyOverProtocol(t *testing.T, cloud *acctest.Cloud, state *tfprotov6.DynamicValue, private []byte) destroyed {
	t.Helper()
	srv, resourceType := configuredServer(t, cloud)
	planned := planDestroyWith(t, srv, resourceType, state, private)
	none := dynamicValue(t, resourceType, tftypes.NewValue(resourceType, nil))
	applied, err := srv.ApplyResourceChange(context.Background(), &tfprotov6.ApplyResourceChangeRequest{
		TypeName: "qcloud_eip_association", PriorState: state, PlannedState: none, Config: none, PlannedPrivate: planned.PlannedPrivate,
	})
	if err != nil {
		t.Fatal(err)
	}
	return destroyed{planned: planned, applied: applied}
}

// timeoutsValue is the timeouts attribute with one timeout set.
func timeoutsValue(t *testing.T, cloud *acctest.Cloud, op, d string) tftypes.Value {
	t.Helper()
	_, resourceType := configuredServer(t, cloud)
	resourceObject, _ := nullAttributes(t, resourceType)
	objectType, values := nullAttributes(t, resourceObject.AttributeTypes["timeouts"])
	values[op] = tftypes.NewValue(tftypes.String, d)
	return tftypes.NewValue(objectType, values)
}

// validateOverProtocol validates a resource configuration of eip_id and the
// given values, as Terraform does before any plan.
func validateOverProtocol(t *testing.T, cloud *acctest.Cloud, given map[string]tftypes.Value) []*tfprotov6.Diagnostic {
	t.Helper()
	w := newProtocolWalk(t, cloud)
	_, values := nullAttributes(t, w.typ)
	values["eip_id"] = tftypes.NewValue(tftypes.String, cloud.EIPID)
	for name, v := range given {
		values[name] = v
	}
	return w.validate(dynamicValue(t, w.typ, tftypes.NewValue(w.typ, values)))
}
