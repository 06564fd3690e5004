// Command bench is the scale benchmark (`make bench N=…`): terraform with the
// built provider against a qcloud-emulator with its default rate limits and
// task delay and a world of N free EIPs and instances, at Terraform's default
// parallelism. For each phase (plan of N new associations, startup: plan
// -refresh=false of one, apply, query of N bindings, refresh, destroy) it
// prints a line
//
//	phase=<p> n=<N> wall_s=<s> baseline_wall_s=<s> describe_calls=<k> write_calls=<k> other_calls=<k> throttled_to_user=<k> peak_rss_mb=<m>
//
// and a "targets" line of ratios and met_*=yes|no. BENCHMARKS.md says what
// each field measures and sets the targets (at N = 1000). baseline is N
// terraform_data; the framework floor, N associations on
// internal/e2e/noapiprovider. It exits 1 when a command fails, the refresh
// plan shows changes, or the state disagrees with the emulator's world.
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
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/e2e"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

type options struct {
	n           int
	startupRuns int
	workdir     string
	keep        bool
	timeout     time.Duration
	build       e2e.BuildOptions
}

func main() {
	var o options
	flag.IntVar(&o.n, "n", 100, "number of associations (and of EIPs and instances in the emulator's world)")
	flag.IntVar(&o.startupRuns, "startup-runs", 5, "runs of each start-up plan; the median is reported")
	flag.StringVar(&o.workdir, "workdir", "", "work directory (default: a new temporary directory)")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory")
	flag.DurationVar(&o.timeout, "timeout", 60*time.Minute, "bound on the whole run")
	e2e.BuildFlags(&o.build)
	flag.Parse()
	if o.n < 1 || o.n > 999999 {
		fmt.Fprintln(os.Stderr, "bench: -n must be between 1 and 999999")
		os.Exit(2)
	}
	os.Exit(run(o))
}

// writesPerSecond is the documented write limit: N writes need at least N/10 s.
const writesPerSecond = 10.0

const commandTimeout = 20 * time.Minute

// Runs and targets of the plan and query phases (at N = 1000).
const (
	planRuns            = 3
	planMaxDescribe     = 12
	planMaxVsFramework  = 1.2
	queryRuns           = 3
	queryMaxVsFramework = 1.5
)

func logf(format string, args ...any) { fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...) }

// workspaces are the three sides of a measure: N associations, N
// terraform_data (baseline), N associations on the framework floor.
type workspaces struct{ assoc, base, floor *e2e.Workspace }

type bench struct {
	o      options
	emu    *e2e.EmulatorProcess
	ctl    *e2e.Control
	n      workspaces // N of each
	one    workspaces // one of each, for the start-up
	query  workspaces // query workspaces (no baseline)
	failed []string
}

func (b *bench) fail(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	b.failed = append(b.failed, msg)
	logf("FAILED: %s", msg)
}

func run(o options) int {
	ctx, stop := e2e.InterruptContext()
	defer stop()
	dir, err := e2e.MakeWorkDir(o.workdir, "qcloud-bench-")
	if err != nil {
		logf("%v", err)
		return 1
	}
	defer func() {
		switch {
		case ctx.Err() != nil:
			logf("interrupted; work directory left at %s", dir)
		case o.keep:
			logf("work directory kept: %s", dir)
		default:
			_ = os.RemoveAll(dir)
		}
	}()
	b := &bench{o: o}
	if code := b.run(ctx, dir); ctx.Err() == nil {
		return code
	}
	return 130
}

func (b *bench) run(ctx context.Context, dir string) int {
	o := b.o
	ctx, cancel := context.WithTimeoutCause(ctx, o.timeout, fmt.Errorf("the benchmark exceeded -timeout %s", o.timeout))
	defer cancel()
	if err := b.setUp(ctx, dir); err != nil {
		logf("%v", err)
		return 1
	}
	defer b.emu.Stop()

	b.plan(ctx)
	b.startup(ctx)
	b.phase(ctx, "apply", e2e.Apply(), o.n)
	b.queryPhase(ctx)
	b.phase(ctx, "refresh", e2e.Plan(), o.n)
	b.phase(ctx, "destroy", e2e.Destroy(), 0)

	if len(b.failed) > 0 {
		logf("%d problems:\n  %s", len(b.failed), strings.Join(b.failed, "\n  "))
		return 1
	}
	return 0
}

