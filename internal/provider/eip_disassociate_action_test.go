package provider_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/acctest"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// actionConfig is the provider block, a qcloud_eip_disassociate action with
// the given config lines, and a terraform_data that invokes it after it is
// created (Terraform 1.14+: plugin-testing has no step that runs
// -invoke, so the trigger is how an acceptance test invokes an action).
func actionConfig(cloud *acctest.Cloud, lines ...string) string {
	return cloud.ProviderConfig + fmt.Sprintf(`
action "qcloud_eip_disassociate" "test" {
  config {
    %s
  }
}

resource "terraform_data" "incident" {
  input = "incident-1"
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.qcloud_eip_disassociate.test]
    }
  }
}
`, strings.Join(lines, "\n    "))
}

// checkDisassociations checks the DisassociateAddress requests sent, by
// their ReallocateNormalPublicIp values.
func checkDisassociations(t *testing.T, cloud *acctest.Cloud, want ...bool) {
	t.Helper()
	got, err := reallocateFlagsSent(cloud)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("DisassociateAddress sent with ReallocateNormalPublicIp %v, want %v (calls: %s)", got, want, cloud.CallsOf())
	}
}

// testAction runs steps on Terraform 1.14+, which has actions.
func testAction(t *testing.T, steps ...resource.TestStep) {
	t.Helper()
	acctest.Test(t, resource.TestCase{TerraformVersionChecks: acctest.Terraform114, Steps: steps})
}

func actionTest(t *testing.T) *acctest.Cloud {
	t.Helper()
	acctest.SkipUnderOpenTofu(t, "actions")
	return newParallelEmulator(t, "reads the emulator's record of requests")
}

// Invoked after a create, with and without a normal public IP in the EIP's
// place; the guard names where it is bound.
func TestAccEIPDisassociateAction_triggeredAfterCreate(t *testing.T) {
	for _, reallocate := range []bool{true, false} {
		t.Run(fmt.Sprintf("reallocate=%t", reallocate), func(t *testing.T) {
			cloud := actionTest(t)
			lines := byInstance(acctest.EmulatorBoundEIP, acctest.EmulatorBoundInstance)
			if reallocate {
				lines = append(lines, attr("reallocate_normal_public_ip", true))
			}
			testAction(t, resource.TestStep{
				Config: actionConfig(cloud, lines...),
				Check:  cloud.CheckUnbound(acctest.EmulatorBoundEIP),
				PostApplyFunc: func() {
					checkDisassociations(t, cloud, reallocate)
					normal, err := cloud.Emulator.NormalPublicIPs(acctest.EmulatorBoundInstance)
					if err != nil {
						t.Fatal(err)
					}
					if want := map[bool]int{true: 1, false: 0}[reallocate]; len(normal) != want {
						t.Errorf("instance %s holds %d normal public IPs, want %d", acctest.EmulatorBoundInstance, len(normal), want)
					}
				},
			})
			checkDisassociations(t, cloud, reallocate)
		})
	}
}

// A guard naming another target refuses the unbind, before any write.
func TestAccEIPDisassociateAction_guardMismatchRefuses(t *testing.T) {
	for name, guard := range map[string][]string{
		"instance":  {attr("instance_id", acctest.EmulatorInstance)},
		"interface": {attr("network_interface_id", acctest.EmulatorInstanceENI), attr("private_ip", acctest.EmulatorInstanceENIIP)},
	} {
		t.Run(name, func(t *testing.T) {
			cloud := actionTest(t)
			testAction(t, resource.TestStep{
				Config: actionConfig(cloud, append([]string{attr("eip_id", acctest.EmulatorBoundEIP)}, guard...)...),
				ExpectError: expectError(`EIP is not bound where the action expects.*` + acctest.EmulatorBoundEIP +
					` is bound to instance ` + acctest.EmulatorBoundInstance + `.*unbound nothing`),
			})
			checkDisassociations(t, cloud)
			must(t, cloud.CheckBound(acctest.EmulatorBoundEIP, client.Target{InstanceID: acctest.EmulatorBoundInstance}))
		})
	}
}

