package e2e

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// actionInvokeConfig is a configuration holding only the action: what an
// operator writes to unbind an EIP Terraform does not manage.
var actionInvokeConfig = header("") + `
action "qcloud_eip_disassociate" "x" {
  config {
    eip_id                      = "eip-demo0002"
    instance_id                 = "ins-demo0002"
    reallocate_normal_public_ip = true
  }
}
`

// TestActionInvoke runs terraform apply -invoke=action.qcloud_eip_disassociate.x
// with the Terraform 1.15 beside the clone against an emulator process: the
// EIP ends UNBIND, its instance holds a normal public IP, and exactly one
// DisassociateAddress was sent, with ReallocateNormalPublicIp true. OpenTofu,
// which has no actions, given the same configuration fails with its own
// message, without a crash and without a call that writes.
func TestActionInvoke(t *testing.T) {
	ctx, bins := startTest(t, 8*time.Minute)
	dir := t.TempDir()
	emu := startEmulator(ctx, t, EmulatorConfig{Binary: bins.Emulator})
	ctl := emu.Control()
	// workspace is a workspace holding the action, run by the CLI of that
	// name beside the clone.
	workspace := func(t *testing.T, cli string) *Workspace {
		t.Helper()
		bins := bins
		bins.Terraform = sharedBinary(ctx, t, cli)
		return newWorkspace(ctx, t, bins, emu, filepath.Join(dir, cli), actionInvokeConfig)
	}

	t.Run("Terraform", func(t *testing.T) {
		ws := workspace(t, "terraform")
		res := ws.Run(ctx, 3*time.Minute, ws.Invoke("action.qcloud_eip_disassociate.x"))
		if !res.OK() {
			t.Fatalf("apply -invoke: %s\n%s", res.Summary(), res.Stdout)
		}
		for _, want := range []string{"Unbinding EIP eip-demo0002 from instance ins-demo0002", "DisassociateAddress accepted",
			"the instance got a new normal public IP"} {
			if !strings.Contains(res.Stdout, want) {
				t.Errorf("the -json output lacks the progress message %q:\n%s", want, res.Stdout)
			}
		}
		world, err := ctl.World(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if a, _ := world.Address("eip-demo0002"); a.Status != emulator.StatusUnbind {
			t.Errorf("eip-demo0002 is %s, want UNBIND", a.Status)
		}
		if normal := world.NormalPublicIPs("ins-demo0002"); len(normal) != 1 {
			t.Errorf("ins-demo0002 holds %d normal public IPs, want 1: %+v", len(normal), normal)
		}
		checkOneReallocatingDisassociate(ctx, t, ctl)
	})

	t.Run("OpenTofu", func(t *testing.T) {
		ws := workspace(t, "tofu")
		for _, tc := range []struct {
			command Command
			message string // OpenTofu's own words
		}{
			{ws.Invoke("action.qcloud_eip_disassociate.x"), "flag provided but not defined: -invoke"},
			{Plan(), `Blocks of type \"action\" are not expected here`},
		} {
			res := ws.Run(ctx, 2*time.Minute, tc.command)
			if res.OK() {
				t.Errorf("tofu %s succeeded; want it to fail:\n%s", tc.command.Name, res.Stdout)
			}
			output := res.Stdout + res.Stderr
			if !strings.Contains(output, tc.message) {
				t.Errorf("tofu %s: the output lacks %q:\n%s", tc.command.Name, tc.message, output)
			}
			for _, crash := range []string{"panic:", "crashed", "Plugin did not respond", "goroutine "} {
				if strings.Contains(output, crash) {
					t.Errorf("tofu %s crashed (%q):\n%s", tc.command.Name, crash, output)
				}
			}
		}
		checkOneReallocatingDisassociate(ctx, t, ctl) // still the one Terraform sent
	})
}

// checkOneReallocatingDisassociate checks the emulator's record: exactly one
// DisassociateAddress, of eip-demo0002, with ReallocateNormalPublicIp true.
func checkOneReallocatingDisassociate(ctx context.Context, t *testing.T, ctl *Control) {
	t.Helper()
	requests, err := ctl.Requests(ctx, "DisassociateAddress")
	if err != nil {
		t.Fatal(err)
	}
	if len(requests) != 1 {
		t.Fatalf("%d DisassociateAddress requests, want 1: %+v", len(requests), requests)
	}
	var body struct {
		AddressId                string
		ReallocateNormalPublicIp *bool
	}
	if err := json.Unmarshal(requests[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.AddressId != "eip-demo0002" || body.ReallocateNormalPublicIp == nil || !*body.ReallocateNormalPublicIp {
		t.Errorf("DisassociateAddress %s, want eip-demo0002 with ReallocateNormalPublicIp true", requests[0].Body)
	}
}
