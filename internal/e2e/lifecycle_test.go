package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestChangesInOneApply applies MoveScenario, SwapScenario and
// RenameScenario at Terraform's default parallelism: each change must succeed
// in one terraform apply and leave state = world, with the world as the
// configuration asks; terraform destroy must then leave every address as the
// emulator started. The bounds are only there to end a hang.
func TestChangesInOneApply(t *testing.T) {
	ctx, bins := startTest(t, 10*time.Minute)
	for _, sc := range []Scenario{MoveScenario(), SwapScenario(), RenameScenario(10)} {
		t.Run(sc.Name, func(t *testing.T) { testChangeInOneApply(ctx, t, bins, sc) })
	}
}

func testChangeInOneApply(ctx context.Context, t *testing.T, bins Binaries, sc Scenario) {
	emu := startEmulator(ctx, t, EmulatorConfig{Binary: bins.Emulator, Scale: sc.Scale})
	ctl := emu.Control()
	initial, err := ctl.World(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ws := newWorkspace(ctx, t, bins, emu, filepath.Join(t.TempDir(), "ws"), sc.Before.HCL())
	eips := sc.EIPs()
	// run runs a command and reports what went wrong: the command's failure
	// with its diagnostics, state ≠ world, or a world other than want.
	run := func(what string, cmd Command, want map[string]string) (problems []string) {
		t.Helper()
		res := ws.Run(ctx, 5*time.Minute, cmd)
		if !res.OK() {
			problems = append(problems, fmt.Sprintf("terraform %s failed: %s%s\n%s", cmd.Name, res.Summary(), describeErrors(res), res.Stderr))
		}
		check, err := ws.CheckWorld(ctx, ctl, eips, 10*time.Second)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if !check.OK() {
			problems = append(problems, check.String())
		}
		if diff := DiffBindings(want, WorldBindings(check.World, eips), eips); len(diff) > 0 {
			problems = append(problems, "the world is not what the configuration asks: "+strings.Join(diff, "; "))
		}
		return problems
	}

	if problems := run("the first configuration", Apply(), sc.Before.Want()); len(problems) > 0 {
		t.Fatalf("applying the first configuration:\n%s", strings.Join(problems, "\n"))
	}
	if err := ws.WriteConfig(sc.After.HCL()); err != nil {
		t.Fatal(err)
	}
	if problems := run("the change", Apply(), sc.After.Want()); len(problems) > 0 {
		t.Errorf("%s, in one terraform apply:\n%s", sc.Title, strings.Join(problems, "\n"))
	}
	if problems := run("the destroy", Destroy(), nil); len(problems) > 0 {
		t.Errorf("terraform destroy:\n%s", strings.Join(problems, "\n"))
	}
	final, err := ctl.World(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range initial.Addresses {
		if b, _ := final.Address(a.AddressID); b.Status != a.Status || b.InstanceID != a.InstanceID {
			t.Errorf("after the destroy %s is %s %s; the emulator started with it %s %s", a.AddressID, b.Status, b.InstanceID, a.Status, a.InstanceID)
		}
	}
}

// describeErrors lists a result's error diagnostics, address, summary and
// detail.
func describeErrors(res *Result) string {
	var b strings.Builder
	for _, d := range ErrorDiagnostics(res.Stdout) {
		fmt.Fprintf(&b, "\n  %s: %s: %s", d.Address, d.Summary, strings.ReplaceAll(d.Detail, "\n", " "))
	}
	return b.String()
}