// An EIP already unbound is a success that changes nothing.
func TestAccEIPDisassociateAction_alreadyUnbound(t *testing.T) {
	cloud := actionTest(t)
	testAction(t, resource.TestStep{
		Config: actionConfig(cloud, attr("eip_id", acctest.EmulatorFreeEIP), attr("reallocate_normal_public_ip", true)),
		Check:  cloud.CheckUnbound(acctest.EmulatorFreeEIP),
	})
	checkDisassociations(t, cloud)
	must(t, calls(cloud, "DescribeAddressQuota", 0))
}

// The plan refuses a reallocation the API would refuse, as it does for a
// destroy that reallocates: off the primary private IP, or past today's
// quota (and says today's count).
func TestAccEIPDisassociateAction_reallocationRefusedAtPlan(t *testing.T) {
	for name, tc := range map[string]struct {
		setup func(*testing.T, *acctest.Cloud)
		want  string
	}{
		"secondary IP": {
			setup: func(t *testing.T, cloud *acctest.Cloud) {
				cloud.Patch(t, acctest.EmulatorFreeEIP, emulator.AddressPatch{
					BindNetworkInterfaceID: acctest.EmulatorInstanceENI, BindPrivateIP: acctest.EmulatorSecondaryIP})
			},
			want: `A normal public IP cannot be reallocated for this binding.*` + acctest.EmulatorSecondaryIP +
				` is a secondary private IP of instance ` + acctest.EmulatorInstance + `.*reallocate_normal_public_ip = false`,
		},
		"quota used up": {
			setup: func(t *testing.T, cloud *acctest.Cloud) {
				cloud.Patch(t, acctest.EmulatorFreeEIP, emulator.AddressPatch{BindInstanceID: acctest.EmulatorInstance})
				setQuota(t, cloud, 10)
			},
			want: `Daily quota of normal public IP reallocations would run out.*DAILY_PUBLIC_IP_ASSIGN is 10 of 10.*0 reallocations left.*wait until the next day`,
		},
	} {
		t.Run(name, func(t *testing.T) {
			cloud := actionTest(t)
			tc.setup(t, cloud)
			testAction(t, planFails(actionConfig(cloud, attr("eip_id", acctest.EmulatorFreeEIP), attr("reallocate_normal_public_ip", true)), tc.want))
			checkDisassociations(t, cloud)
		})
	}
}

// An API error reaches the user through the diagnostics table: cause,
// remedy, Code and RequestId.
func TestAccEIPDisassociateAction_apiError(t *testing.T) {
	cloud := actionTest(t)
	cloud.Inject(t, emulator.Fault{Action: "DisassociateAddress", Kind: emulator.FaultError, Code: "UnauthorizedOperation"})
	testAction(t, resource.TestStep{
		Config: actionConfig(cloud, attr("eip_id", acctest.EmulatorBoundEIP)),
		ExpectError: expectError(`Not authorized.*While unbinding EIP ` + acctest.EmulatorBoundEIP + ` from instance ` +
			acctest.EmulatorBoundInstance + `.*vpc:DisassociateAddress.*Code: UnauthorizedOperation.*RequestId: [0-9a-f-]{36}`),
	})
	must(t, cloud.CheckBound(acctest.EmulatorBoundEIP, client.Target{InstanceID: acctest.EmulatorBoundInstance}))
}

// An EIP the action unbinds from under a qcloud_eip_association shows in
// that resource's next plan as drift: the binding is gone, and the plan
// binds it again.
func TestAccEIPDisassociateAction_managedAssociationSeesDrift(t *testing.T) {
	cloud := actionTest(t)
	binding := byInstance(cloud.EIPID, cloud.InstanceID)
	testAction(t,
		resource.TestStep{Config: cloud.ProviderConfig + block("test", binding...)},
		resource.TestStep{
			// The action comes with a resource created after the binding exists.
			Config:             actionConfig(cloud, binding...) + block("test", binding...),
			ConfigPlanChecks:   resource.ConfigPlanChecks{PostApplyPostRefresh: plansTo(plancheck.ResourceActionCreate)},
			ExpectNonEmptyPlan: true,
			PostApplyFunc:      func() { checkDisassociations(t, cloud, false) },
		},
	)
}

