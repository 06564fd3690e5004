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
	newer, err := SharedTerraform(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	terraforms := map[string]string{"PATH": bins.Terraform, "shared": newer}
	for _, name := range []string{"PATH", "shared"} {
		t.Run(name, func(t *testing.T) {
			if terraforms[name] == "" {
				t.Skip("no terraform-*-linux_amd64.xz in ../shared/tools beside the clone")
			}
			bins := bins
			bins.Terraform = terraforms[name]
			testGeneratedConfig(ctx, t, bins)
		})
	}
}

func testGeneratedConfig(ctx context.Context, t *testing.T, bins Binaries) {
	dir := t.TempDir()
	emu, err := StartEmulator(ctx, EmulatorConfig{Binary: bins.Emulator, LogPath: filepath.Join(dir, "emulator.log")})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Stop()

	// A binding on a secondary IP, made by another configuration.
	other, err := NewWorkspace(ctx, filepath.Join(dir, "other"), bins, emu.URL, EmulatorConfig{}.Credentials())
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	writeHeader(&b, "")
	b.WriteString(`resource "qcloud_eip_association" "secondary" {
  eip_id               = "eip-demo0006"
  network_interface_id = "eni-demo0009"
  private_ip           = "10.0.2.72"
}
`)
	if err := other.WriteConfig(b.String()); err != nil {
		t.Fatal(err)
	}
	if res := other.Run(ctx, 2*time.Minute, Apply()); !res.OK() {
		t.Fatalf("binding eip-demo0006 on a secondary IP: %s", res.Summary())
	}

	ws, err := NewWorkspace(ctx, filepath.Join(dir, "ws"), bins, emu.URL, EmulatorConfig{}.Credentials())
	if err != nil {
		t.Fatal(err)
	}
	b.Reset()
	writeHeader(&b, "")
	b.WriteString(`import {
  to = qcloud_eip_association.primary
  id = "eip-demo0002"
}

import {
  to = qcloud_eip_association.secondary
  id = "eip-demo0006"
}
`)
	if err := ws.WriteConfig(b.String()); err != nil {
		t.Fatal(err)
	}
	res := ws.Run(ctx, 2*time.Minute, Plan(tfexec.GenerateConfigOut("generated.tf")))
	if !res.OK() {
		t.Fatalf("plan -generate-config-out: %s", res.Summary())
	}
	raw, err := os.ReadFile(filepath.Join(ws.Dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	generated := string(raw)
	for _, want := range []string{`instance_id                 = "ins-demo0002"`, `network_interface_id        = "eni-demo0009"`, `private_ip                  = "10.0.2.72"`} {
		if !strings.Contains(strings.Join(strings.Fields(generated), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("generated.tf lacks %s:\n%s", want, generated)
		}
	}
	for _, resource := range strings.Split(generated, "resource ")[1:] {
		forms, flat := 0, strings.Join(strings.Fields(resource), " ")
		for _, attr := range []string{"instance_id", "network_interface_id"} {
			if strings.Contains(flat, attr+" = ") && !strings.Contains(flat, attr+" = null") {
				forms++
			}
		}
		if forms != 1 {
			t.Errorf("a generated resource holds %d forms of binding, want 1:\n%s", forms, resource)
		}
	}

	planFile := filepath.Join(ws.Dir, "imports.tfplan")
	res = ws.Run(ctx, 2*time.Minute, Plan(tfexec.Out(planFile)))
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
	if want := []string{"qcloud_eip_association.primary", "qcloud_eip_association.secondary"}; !slices.Equal(imported, want) {
		t.Errorf("the plan changes %v, want the imports of %v", imported, want)
	}
}
