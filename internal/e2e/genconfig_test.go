package e2e

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"
)

// TestGeneratedConfigPlansNoChanges imports two bindings with import blocks
// and -generate-config-out: one on an instance's primary IP, one on a
// secondary IP of a secondary network interface. The generated configuration
// must hold one form of each binding and plan the imports alone, on the
// terraform on PATH and on the newer Terraform beside the clone when there
// is one.
func TestGeneratedConfigPlansNoChanges(t *testing.T) {
	ctx, bins := startTest(t, 8*time.Minute)
	t.Run("PATH", func(t *testing.T) { testGeneratedConfig(ctx, t, bins) })
	t.Run("shared", func(t *testing.T) {
		bins := bins
		bins.Terraform = sharedBinary(ctx, t, "terraform")
		testGeneratedConfig(ctx, t, bins)
	})
}

func testGeneratedConfig(ctx context.Context, t *testing.T, bins Binaries) {
	dir := t.TempDir()
	emu := startEmulator(ctx, t, EmulatorConfig{Binary: bins.Emulator})

	// A binding on a secondary IP, made by another configuration.
	other := newWorkspace(ctx, t, bins, emu, filepath.Join(dir, "other"), header("")+`
resource "qcloud_eip_association" "secondary" {
  eip_id               = "eip-demo0006"
  network_interface_id = "eni-demo0009"
  private_ip           = "10.0.2.72"
}
`)
	if res := other.Run(ctx, 2*time.Minute, Apply()); !res.OK() {
		t.Fatalf("binding eip-demo0006 on a secondary IP: %s", res.Summary())
	}

	ws := newWorkspace(ctx, t, bins, emu, filepath.Join(dir, "ws"), header("")+`
import {
  to = qcloud_eip_association.primary
  id = "eip-demo0002"
}

import {
  to = qcloud_eip_association.secondary
  id = "eip-demo0006"
}
`)
	if res := ws.Run(ctx, 2*time.Minute, Plan(tfexec.GenerateConfigOut("generated.tf"))); !res.OK() {
		t.Fatalf("plan -generate-config-out: %s", res.Summary())
	}
	generated := readGenerated(t, ws, `instance_id = "ins-demo0002"`, `network_interface_id = "eni-demo0009"`, `private_ip = "10.0.2.72"`)
	imported := planImportsOnly(ctx, t, ws, generated)
	if want := []string{"qcloud_eip_association.primary", "qcloud_eip_association.secondary"}; !slices.Equal(imported, want) {
		t.Errorf("the plan changes %v, want the imports of %v", imported, want)
	}
}

// readGenerated reads the workspace's generated.tf, and checks that it holds
// each of want (spacing aside) and that each of its resources binds in
// exactly one form (instance_id or network_interface_id).
func readGenerated(t *testing.T, ws *Workspace, want ...string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(ws.Dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	generated := string(raw)
	flat := strings.Join(strings.Fields(generated), " ")
	for _, w := range want {
		if !strings.Contains(flat, w) {
			t.Errorf("generated.tf lacks %s:\n%s", w, generated)
		}
	}
	for _, block := range strings.Split(generated, `resource "qcloud_eip_association"`)[1:] {
		forms, flat := 0, strings.Join(strings.Fields(block), " ")
		for _, attr := range []string{"instance_id", "network_interface_id"} {
			if strings.Contains(flat, attr+" = ") && !strings.Contains(flat, attr+" = null") {
				forms++
			}
		}
		if forms != 1 {
			t.Errorf("a generated resource holds %d forms of binding, want 1:\n%s", forms, block)
		}
	}
	return generated
}

// planImportsOnly plans the workspace's configuration, checks that the plan
// warns of nothing and only imports, changing nothing, and returns the
// addresses it imports, sorted.
func planImportsOnly(ctx context.Context, t *testing.T, ws *Workspace, generated string) []string {
	t.Helper()
	planFile := filepath.Join(ws.Dir, "imports.tfplan")
	res := ws.Run(ctx, 2*time.Minute, Plan(tfexec.Out(planFile)))
	if !res.OK() {
		t.Fatalf("plan of the generated configuration: %s\n%s", res.Summary(), generated)
	}
	if w := WarningSummaries(res.Diagnostics); len(w) > 0 {
		t.Errorf("plan of the generated configuration warns: %v", w)
	}
	plan, err := ws.TF.ShowPlanFile(ctx, planFile)
	if err != nil {
		t.Fatal(err)
	}
	var imported []string
	for _, rc := range plan.ResourceChanges {
		if !rc.Change.Actions.NoOp() || rc.Change.Importing == nil {
			t.Errorf("%s: actions %v, importing %v; want an import and no change", rc.Address, rc.Change.Actions, rc.Change.Importing)
		}
		imported = append(imported, rc.Address)
	}
	slices.Sort(imported)
	return imported
}