// setUp builds the binaries, starts the emulator and writes the workspaces.
func (b *bench) setUp(ctx context.Context, dir string) error {
	b.o.build.Dir, b.o.build.Log = filepath.Join(dir, "bin"), logf
	bins, err := e2e.Build(ctx, b.o.build)
	if err != nil {
		return err
	}
	noAPIBins := bins
	if noAPIBins.Provider, err = e2e.BuildNoAPIProvider(ctx, filepath.Join(dir, "no-api-bin")); err != nil {
		return err
	}
	emuCfg := e2e.EmulatorConfig{Binary: bins.Emulator, Scale: b.o.n, LogPath: filepath.Join(dir, "emulator.log"), StartTimeout: time.Minute}
	if b.emu, err = e2e.StartEmulator(ctx, emuCfg); err != nil {
		return err
	}
	b.ctl = b.emu.Control()
	logf("emulator %s with -scale %d, default rate limits (write 10/s, read 20/s) and task delay (300ms)", b.emu.URL, b.o.n)

	var wsErr error
	newWS := func(bins e2e.Binaries, name, config string) *e2e.Workspace {
		ws, err := e2e.NewWorkspace(ctx, filepath.Join(dir, name), bins, b.emu.URL, emuCfg.Credentials())
		if err == nil {
			err = ws.WriteConfig(config)
		}
		wsErr = cmp.Or(wsErr, err)
		return ws
	}
	assocs := func(n int) string { return e2e.AssociationsConfig{N: n}.HCL() }
	b.n = workspaces{newWS(bins, "associations", assocs(b.o.n)), newWS(bins, "baseline", e2e.BaselineConfig(b.o.n)),
		newWS(noAPIBins, "framework-floor", assocs(b.o.n))}
	b.one = workspaces{newWS(bins, "startup-association", assocs(1)), newWS(bins, "startup-baseline", e2e.BaselineConfig(1)),
		newWS(noAPIBins, "startup-framework-floor", assocs(1))}

	// terraform query needs Terraform 1.14+: the one beside the clone, if any.
	newer, err := e2e.SharedTerraform(ctx, filepath.Join(dir, "terraform-query"))
	if err != nil {
		return err
	}
	if newer != "" {
		bins.Terraform, noAPIBins.Terraform = newer, newer
	}
	b.query = workspaces{assoc: newWS(bins, "query", assocs(0)), floor: newWS(noAPIBins, "query-framework-floor", assocs(0))}
	for _, ws := range []*e2e.Workspace{b.query.assoc, b.query.floor} {
		if wsErr == nil {
			wsErr = ws.WriteFile("all.tfquery.hcl", e2e.QueryConfig(b.o.n))
		}
	}
	return wsErr
}

// measure runs cmd in ws with the emulator's counters reset before, and
// returns its result and the counters after; ok is false when the counters
// could not be reset or read.
func (b *bench) measure(ctx context.Context, label string, ws *e2e.Workspace, cmd e2e.Command) (res *e2e.Result, stats emulator.Stats, ok bool) {
	resetErr := b.ctl.ResetStats(ctx)
	if resetErr != nil {
		b.fail("%s: resetting stats: %v", label, resetErr)
	}
	res = ws.Run(ctx, commandTimeout, cmd)
	stats, err := b.ctl.Stats(ctx)
	if err != nil {
		b.fail("%s: reading stats: %v", label, err)
	}
	return res, stats, resetErr == nil && err == nil
}

// timed runs cmd in ws and adds its wall to walls; it returns the result,
// or nil when the command failed (the failure recorded).
func (b *bench) timed(ctx context.Context, label string, ws *e2e.Workspace, cmd e2e.Command, walls *[]time.Duration) *e2e.Result {
	res := ws.Run(ctx, commandTimeout, cmd)
	if !res.OK() {
		b.failCommand(label, res)
		return nil
	}
	*walls = append(*walls, res.Wall)
	return res
}

