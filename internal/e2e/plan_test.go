package e2e

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"
)

// TestPlansDoNotDependOnParallelism plans one change ten times at each of
// -parallelism 1, 2, 10 and 100: a re-key of 30 for_each bindings onto new
// EIPs of the same instances, where every create's target holds the EIP of a
// binding the same plan destroys. Terraform plans the resources in a
// different order each time; the diagnostics must be the same every time,
// and none an error.
func TestPlansDoNotDependOnParallelism(t *testing.T) {
	ctx, bins := startTest(t, 10*time.Minute)
	sc := RekeyScenario(30)
	emu := startEmulator(ctx, t, EmulatorConfig{Binary: bins.Emulator, Scale: sc.Scale})
	ws := newWorkspace(ctx, t, bins, emu, filepath.Join(t.TempDir(), "ws"), sc.Before.HCL())
	if res := ws.Run(ctx, 5*time.Minute, Apply()); !res.OK() {
		t.Fatalf("applying the first configuration: %s%s", res.Summary(), describeErrors(res))
	}
	if err := ws.WriteConfig(sc.After.HCL()); err != nil {
		t.Fatal(err)
	}

	const runs = 10
	seen := map[string][]string{} // diagnostics → the runs that showed them
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, p := range []int{1, 2, 10, 100} {
		// Plans only read: they share the workspace's directory, without its
		// lock, each through a Workspace of its own (one runs one command at
		// a time).
		ws, err := NewWorkspace(ctx, ws.Dir, bins, emu.URL, emu.Config.Credentials())
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			for run := 1; run <= runs; run++ {
				res := ws.Run(ctx, 2*time.Minute, Plan(tfexec.Parallelism(p), tfexec.Lock(false)))
				got := "terraform plan failed: " + res.Summary() + "\n" + res.Stderr
				if res.OK() {
					got = planDiagnostics(res.Stdout)
				}
				mu.Lock()
				seen[got] = append(seen[got], fmt.Sprintf("-parallelism=%d run %d", p, run))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != 1 {
		var b strings.Builder
		for diags, where := range seen {
			fmt.Fprintf(&b, "\n%d plans (%s):\n%s", len(where), strings.Join(where[:min(3, len(where))], ", "), diags)
		}
		t.Fatalf("the same plan showed %d different sets of diagnostics:%s", len(seen), b.String())
	}
	for diags := range seen {
		if strings.Contains(diags, string(tfjson.DiagnosticSeverityError)+" ") {
			t.Fatalf("every plan showed an error:\n%s", diags)
		}
		t.Logf("every plan showed the same %d diagnostics", strings.Count(diags, "\n"))
	}
}

// planDiagnostics is a plan's provider diagnostics, one a line (severity,
// address, summary, detail), sorted: the order Terraform prints them in
// follows the order it planned the resources.
func planDiagnostics(stdout string) string {
	var lines []string
	for _, d := range AddressedDiagnostics(stdout) {
		if strings.Contains(d.Summary, "development overrides") {
			continue
		}
		lines = append(lines, fmt.Sprintf("%s %s %s: %s", d.Severity, d.Address, d.Summary, strings.Join(strings.Fields(d.Detail), " ")))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n") + "\n"
}