// Invoked through the provider's protocol server, as Terraform does: the
// progress events say what happens while the unbind is waited for, and the
// completed event carries no diagnostics. This needs no Terraform CLI.
func TestEIPDisassociateAction_invokeReportsProgress(t *testing.T) {
	acctest.EmulatorOnly(t, "unbinds the emulator's bound EIP")
	t.Parallel()
	// The task runs until the test moves the emulator's clock, once the
	// progress events have shown the EIP UNBINDING: no timing decides what
	// the waits see.
	opts := emulator.DefaultOptions()
	opts.TaskDelay = time.Hour
	cloud := acctest.NewEmulator(t, opts)
	a := newActionServer(t, cloud)
	config := a.config(t, acctest.EmulatorBoundEIP, true)
	planned, err := a.srv.PlanAction(a.ctx, &tfprotov6.PlanActionRequest{ActionType: "qcloud_eip_disassociate", Config: config})
	if err != nil {
		t.Fatal(err)
	}
	if !hasDiagnostic(planned.Diagnostics, tfprotov6.DiagnosticSeverityWarning, "Today's use of DAILY_PUBLIC_IP_ASSIGN is 0 of 10") {
		t.Errorf("plan diagnostics %s: want the reallocation warning with today's count", describeDiagnostics(planned.Diagnostics))
	}
	if !hasDiagnostic(planned.Diagnostics, tfprotov6.DiagnosticSeverityWarning, "On the China site an EIP cannot then be bound") {
		t.Errorf("plan diagnostics %s: want the China site's rule on the normal public IP", describeDiagnostics(planned.Diagnostics))
	}
	progress, completed := a.invoke(t, config, func(message string) {
		if strings.HasSuffix(message, " is UNBINDING") {
			cloud.Emulator.AdvanceClock(2 * time.Hour) // the task ends
		}
	})
	if completed == nil || len(completed.Diagnostics) > 0 {
		t.Fatalf("completed event %+v, want one with no diagnostics", completed)
	}
	joined := strings.Join(progress, "\n")
	for _, want := range []string{
		"Unbinding EIP " + acctest.EmulatorBoundEIP + " from instance " + acctest.EmulatorBoundInstance,
		"DisassociateAddress accepted (task ",
		"EIP " + acctest.EmulatorBoundEIP + " is UNBINDING",
		"the instance got a new normal public IP",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("progress events lack %q:\n%s", want, joined)
		}
	}
	checkDisassociations(t, cloud, true)
}

// An EIP already unbound: the plan warns, and the invocation succeeds with
// a warning and a progress message that say so, and sends nothing.
func TestEIPDisassociateAction_alreadyUnboundSaysSo(t *testing.T) {
	acctest.EmulatorOnly(t, "reads the emulator's record of requests")
	t.Parallel()
	cloud := acctest.NewEmulator(t, emulator.DefaultOptions())
	a := newActionServer(t, cloud)
	config := a.config(t, acctest.EmulatorFreeEIP, true)
	planned, err := a.srv.PlanAction(a.ctx, &tfprotov6.PlanActionRequest{ActionType: "qcloud_eip_disassociate", Config: config})
	if err != nil {
		t.Fatal(err)
	}
	if !hasDiagnostic(planned.Diagnostics, tfprotov6.DiagnosticSeverityWarning, "EIP is not bound") {
		t.Errorf("plan diagnostics %s: want the warning that the EIP is not bound", describeDiagnostics(planned.Diagnostics))
	}
	progress, completed := a.invoke(t, config, nil)
	if completed == nil || !hasDiagnostic(completed.Diagnostics, tfprotov6.DiagnosticSeverityWarning, "EIP already unbound") ||
		hasDiagnostic(completed.Diagnostics, tfprotov6.DiagnosticSeverityError, "") {
		t.Errorf("completed event %+v: want only the warning that the EIP was already unbound", completed)
	}
	if joined := strings.Join(progress, "\n"); !strings.Contains(joined, "is already unbound (UNBIND): nothing to do") {
		t.Errorf("progress events lack the note that there is nothing to do:\n%s", joined)
	}
	checkDisassociations(t, cloud)
}