// startup times `terraform plan -refresh=false` of one association against
// one terraform_data and one association on the framework floor,
// alternating, and reports the medians.
func (b *bench) startup(ctx context.Context) {
	plan := e2e.Plan(tfexec.Refresh(false))
	var walls, baseWalls, floorWalls []time.Duration
	var peak int64
	if err := b.ctl.ResetStats(ctx); err != nil {
		b.fail("startup: %v", err)
	}
	throttled := 0
	for range b.o.startupRuns {
		res := b.timed(ctx, "startup: one association", b.one.assoc, plan, &walls)
		if res == nil || b.timed(ctx, "startup: one terraform_data", b.one.base, plan, &baseWalls) == nil ||
			b.timed(ctx, "startup: one association on the framework floor", b.one.floor, plan, &floorWalls) == nil {
			return
		}
		peak = max(peak, res.PeakRSS)
		throttled += e2e.CountMentioning(res.Diagnostics, "RequestLimitExceeded")
	}
	calls := e2e.Calls{}
	if s, err := b.ctl.Stats(ctx); err == nil {
		calls = e2e.CountCalls(s)
	}
	wall, baseWall, floorWall := e2e.Median(walls), e2e.Median(baseWalls), e2e.Median(floorWalls)
	fmt.Printf("phase=startup n=1 wall_s=%.3f baseline_wall_s=%.3f describe_calls=%d write_calls=%d other_calls=%d throttled_to_user=%d peak_rss_mb=%.1f\n",
		wall.Seconds(), baseWall.Seconds(), calls.Describe, calls.Write, calls.Other, throttled, mib(peak))
	ratio := wall.Seconds() / baseWall.Seconds()
	fmt.Printf("targets phase=startup n=1 runs=%d wall_vs_baseline=%.2f framework_floor_wall_s=%.3f wall_vs_framework_floor=%.2f met_wall=%s met_rss=%s all_wall_s=%s all_baseline_wall_s=%s all_framework_floor_wall_s=%s\n",
		b.o.startupRuns, ratio, floorWall.Seconds(), wall.Seconds()/floorWall.Seconds(), met(ratio <= 1.5), met(mib(peak) < 100),
		seconds(walls), seconds(baseWalls), seconds(floorWalls))
}

// plan times `terraform plan` of the N new associations (no state yet)
// against the same plan of N terraform_data and on the framework floor,
// alternating, planRuns times; it reports the median walls and, per plan,
// the most calls any run made.
func (b *bench) plan(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	var walls, baseWalls, floorWalls []time.Duration
	var describes []int
	others := map[string]int{}
	var peak int64
	throttled, writes := 0, 0
	summary := fmt.Sprintf("Plan: %d to add, 0 to change, 0 to destroy.", b.o.n)
	for i := range planRuns {
		logf("plan: %d new associations (run %d of %d)…", b.o.n, i+1, planRuns)
		res, stats, ok := b.measure(ctx, "plan", b.n.assoc, e2e.Plan())
		if !ok {
			return
		}
		if !res.OK() || !strings.Contains(res.Stdout, summary) {
			b.fail("plan: terraform plan of %d new associations: %s; want %q\n%s", b.o.n, res.Summary(), summary, e2e.LastLines(res.Stderr, 40))
			return
		}
		calls := e2e.CountCalls(stats)
		describes = append(describes, calls.Describe)
		writes = max(writes, calls.Write)
		for action, n := range stats.Calls {
			if action != "DescribeAddresses" && n > 0 {
				others[action] = max(others[action], n)
			}
		}
		throttled = max(throttled, e2e.CountMentioning(res.Diagnostics, "RequestLimitExceeded"))
		peak = max(peak, res.PeakRSS)
		walls = append(walls, res.Wall)
		if b.timed(ctx, "plan: baseline", b.n.base, e2e.Plan(), &baseWalls) == nil ||
			b.timed(ctx, "plan: framework floor", b.n.floor, e2e.Plan(), &floorWalls) == nil {
			return
		}
	}
	if writes > 0 {
		b.fail("plan: %d write calls; a plan must make none", writes)
	}
	other, byAction := 0, []string{}
	for _, action := range slices.Sorted(maps.Keys(others)) {
		other += others[action]
		byAction = append(byAction, fmt.Sprintf("%s:%d", action, others[action]))
	}
	describe := slices.Max(describes)
	wall, baseWall, floorWall := e2e.Median(walls), e2e.Median(baseWalls), e2e.Median(floorWalls)
	fmt.Printf("phase=plan n=%d wall_s=%.3f baseline_wall_s=%.3f describe_calls=%d write_calls=%d other_calls=%d throttled_to_user=%d peak_rss_mb=%.1f\n",
		b.o.n, wall.Seconds(), baseWall.Seconds(), describe, writes, other, throttled, mib(peak))
	ratio := wall.Seconds() / floorWall.Seconds()
	fmt.Printf("targets phase=plan n=%d runs=%d other_calls_by_action=%s framework_floor_wall_s=%.3f wall_vs_framework_floor=%.2f wall_vs_baseline=%.2f "+
		"met_describe=%s met_wall=%s met_throttle=%s met_rss=%s all_describe_calls=%s all_wall_s=%s all_baseline_wall_s=%s all_framework_floor_wall_s=%s\n",
		b.o.n, planRuns, cmp.Or(strings.Join(byAction, ","), "none"), floorWall.Seconds(), ratio, wall.Seconds()/baseWall.Seconds(),
		met(describe <= planMaxDescribe), met(ratio <= planMaxVsFramework), met(throttled == 0), met(mib(peak) < 100),
		ints(describes), seconds(walls), seconds(baseWalls), seconds(floorWalls))
}

