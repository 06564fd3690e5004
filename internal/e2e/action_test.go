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
const actionInvokeConfig = `
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
	emu, err := StartEmulator(ctx, EmulatorConfig{Binary: bins.Emulator, LogPath: filepath.Join(dir, "emulator.log")})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Stop()
	ctl := emu.Control()
	var b strings.Builder
	writeHeader(&b, "")
	b.WriteString(actionInvokeConfig)
	config := b.String()

	t.Run("Terraform", func(t *testing.T) {
		terraform, err := SharedTerraform(ctx, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if terraform == "" {
			t.Skip("no terraform-*-linux_amd64.xz in ../shared/tools beside the clone: actions need Terraform 1.14+")
		}
		bins := bins
		bins.Terraform = terraform
		ws, err := NewWorkspace(ctx, filepath.Join(dir, "terraform"), bins, emu.URL, EmulatorConfig{}.Credentials())
		if err != nil {
			t.Fatal(err)
		}
		if err := ws.WriteConfig(config); err != nil {
			t.Fatal(err)
		}
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
		for _, a := range world.Addresses {
			if a.AddressID == "eip-demo0002" && a.Status != emulator.StatusUnbind {
				t.Errorf("eip-demo0002 is %s, want UNBIND", a.Status)
			}
		}
		if normal := world.NormalPublicIPs("ins-demo0002"); len(normal) != 1 {
			t.Errorf("ins-demo0002 holds %d normal public IPs, want 1: %+v", len(normal), normal)
		}
		checkOneReallocatingDisassociate(ctx, t, ctl)
	})

	t.Run("OpenTofu", func(t *testing.T) {
		tofu, err := SharedOpenTofu(ctx, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if tofu == "" {
			t.Skip("no tofu-*-linux_amd64.xz in ../shared/tools beside the clone")
		}
		bins := bins
		bins.Terraform = tofu
		ws, err := NewWorkspace(ctx, filepath.Join(dir, "tofu"), bins, emu.URL, EmulatorConfig{}.Credentials())
		if err != nil {
			t.Fatal(err)
		}
		if err := ws.WriteConfig(config); err != nil {
			t.Fatal(err)
		}
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
