// Command lifecycle is the lifecycle matrix (`make lifecycle RUNS=…`): for
// each scenario (e2e.MoveScenario, SwapScenario, RenameScenario,
// RekeyScenario) × -parallelism × run, a fresh qcloud-emulator (default rate
// limits and task delay) and workspace; `terraform apply` of the scenario's
// first configuration (at the default parallelism: a failure is a harness
// failure), then the measured `terraform apply -parallelism=P` of its change.
// After every apply, state is compared with the world; when the measured
// apply fails, apply runs once more, and the run records whether it
// converges (succeeds, state = world, the world as the configuration asks).
// One line per (scenario, parallelism), as each completes:
//
//	scenario=<s> parallelism=<p> runs=<r> ok_first=<k> converged_second=<k> failed_twice=<k> state_mismatch=<k> wall_median_s=<s> wall_max_s=<s> second_wall_max_s=<s> holder_unnamed=<k> errors=<summary (×k); …>
//
// state_mismatch counts the applies after which state ≠ world (it must be
// 0); wall_* are the measured applies' (second_*: the second ones'); errors,
// the distinct error summaries of the failed applies; holder_unnamed, the
// error diagnostics of a resource being created that name neither what held
// its EIP nor what held its instance before the change. A markdown table of
// the same follows, for RELIABILITY.md.
//
//	go run ./internal/e2e/lifecycle -runs 2 -scenarios move,swap -parallelism 1,10
//
// -command-timeout bounds every terraform command, -resource-timeout every
// create and delete (so that an apply waiting on itself costs minutes), and
// -timeout the whole run (cells not reached are reported as not run). It
// exits 1 on a harness failure, when state ≠ world after an apply, or when an
// apply succeeded and the world is not what the configuration asks; failed
// measured applies are what it measures, not failures.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/e2e"
)

type options struct {
	runs            int
	scenarios       []e2e.Scenario
	parallelism     []int
	workdir         string
	keep            bool
	timeout         time.Duration
	cmdTimeout      time.Duration
	resourceTimeout string
	verbose         bool
	build           e2e.BuildOptions
}

func allScenarios() []e2e.Scenario {
	return []e2e.Scenario{e2e.MoveScenario(), e2e.SwapScenario(), e2e.RenameScenario(20), e2e.RekeyScenario(30), e2e.RekeyScenario(100)}
}

func main() {
	var o options
	var scenarios, parallelism string
	var names []string
	for _, s := range allScenarios() {
		names = append(names, s.Name)
	}
	flag.IntVar(&o.runs, "runs", 10, "runs of each (scenario, parallelism)")
	flag.StringVar(&scenarios, "scenarios", strings.Join(names, ","), "scenarios to run, comma-separated")
	flag.StringVar(&parallelism, "parallelism", "1,2,10,100", "terraform -parallelism values of the measured apply, comma-separated")
	flag.StringVar(&o.workdir, "workdir", "", "work directory (default: a new temporary directory)")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory (it is also kept after a harness failure or state ≠ world)")
	flag.DurationVar(&o.timeout, "timeout", 90*time.Minute, "bound on the whole run")
	flag.DurationVar(&o.cmdTimeout, "command-timeout", 5*time.Minute, "bound on each terraform command")
	flag.StringVar(&o.resourceTimeout, "resource-timeout", "2m", `create and delete timeouts of every association ("": the provider's default)`)
	flag.BoolVar(&o.verbose, "v", false, "print the output of every failed apply")
	e2e.BuildFlags(&o.build)
	flag.Parse()
	usage := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "lifecycle: "+format+"\n", args...)
		os.Exit(2)
	}
	if o.runs < 1 {
		usage("-runs must be at least 1")
	}
	for _, name := range strings.Split(scenarios, ",") {
		i := slices.IndexFunc(allScenarios(), func(s e2e.Scenario) bool { return s.Name == strings.TrimSpace(name) })
		if i < 0 {
			usage("no scenario %q; there are %s", name, strings.Join(names, ", "))
		}
		o.scenarios = append(o.scenarios, allScenarios()[i].WithTimeout(o.resourceTimeout))
	}
	for _, s := range strings.Split(parallelism, ",") {
		p, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || p < 1 {
			usage("-parallelism: %q is not a positive number", s)
		}
		o.parallelism = append(o.parallelism, p)
	}
	os.Exit(run(o))
}

func logf(format string, args ...any) { fmt.Fprintf(os.Stderr, "lifecycle: "+format+"\n", args...) }