// A DisassociateAddress whose reply is lost (the API carried it out) is
// seen through: the client's retries meet the EIP busy or unbound and are
// refused, so the API carries out one unbind and reallocates once, and the
// action succeeds.
func TestEIPDisassociateAction_lostReplyIsSeenThrough(t *testing.T) {
	acctest.EmulatorOnly(t, "injects a lost reply")
	t.Parallel()
	cloud := acctest.NewEmulator(t, emulator.DefaultOptions())
	injectOnce(t, cloud, "DisassociateAddress", emulator.FaultLostReply)
	a := newActionServer(t, cloud)
	progress, completed := a.invoke(t, a.config(t, acctest.EmulatorBoundEIP, true), nil)
	if completed == nil || len(completed.Diagnostics) > 0 {
		t.Fatalf("completed event %+v, want one with no diagnostics; progress:\n%s", completed, strings.Join(progress, "\n"))
	}
	carriedOut := 0
	for _, r := range cloud.Emulator.Requests("DisassociateAddress") {
		if r.ErrorCode == "" {
			carriedOut++
		}
	}
	if carriedOut != 1 {
		t.Errorf("the API carried out %d DisassociateAddress requests, want 1 (calls: %s)", carriedOut, cloud.CallsOf())
	}
	if normal, err := cloud.Emulator.NormalPublicIPs(acctest.EmulatorBoundInstance); err != nil || len(normal) != 1 {
		t.Errorf("instance %s holds %d normal public IPs (%v), want 1", acctest.EmulatorBoundInstance, len(normal), err)
	}
	must(t, cloud.CheckUnbound(acctest.EmulatorBoundEIP))
}

// actionServer is the provider's protocol server, configured for an
// emulator, as Terraform drives an action: PlanAction, then InvokeAction.
type actionServer struct {
	ctx context.Context
	srv tfprotov6.ActionServer
	typ tftypes.Type
}

func newActionServer(t *testing.T, cloud *acctest.Cloud) actionServer {
	t.Helper()
	server, _ := configuredServer(t, cloud)
	srv, ok := server.(tfprotov6.ActionServer)
	if !ok {
		t.Fatalf("the provider server %T serves no actions", server)
	}
	ctx := context.Background()
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	actionSchema, ok := schemas.ActionSchemas["qcloud_eip_disassociate"]
	if !ok {
		t.Fatalf("the provider serves no qcloud_eip_disassociate action; actions: %v", schemas.ActionSchemas)
	}
	return actionServer{ctx: ctx, srv: srv, typ: actionSchema.Schema.ValueType()}
}

// config is the action's configuration for the EIP, without a guard.
func (a actionServer) config(t *testing.T, eipID string, reallocate bool) *tfprotov6.DynamicValue {
	t.Helper()
	return dynamicValue(t, a.typ, tftypes.NewValue(a.typ, map[string]tftypes.Value{
		"eip_id":                      tftypes.NewValue(tftypes.String, eipID),
		"reallocate_normal_public_ip": tftypes.NewValue(tftypes.Bool, reallocate),
		"instance_id":                 tftypes.NewValue(tftypes.String, nil),
		"network_interface_id":        tftypes.NewValue(tftypes.String, nil),
		"private_ip":                  tftypes.NewValue(tftypes.String, nil),
	}))
}

// invoke runs InvokeAction and returns its progress messages and its
// completed event; each message is handed to onProgress (if set) as it
// comes, while the invocation waits.
func (a actionServer) invoke(t *testing.T, config *tfprotov6.DynamicValue, onProgress func(string)) ([]string, *tfprotov6.CompletedInvokeActionEventType) {
	t.Helper()
	stream, err := a.srv.InvokeAction(a.ctx, &tfprotov6.InvokeActionRequest{ActionType: "qcloud_eip_disassociate", Config: config})
	if err != nil {
		t.Fatal(err)
	}
	var progress []string
	var completed *tfprotov6.CompletedInvokeActionEventType
	for event := range stream.Events {
		switch e := event.Type.(type) {
		case tfprotov6.ProgressInvokeActionEventType:
			progress = append(progress, e.Message)
			if onProgress != nil {
				onProgress(e.Message)
			}
		case tfprotov6.CompletedInvokeActionEventType:
			completed = &e
		}
	}
	return progress, completed
}