// queryPhase times `terraform query` of N of the bindings the apply made
// (limit N, with their resources, as -generate-config-out asks for them)
// against the same query of N made-up results on the framework floor,
// alternating, queryRuns times.
func (b *bench) queryPhase(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	var walls, floorWalls []time.Duration
	var describes []int
	var peak int64
	for i := range queryRuns {
		logf("query: %d bindings (run %d of %d)…", b.o.n, i+1, queryRuns)
		var messages []tfjson.LogMsg
		res, stats, ok := b.measure(ctx, "query", b.query.assoc, e2e.Query(&messages))
		if res.Err != nil && strings.Contains(res.Err.Error(), "was added in 1.14.0") {
			logf("query: skipped: terraform query needs Terraform 1.14 or later, and there is none in ../shared/tools")
			return
		}
		if !ok {
			return
		}
		if found := countFound(messages); !res.OK() || found != b.o.n {
			b.fail("query: terraform query of %d bindings: %s; %d found\n%s", b.o.n, res.Summary(), found, e2e.LastLines(res.Stderr, 40))
			return
		}
		describes = append(describes, e2e.CountCalls(stats).Describe)
		peak = max(peak, res.PeakRSS)
		walls = append(walls, res.Wall)
		var floorMessages []tfjson.LogMsg
		floor := b.query.floor.Run(ctx, commandTimeout, e2e.Query(&floorMessages))
		if found := countFound(floorMessages); !floor.OK() || found != b.o.n {
			b.fail("query: framework floor: %s; %d found\n%s", floor.Summary(), found, e2e.LastLines(floor.Stderr, 40))
			return
		}
		floorWalls = append(floorWalls, floor.Wall)
	}
	describe := slices.Max(describes)
	wall, floorWall := e2e.Median(walls), e2e.Median(floorWalls)
	ratio := wall.Seconds() / floorWall.Seconds()
	fmt.Printf("phase=query n=%d wall_s=%.3f framework_floor_wall_s=%.3f describe_calls=%d peak_rss_mb=%.1f\n",
		b.o.n, wall.Seconds(), floorWall.Seconds(), describe, mib(peak))
	fmt.Printf("targets phase=query n=%d runs=%d wall_vs_framework_floor=%.2f met_describe=%s met_wall=%s met_rss=%s "+
		"all_describe_calls=%s all_wall_s=%s all_framework_floor_wall_s=%s\n",
		b.o.n, queryRuns, ratio, met(describe <= (b.o.n+99)/100), met(ratio <= queryMaxVsFramework),
		met(mib(peak) < 100), ints(describes), seconds(walls), seconds(floorWalls))
}

// countFound counts terraform query's results.
func countFound(messages []tfjson.LogMsg) int {
	n := 0
	for _, m := range messages {
		if _, ok := m.(tfjson.ListResourceFoundMessage); ok {
			n++
		}
	}
	return n
}