// setupParallelism is the parallelism of the unmeasured first apply:
// Terraform's default.
const setupParallelism = 10

// settle is how long tasks an apply left running may take to land before
// state and world are compared.
const settle = 5 * time.Second

// runResult is one run of a scenario at one parallelism: the measured
// apply, when it ran, and the second one, when the measured apply failed.
type runResult struct {
	first, second *applied
	converged     bool
	stateMismatch int
	errors        []string // error summaries of the failed applies
	firstErrors   int      // how many of them are the measured apply's
	holderUnnamed int
	problems      []string // harness failures and broken invariants
}

// applied is what a run keeps of an apply.
type applied struct {
	ok      bool
	wall    time.Duration
	summary string
}

func appliedOf(res *e2e.Result) *applied { return &applied{res.OK(), res.Wall, res.Summary()} }

func (r *runResult) problem(format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

// cell is one (scenario, parallelism) of the matrix.
type cell struct {
	scenario    e2e.Scenario
	parallelism int
	runs        []*runResult
}

func run(o options) int {
	interrupted, stop := e2e.InterruptContext()
	defer stop()
	dir, err := e2e.MakeWorkDir(o.workdir, "qcloud-lifecycle-")
	if err != nil {
		logf("%v", err)
		return 1
	}
	keep := o.keep
	defer func() {
		if keep || interrupted.Err() != nil {
			logf("work directory kept: %s", dir)
		} else {
			_ = os.RemoveAll(dir)
		}
	}()
	ctx, cancel := context.WithTimeoutCause(interrupted, o.timeout, fmt.Errorf("the matrix exceeded -timeout %s", o.timeout))
	defer cancel()

	o.build.Dir, o.build.Log = filepath.Join(dir, "bin"), logf
	bins, err := e2e.Build(ctx, o.build)
	if err != nil {
		logf("%v", err)
		return 1
	}
	timeouts := cmp.Or(o.resourceTimeout, "the provider's default")
	logf("%d runs of each cell; emulator with default rate limits and task delay; create/delete timeouts %s; each command bounded by %s",
		o.runs, timeouts, o.cmdTimeout)

	start := time.Now()
	var cells []*cell
	failed := 0
	for _, sc := range o.scenarios {
		for _, p := range o.parallelism {
			c := &cell{scenario: sc, parallelism: p}
			cells = append(cells, c)
			for i := range o.runs {
				if ctx.Err() != nil {
					break
				}
				runDir := filepath.Join(dir, fmt.Sprintf("%s-p%d-run%02d", sc.Name, p, i+1))
				r := runOnce(ctx, o, bins, runDir, sc, p)
				c.runs = append(c.runs, r)
				logf("%s -parallelism=%d run %d/%d: %s", sc.Name, p, i+1, o.runs, r.describe())
				for _, pr := range r.problems {
					logf("    PROBLEM: %s (%s)", pr, runDir)
				}
				if len(r.problems) > 0 {
					failed++
					keep = true
				} else if !o.keep {
					_ = os.RemoveAll(runDir)
				}
			}
			if len(c.runs) > 0 {
				fmt.Println(c.line())
			}
		}
	}
	if interrupted.Err() != nil {
		return 130
	}
	fmt.Println()
	fmt.Println(table(cells, o.runs))
	notRun := 0
	for _, c := range cells {
		notRun += o.runs - len(c.runs)
	}
	fmt.Printf("\n%d runs in %s; %d with problems; %d not run.\n", len(cells)*o.runs-notRun, time.Since(start).Round(time.Second), failed, notRun)
	if failed > 0 || notRun > 0 {
		if notRun > 0 {
			logf("%v", context.Cause(ctx))
		}
		return 1
	}
	return 0
}

// runOnce runs a scenario once at parallelism p, with its own emulator.
func runOnce(ctx context.Context, o options, bins e2e.Binaries, dir string, sc e2e.Scenario, p int) *runResult {
	r := &runResult{}
	cfg := e2e.EmulatorConfig{Binary: bins.Emulator, Scale: sc.Scale, LogPath: filepath.Join(dir, "emulator.log"), Verbose: true}
	emu, err := e2e.StartEmulator(ctx, cfg)
	if err != nil {
		r.problem("starting the emulator: %v", err)
		return r
	}
	defer emu.Stop()
	ctl := emu.Control()
	ws, err := e2e.NewWorkspace(ctx, filepath.Join(dir, "ws"), bins, emu.URL, cfg.Credentials())
	if err == nil {
		err = ws.WriteConfig(sc.Before.HCL())
	}
	if err != nil {
		r.problem("%v", err)
		return r
	}
	eips := sc.EIPs()
	step := 0
	apply := func(label string, parallelism int, want map[string]string) *e2e.Result {
		step++
		res := ws.Run(ctx, o.cmdTimeout, e2e.Apply(tfexec.Parallelism(parallelism)))
		_ = res.WriteLog(filepath.Join(dir, fmt.Sprintf("%d-%s.log", step, label)))
		if !res.OK() && o.verbose {
			fmt.Fprintf(os.Stderr, "--- %s: terraform apply (%s)\n%s\n%s\n", dir, label, res.Stdout, res.Stderr)
		}
		if emu.DiedUnasked() {
			r.problem("%s: the emulator process ended on its own (%v); its log: %s", label, emu.ExitErr(), cfg.LogPath)
			return res
		}
		check, err := ws.CheckWorld(ctx, ctl, eips, settle)
		switch {
		case err != nil:
			r.problem("%s: comparing state and world: %v", label, err)
		case !check.OK():
			r.stateMismatch++
			r.problem("%s (%s): %s", label, res.Summary(), check.Brief(5))
		case res.OK():
			if diff := e2e.DiffBindings(want, e2e.WorldBindings(check.World, eips), eips); len(diff) > 0 {
				r.problem("%s succeeded, but the world is not what the configuration asks: %s", label, strings.Join(diff, "; "))
			}
		}
		return res
	}

	if res := apply("setup", setupParallelism, sc.Before.Want()); !res.OK() {
		r.problem("the first configuration did not apply: %s", res.Summary())
		return r
	}
	if len(r.problems) > 0 {
		return r
	}
	if err := ws.WriteConfig(sc.After.HCL()); err != nil {
		r.problem("%v", err)
		return r
	}
	first := apply("measured", p, sc.After.Want())
	if r.first = appliedOf(first); first.OK() {
		return r
	}
	r.noteErrors(sc, first)
	r.firstErrors = len(r.errors)
	problems := len(r.problems)
	second := apply("second", p, sc.After.Want())
	r.second = appliedOf(second)
	r.converged = second.OK() && len(r.problems) == problems
	if !second.OK() {
		r.noteErrors(sc, second)
	}
	return r
}

// noteErrors records a failed apply's error summaries, and counts the
// diagnostics of resources being created that name nothing that held their
// EIP or instance before the change.
func (r *runResult) noteErrors(sc e2e.Scenario, res *e2e.Result) {
	before, after := sc.Before.Instances(), sc.After.Instances()
	diags := e2e.ErrorDiagnostics(res.Stdout)
	for _, d := range diags {
		r.errors = append(r.errors, d.Summary)
		bind, creating := after[d.Address]
		if !creating {
			continue
		}
		var holders []string // what held the EIP or the instance, and its address
		for addr, held := range before {
			if held.EIP == bind.EIP && held.Instance != bind.Instance {
				holders = append(holders, addr, held.Instance)
			}
			if held.Instance == bind.Instance && held.EIP != bind.EIP {
				holders = append(holders, addr, held.EIP)
			}
		}
		text := d.Summary + "\n" + d.Detail
		if len(holders) > 0 && !slices.ContainsFunc(holders, func(h string) bool { return strings.Contains(text, h) }) {
			r.holderUnnamed++
		}
	}
	if len(diags) == 0 {
		r.errors = append(r.errors, "(no error diagnostic: "+res.Summary()+")")
	}
	if crash := e2e.ProviderCrash(res.Stderr); crash != "" {
		r.errors = append(r.errors, "(the provider crashed: "+crash+")")
	}
}

func (r *runResult) describe() string {
	var b strings.Builder
	switch {
	case r.first == nil:
		b.WriteString("not measured")
	case r.first.ok:
		fmt.Fprintf(&b, "ok in one apply (%.1f s)", r.first.wall.Seconds())
	default:
		fmt.Fprintf(&b, "failed (%.1f s): %s", r.first.wall.Seconds(), strings.Join(distinct(r.errors[:r.firstErrors]), "; "))
		if r.converged {
			fmt.Fprintf(&b, "; second apply converged (%.1f s)", r.second.wall.Seconds())
		} else {
			fmt.Fprintf(&b, "; second apply did NOT converge (%.1f s)", r.second.wall.Seconds())
			if !r.second.ok {
				b.WriteString(": " + r.second.summary)
			}
		}
	}
	if r.stateMismatch > 0 {
		fmt.Fprintf(&b, "; state ≠ world after %d applies", r.stateMismatch)
	}
	return b.String()
}

// stats are a cell's figures.
type stats struct {
	runs, okFirst, converged, failedTwice, stateMismatch, holderUnnamed, problems int
	walls, secondWalls                                                            []time.Duration
	errors                                                                        []string
}

func (c *cell) stats() stats {
	s := stats{runs: len(c.runs)}
	for _, r := range c.runs {
		if len(r.problems) > 0 {
			s.problems++
		}
		s.stateMismatch += r.stateMismatch
		s.holderUnnamed += r.holderUnnamed
		s.errors = append(s.errors, r.errors...)
		if r.first == nil {
			continue // a harness failure before the measured apply
		}
		s.walls = append(s.walls, r.first.wall)
		switch {
		case r.first.ok:
			s.okFirst++
		case r.converged:
			s.converged++
		default:
			s.failedTwice++
		}
		if r.second != nil {
			s.secondWalls = append(s.secondWalls, r.second.wall)
		}
	}
	return s
}

func (c *cell) line() string {
	s := c.stats()
	return fmt.Sprintf("scenario=%s parallelism=%d runs=%d ok_first=%d converged_second=%d failed_twice=%d state_mismatch=%d "+
		"wall_median_s=%.2f wall_max_s=%.2f second_wall_max_s=%.2f holder_unnamed=%d harness_problems=%d errors=%s",
		c.scenario.Name, c.parallelism, s.runs, s.okFirst, s.converged, s.failedTwice, s.stateMismatch,
		e2e.Median(s.walls).Seconds(), slices.Max(append(s.walls, 0)).Seconds(), slices.Max(append(s.secondWalls, 0)).Seconds(),
		s.holderUnnamed, s.problems, strings.Join(distinct(s.errors), "; "))
}

// table renders the matrix as markdown.
func table(cells []*cell, runs int) string {
	var b strings.Builder
	b.WriteString("| scenario | `-parallelism` | runs | ok in one apply | converged on the second apply | state = world after every apply | " +
		"wall of the apply, median / max (s) | errors of the failed applies |\n")
	b.WriteString("|---|---:|---:|---:|---:|---|---:|---|\n")
	for _, c := range cells {
		s := c.stats()
		if s.runs == 0 {
			fmt.Fprintf(&b, "| `%s` %s | %d | not run | | | | | |\n", c.scenario.Name, c.scenario.Title, c.parallelism)
			continue
		}
		runsCell := strconv.Itoa(s.runs)
		if s.runs < runs {
			runsCell += fmt.Sprintf(" of %d", runs)
		}
		second := fmt.Sprintf("%d of %d", s.converged, s.converged+s.failedTwice)
		if s.converged+s.failedTwice == 0 {
			second = "—"
		}
		state := "yes"
		if s.stateMismatch > 0 {
			state = fmt.Sprintf("**NO** (%d applies)", s.stateMismatch)
		}
		errs := strings.Join(distinct(s.errors), "; ")
		if s.holderUnnamed > 0 {
			errs += fmt.Sprintf(" (%d diagnostics name neither what held the EIP nor what held the instance)", s.holderUnnamed)
		}
		if s.problems > 0 {
			errs += fmt.Sprintf(" **%d runs with harness problems**", s.problems)
		}
		cells := []string{"`" + c.scenario.Name + "` " + c.scenario.Title, strconv.Itoa(c.parallelism), runsCell,
			fmt.Sprintf("%d of %d", s.okFirst, len(s.walls)), second, state,
			fmt.Sprintf("%.1f / %.1f", e2e.Median(s.walls).Seconds(), slices.Max(append(s.walls, 0)).Seconds()), errs}
		for i := range cells {
			cells[i] = strings.ReplaceAll(strings.ReplaceAll(cells[i], "|", "\\|"), "\n", " ")
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// distinct lists the distinct strings, most frequent first, each with its
// count when more than one.
func distinct(ss []string) []string {
	counts := map[string]int{}
	for _, s := range ss {
		counts[s]++
	}
	keys := slices.SortedFunc(maps.Keys(counts), func(a, b string) int {
		return cmp.Or(counts[b]-counts[a], strings.Compare(a, b)) // most frequent first
	})
	for i, k := range keys {
		if counts[k] > 1 {
			keys[i] = fmt.Sprintf("%s (×%d)", k, counts[k])
		}
	}
	return keys
}