// phase runs one command on the three N-resource workspaces and prints its
// lines.
func (b *bench) phase(ctx context.Context, name string, cmd e2e.Command, wantBound int) {
	if ctx.Err() != nil {
		return
	}
	logf("%s: %d associations…", name, b.o.n)
	res, stats, _ := b.measure(ctx, name, b.n.assoc, cmd)
	calls := e2e.CountCalls(stats)
	if !res.OK() {
		b.failCommand(name+":", res)
	}
	if res.Changes {
		b.fail("%s: the plan shows changes; it must show none", name)
	}
	logf("%s: %s in %.1f s; calls %v", name, res.Summary(), res.Wall.Seconds(), stats.Calls)

	logf("%s: %d terraform_data (baseline)…", name, b.o.n)
	base := b.n.base.Run(ctx, commandTimeout, cmd)
	if !base.OK() {
		b.failCommand(name+": baseline", base)
	}
	logf("%s: %d associations on the framework floor (no API)…", name, b.o.n)
	floor := b.n.floor.Run(ctx, commandTimeout, cmd)
	if !floor.OK() {
		b.failCommand(name+": framework floor", floor)
	}

	check, err := b.n.assoc.CheckWorld(ctx, b.ctl, e2e.ScaleEIPs(b.o.n), 5*time.Second)
	switch {
	case err != nil:
		b.fail("%s: %v", name, err)
	case !check.OK() || check.WorldBound != wantBound || check.StateEntries != wantBound:
		b.fail("%s: want %d associations in state and world; %s", name, wantBound, check.Brief(5))
	}

	throttled := e2e.CountMentioning(res.Diagnostics, "RequestLimitExceeded")
	fmt.Printf("phase=%s n=%d wall_s=%.2f baseline_wall_s=%.2f describe_calls=%d write_calls=%d other_calls=%d throttled_to_user=%d peak_rss_mb=%.1f\n",
		name, b.o.n, res.Wall.Seconds(), base.Wall.Seconds(), calls.Describe, calls.Write, calls.Other, throttled, res.PeakRSSMiB())

	n := float64(b.o.n)
	describePer, otherPer := float64(calls.Describe)/n, float64(calls.Other)/n
	switch name {
	case "refresh":
		ratio := res.Wall.Seconds() / base.Wall.Seconds()
		fmt.Printf("targets phase=refresh n=%d describe_per_resource=%.3f wall_vs_baseline=%.2f framework_floor_wall_s=%.2f wall_vs_framework_floor=%.2f framework_floor_peak_rss_mb=%.1f met_describe=%s met_wall=%s met_throttle=%s met_rss=%s\n",
			b.o.n, describePer, ratio, floor.Wall.Seconds(), res.Wall.Seconds()/floor.Wall.Seconds(), floor.PeakRSSMiB(),
			met(describePer <= 0.05), met(ratio <= 1.5), met(throttled == 0), met(res.PeakRSSMiB() < 100))
	default:
		floor := n / writesPerSecond
		ratio := res.Wall.Seconds() / floor
		nonWritePer := describePer + otherPer
		fmt.Printf("targets phase=%s n=%d writes_per_resource=%.3f describe_per_resource=%.3f other_per_resource=%.3f nonwrite_per_resource=%.3f floor_s=%.1f wall_vs_floor=%.2f wall_vs_baseline=%.2f met_writes=%s met_nonwrite=%s met_wall=%s met_throttle=%s met_rss=%s\n",
			name, b.o.n, float64(calls.Write)/n, describePer, otherPer, nonWritePer, floor, ratio, res.Wall.Seconds()/base.Wall.Seconds(),
			met(calls.Write == b.o.n), met(nonWritePer <= 1.5), met(ratio <= 1.15), met(throttled == 0), met(res.PeakRSSMiB() < 100))
	}
}

func met(ok bool) string { return map[bool]string{true: "yes", false: "no"}[ok] }

func mib(bytes int64) float64 { return float64(bytes) / (1 << 20) }

func ints(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
}

func seconds(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = fmt.Sprintf("%.3f", d.Seconds())
	}
	return strings.Join(parts, ",")
}

// failCommand records a terraform command that failed, with the end of its
// error output.
func (b *bench) failCommand(label string, res *e2e.Result) {
	b.fail("%s terraform %s: %s\n%s", label, res.Command, res.Summary(), e2e.LastLines(res.Stderr, 40))
}
