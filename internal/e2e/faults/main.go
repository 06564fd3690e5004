// Command faults runs the fault matrix (`make faults`, RELIABILITY.md): for
// each fault, a fresh qcloud-emulator, N associations, `terraform apply` then
// `terraform destroy` with the fault injected. After every command state is
// compared with the world; a command may fail only with a clear diagnostic,
// and then running it again (fault cleared) must succeed with state = world.
//
//	go run ./internal/e2e/faults              # every case, a markdown table on stdout
//	go run ./internal/e2e/faults -only reset  # one case (comma-separated list)
//	go run ./internal/e2e/faults -list        # the cases
//
// It exits 1 when a case fails. Progress goes to stderr; the work directory
// (every command's output, emulator logs) is kept with -keep, after a
// failure and after an interruption.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/e2e"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

type options struct {
	only        string
	n           int
	concurrency int
	jobs        int
	workdir     string
	keep        bool
	timeout     time.Duration
	cmdTimeout  time.Duration
	verbose     bool
	list        bool
	build       e2e.BuildOptions
}

func main() {
	var o options
	flag.StringVar(&o.only, "only", "", "run only these cases (comma-separated names; see -list)")
	flag.IntVar(&o.n, "n", 50, "associations per case")
	flag.IntVar(&o.concurrency, "concurrency-n", 200, "associations in the concurrency case")
	flag.IntVar(&o.jobs, "jobs", 3, "cases run at the same time (each has its own emulator and workspace)")
	flag.StringVar(&o.workdir, "workdir", "", "work directory (default: a new temporary directory)")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory (it is also kept when a case fails)")
	flag.DurationVar(&o.timeout, "timeout", 15*time.Minute, "bound on the whole run")
	flag.DurationVar(&o.cmdTimeout, "command-timeout", 4*time.Minute, "bound on each terraform command")
	flag.BoolVar(&o.verbose, "v", false, "print each command's output when a case fails")
	flag.BoolVar(&o.list, "list", false, "list the cases and exit")
	e2e.BuildFlags(&o.build)
	flag.Parse()
	os.Exit(run(o))
}

func logf(format string, args ...any) { fmt.Fprintf(os.Stderr, "faults: "+format+"\n", args...) }

func run(o options) int {
	all := cases(o)
	if o.list {
		for _, c := range all {
			fmt.Printf("%-18s %s\n", c.name, c.title)
		}
		return 0
	}
	selected := all
	if o.only != "" {
		selected = nil
		for _, name := range strings.Split(o.only, ",") {
			name = strings.TrimSpace(name)
			i := slices.IndexFunc(all, func(c *faultCase) bool { return c.name == name })
			if i < 0 {
				logf("no case %q; -list shows them", name)
				return 2
			}
			selected = append(selected, all[i])
		}
	}

	dir, err := e2e.MakeWorkDir(o.workdir, "qcloud-faults-")
	if err != nil {
		logf("%v", err)
		return 1
	}
	interrupted, stop := e2e.InterruptContext()
	defer stop()
	keep := o.keep
	defer func() {
		if keep || interrupted.Err() != nil {
			logf("work directory kept: %s", dir)
		} else {
			_ = os.RemoveAll(dir)
		}
	}()

	ctx, cancel := context.WithTimeoutCause(interrupted, o.timeout, fmt.Errorf("the whole matrix exceeded -timeout %s", o.timeout))
	defer cancel()
	start := time.Now()
	o.build.Dir, o.build.Log = filepath.Join(dir, "bin"), logf
	bins, err := e2e.Build(ctx, o.build)
	if err != nil {
		logf("%v", err)
		return 1
	}

	// Longest cases first, so that the short ones fill in around them.
	queue := slices.Clone(selected)
	slices.SortStableFunc(queue, func(a, b *faultCase) int { return b.weight - a.weight })
	work := make(chan *faultCase)
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := 0
	for range max(o.jobs, 1) {
		wg.Go(func() {
			for c := range work {
				passed := runCase(ctx, o, bins, dir, c)
				mu.Lock()
				if !passed {
					failed++
					keep = true
				}
				mu.Unlock()
			}
		})
	}
	for _, c := range queue {
		work <- c
	}
	close(work)
	wg.Wait()

	if interrupted.Err() != nil {
		return 130
	}
	fmt.Println(table(selected))
	fmt.Printf("\n%d of %d cases passed in %s.\n", len(selected)-failed, len(selected), time.Since(start).Round(time.Second))
	if failed > 0 {
		return 1
	}
	return 0
}

// runCase runs one case (twice when something outside the harness ended its
// emulator) and reports whether it passed.
func runCase(ctx context.Context, o options, bins e2e.Binaries, dir string, c *faultCase) bool {
	start := time.Now()
	logf("▶ %s: %s", c.name, c.title)
	cr := &caseRun{faultCase: c, o: o, bins: bins, dir: filepath.Join(dir, c.name)}
	cr.run(ctx)
	if cr.emuDied {
		// Not the provider's doing: say so, and run the case once more.
		logf("%s: %s — running the case once more", c.name, cr.problems[len(cr.problems)-1])
		first := cr.problems
		cr = &caseRun{faultCase: c, o: o, bins: bins, dir: filepath.Join(dir, c.name+"-again")}
		cr.run(ctx)
		cr.interference = first
	}
	mark := map[bool]string{true: "✔", false: "✘"}[cr.passed()]
	logf("%s %s in %s", mark, c.name, time.Since(start).Round(100*time.Millisecond))
	for _, p := range cr.problems {
		logf("    %s: problem: %s", c.name, p)
	}
	c.result = cr
	return cr.passed()
}

// faultCase is one row of the matrix: faults are injected before the first
// try of each phase ("apply", "destroy") and cleared before a re-run; disturb
// strikes during the first apply; heavier cases start first; with
// silentFailure, the disturbance kills terraform before it can print a
// diagnostic.
type faultCase struct {
	name, title, timeout   string // timeout: every create and delete timeout
	n, parallelism, weight int
	state                  bool // the emulator runs with -state
	faults                 func(phase string) []emulator.Fault
	disturb                disturbance
	silentFailure          bool
	result                 *caseRun
}

func errFault(action, code string, count int) emulator.Fault {
	return emulator.Fault{Action: action, Kind: emulator.FaultError, Code: code, Count: count}
}

const (
	associate    = "AssociateAddress"
	disassociate = "DisassociateAddress"
	describe     = "DescribeAddresses"
)

// onWritesAndDescribe applies fault to each write action (writes hits each)
// and to DescribeAddresses (reads hits).
func onWritesAndDescribe(writes, reads int, fault func(action string, count int) emulator.Fault) func(string) []emulator.Fault {
	return func(string) []emulator.Fault {
		return []emulator.Fault{fault(associate, writes), fault(disassociate, writes), fault(describe, reads)}
	}
}

// onWrite applies f to the write action of the phase.
func onWrite(f emulator.Fault) func(string) []emulator.Fault {
	return func(phase string) []emulator.Fault {
		f := f
		f.Action = associate
		if phase == "destroy" {
			f.Action = disassociate
		}
		return []emulator.Fault{f}
	}
}

func cases(o options) []*faultCase {
	kind := func(k string, status int) func(string, int) emulator.Fault {
		return func(action string, count int) emulator.Fault {
			return emulator.Fault{Action: action, Kind: k, Status: status, Count: count}
		}
	}
	code := func(c string) func(string, int) emulator.Fault {
		return func(action string, count int) emulator.Fault { return errFault(action, c, count) }
	}
	return []*faultCase{
		{name: "throttle", title: "RequestLimitExceeded burst: 30 on each write action and on DescribeAddresses", weight: 10,
			faults: onWritesAndDescribe(30, 30, code("RequestLimitExceeded"))},
		{name: "internal-error", title: "InternalError: 20 on each write action, 5 on DescribeAddresses",
			faults: onWritesAndDescribe(20, 5, code("InternalError"))},
		{name: "http-502", title: "HTTP 502 with a non-JSON body: 20 on each write action, 5 on DescribeAddresses",
			faults: onWritesAndDescribe(20, 5, kind(emulator.FaultHTTPStatus, 502))},
		{name: "http-503", title: "HTTP 503 with a non-JSON body: 20 on each write action, 5 on DescribeAddresses",
			faults: onWritesAndDescribe(20, 5, kind(emulator.FaultHTTPStatus, 503))},
		{name: "reset", title: "connection reset without a reply: 20 on each write action, 5 on DescribeAddresses",
			faults: onWritesAndDescribe(20, 5, kind(emulator.FaultReset, 0))},
		{name: "slow", title: "2 write requests answered after 35 s, past the client's 30 s request timeout", weight: 5,
			faults: onWrite(emulator.Fault{Kind: emulator.FaultDelay, Delay: emulator.Duration(35 * time.Second), Count: 2})},
		{name: "lost-reply", title: "5 writes carried out whose replies are lost (the connection is reset after the change)",
			faults: onWrite(emulator.Fault{Kind: emulator.FaultLostReply, Count: 5})},
		{name: "bad-json", title: "HTTP 200 with a body cut off mid-JSON: 20 on each write action, 5 on DescribeAddresses",
			faults: onWritesAndDescribe(20, 5, kind(emulator.FaultBadJSON, 0))},
		{name: "mutex", title: "OperationDenied.MutexTaskRunning for the next 40 write tries",
			faults: onWrite(errFault("", "OperationDenied.MutexTaskRunning", 40))},
		{name: "task-fail", title: "3 tasks end FAILED",
			faults: onWrite(emulator.Fault{Kind: emulator.FaultTaskFail, Count: 3})},
		{name: "task-hang", title: "3 tasks stuck RUNNING past the resource timeout (timeouts create/delete = 5s)",
			timeout: "5s", faults: onWrite(emulator.Fault{Kind: emulator.FaultTaskHang, Count: 3})},
		{name: "emulator-restart", title: "emulator killed after ~20 writes and restarted on the same port with the same -state",
			state: true, disturb: restartEmulator},
		{name: "ctrl-c", title: "Ctrl-C (SIGINT to terraform's process group) after ~20 writes, then apply again",
			disturb: signalTerraform(syscall.SIGINT, false)},
		{name: "sigterm", title: "SIGTERM to terraform's process group after ~20 writes, then apply again",
			disturb: signalTerraform(syscall.SIGTERM, false)},
		{name: "sigterm-terraform", title: "SIGTERM to the terraform process alone (as `timeout` or `kill PID` do) after ~20 writes, then apply again",
			disturb: signalTerraform(syscall.SIGTERM, true)},
		{name: "kill-terraform", title: "SIGKILL of the terraform process alone after ~20 writes (no state written; the provider must exit by itself), then apply again",
			disturb: killTerraform, silentFailure: true},
		{name: "kill-provider", title: "SIGKILL of the provider process after ~20 writes, then apply again",
			disturb: killProvider},
		{name: "concurrency", n: o.concurrency, parallelism: 50, weight: 8,
			title: fmt.Sprintf("%d associations, -parallelism=50: 100 MutexTaskRunning and 30 RequestLimitExceeded on each write action, 10 RequestLimitExceeded on DescribeAddresses", o.concurrency),
			faults: func(string) []emulator.Fault {
				return []emulator.Fault{
					errFault(associate, "OperationDenied.MutexTaskRunning", 100), errFault(disassociate, "OperationDenied.MutexTaskRunning", 100),
					errFault(associate, "RequestLimitExceeded", 30), errFault(disassociate, "RequestLimitExceeded", 30),
					errFault(describe, "RequestLimitExceeded", 10),
				}
			}},
	}
}

// disturbance strikes during a case's first apply (kills something, say)
// and returns a note for the table.
type disturbance func(ctx context.Context, cr *caseRun, r *e2e.Running) string

// disturbAfterWrites is how many write calls an apply makes before a
// disturbance strikes: well into the apply, with writes still in flight.
const disturbAfterWrites = 20

// afterWrites is strike, once the emulator has seen disturbAfterWrites
// write calls (if the apply ends first, nothing).
func afterWrites(strike disturbance) disturbance {
	return func(ctx context.Context, cr *caseRun, r *e2e.Running) string {
		ctl := cr.emu.Load().Control()
		for {
			if s, err := ctl.Stats(ctx); err == nil && s.Calls[associate]+s.Calls[disassociate] >= disturbAfterWrites {
				return strike(ctx, cr, r)
			}
			select {
			case <-r.Done():
				return "apply ended before 20 writes"
			case <-ctx.Done():
				return "apply ended before 20 writes"
			case <-time.After(25 * time.Millisecond):
			}
		}
	}
}

var restartEmulator = afterWrites(func(ctx context.Context, cr *caseRun, _ *e2e.Running) string {
	cr.accumulateStats(ctx)
	next, err := cr.emu.Load().Restart(ctx, time.Second)
	if err != nil {
		cr.problem("restarting the emulator: %v", err)
		return "restart failed"
	}
	cr.emu.Store(next)
	return "emulator down ~1 s"
})

// signalTerraform sends sig to terraform's process group, as a terminal's
// Ctrl-C does, or, alone, to the terraform process only, as `kill PID` does.
func signalTerraform(sig syscall.Signal, alone bool) disturbance {
	return afterWrites(func(_ context.Context, cr *caseRun, r *e2e.Running) string {
		send, note := r.Interrupt, fmt.Sprintf("%v sent", sig)
		if alone {
			send, note = r.Signal, fmt.Sprintf("%v sent to terraform only", sig)
		}
		if err := send(sig); err != nil {
			cr.problem("signalling terraform: %v", err)
		}
		return note
	})
}

// killTerraform kills terraform alone, as the OOM killer or a CI timeout's
// SIGKILL would: no state is written, and its provider must not outlive it.
var killTerraform = afterWrites(func(_ context.Context, cr *caseRun, r *e2e.Running) string {
	pids := r.ProviderPIDs()
	if err := r.Signal(syscall.SIGKILL); err != nil {
		cr.problem("killing terraform: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for _, pid := range pids {
		for running(pid) && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if running(pid) {
			cr.problem("provider pid %d was still running 5 s after terraform was killed", pid)
		}
	}
	return fmt.Sprintf("SIGKILL sent to terraform only; its provider pids %v exited on their own", pids)
})

// running reports whether pid is a live process (a zombie is not).
func running(pid int) bool {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	return err == nil && !strings.Contains(string(status), "State:\tZ")
}

var killProvider = afterWrites(func(_ context.Context, cr *caseRun, r *e2e.Running) string {
	pids := r.ProviderPIDs()
	if len(pids) == 0 {
		cr.problem("no provider process found under terraform (pid %d)", r.PID())
		return "no provider process"
	}
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	return fmt.Sprintf("killed provider pid %v", pids)
})

// attempt is one terraform command and what followed it.
type attempt struct {
	res       *e2e.Result
	cmp       e2e.Comparison
	cmpErr    error
	disturbed string
}

// throttled counts the RequestLimitExceeded diagnostics the command showed.
func (a *attempt) throttled() int {
	return e2e.CountMentioning(a.res.Diagnostics, "RequestLimitExceeded")
}

// phaseRun is one phase: the first try and, if it failed, the re-run.
type phaseRun struct {
	name         string
	first, rerun *attempt
	calls        e2e.Calls
}

func (p *phaseRun) final() *attempt {
	if p.rerun != nil {
		return p.rerun
	}
	return p.first
}

type caseRun struct {
	*faultCase
	o            options
	bins         e2e.Binaries
	dir          string
	emu          atomic.Pointer[e2e.EmulatorProcess] // replaced by a restart
	emuDied      bool                                // the emulator ended without the harness asking
	interference []string                            // the problems of a first run that lost its emulator
	ws           *e2e.Workspace
	eips         []string
	phases       []*phaseRun
	problems     []string
	calls        e2e.Calls // the phase's calls, of every emulator process
	logN         int
}

func (cr *caseRun) problem(format string, args ...any) {
	cr.problems = append(cr.problems, fmt.Sprintf(format, args...))
}

func (cr *caseRun) passed() bool { return len(cr.problems) == 0 }

func (cr *caseRun) run(ctx context.Context) {
	if err := ctx.Err(); err != nil {
		cr.problem("not run: %v", context.Cause(ctx))
		return
	}
	n := cmp.Or(cr.n, cr.o.n)
	cr.eips = e2e.ScaleEIPs(n)
	cfg := e2e.EmulatorConfig{Binary: cr.bins.Emulator, Scale: n, LogPath: filepath.Join(cr.dir, "emulator.log"), Verbose: true}
	if cr.state {
		cfg.StatePath = filepath.Join(cr.dir, "emulator-state.json")
	}
	emu, err := e2e.StartEmulator(ctx, cfg)
	if err != nil {
		cr.problem("starting the emulator: %v", err)
		return
	}
	cr.emu.Store(emu)
	defer func() { cr.emu.Load().Stop() }()

	cr.ws, err = e2e.NewWorkspace(ctx, filepath.Join(cr.dir, "ws"), cr.bins, emu.URL, cfg.Credentials())
	if err == nil {
		err = cr.ws.WriteConfig(e2e.AssociationsConfig{N: n, Timeout: cr.timeout}.HCL())
	}
	if err != nil {
		cr.problem("%v", err)
		return
	}
	parallelism := tfexec.Parallelism(cmp.Or(cr.parallelism, 10)) // 10: Terraform's default
	apply := cr.phase(ctx, e2e.Apply(parallelism))
	cr.expect(apply, n)
	if !cr.passed() || cr.emuDied {
		return // destroying on top of a broken apply would only blur the picture
	}
	destroy := cr.phase(ctx, e2e.Destroy(parallelism))
	cr.expect(destroy, 0)
}

// expect checks a phase's end: state = world with want associations.
func (cr *caseRun) expect(p *phaseRun, want int) {
	f := p.final()
	if !f.res.OK() {
		cr.problem("%s: the re-run failed too: %s", p.name, f.res.Summary())
	}
	if f.cmpErr != nil {
		cr.problem("%s: comparing state and world: %v", p.name, f.cmpErr)
	} else {
		if !f.cmp.OK() {
			cr.problem("%s: after the last command, %s", p.name, f.cmp.Brief(5))
		}
		if f.cmp.StateEntries != want || f.cmp.WorldBound != want {
			cr.problem("%s: want %d associations, state has %d and the world %d", p.name, want, f.cmp.StateEntries, f.cmp.WorldBound)
		}
	}
	for _, a := range []*attempt{p.first, p.rerun} {
		if a == nil {
			continue
		}
		if out := a.res.Stdout + a.res.Stderr; strings.Contains(out, "panic:") || strings.Contains(out, "goroutine ") {
			cr.problem("%s: the output shows a panic", p.name)
		}
		silenced := cr.silentFailure && a == p.first // terraform was killed before it could say why
		if !a.res.OK() && len(e2e.ErrorSummaries(a.res.Diagnostics)) == 0 && !silenced {
			cr.problem("%s: the command failed without an error diagnostic (%s)", p.name, a.res.Summary())
		}
	}
}

func (cr *caseRun) phase(ctx context.Context, cmd e2e.Command) *phaseRun {
	name := cmd.Name
	p := &phaseRun{name: name}
	cr.phases = append(cr.phases, p)
	ctl := func() *e2e.Control { return cr.emu.Load().Control() }
	cr.calls = e2e.Calls{}
	if err := ctl().ResetStats(ctx); err != nil {
		cr.problem("%s: resetting stats: %v", name, err)
	}
	if cr.faults != nil {
		if err := ctl().InjectFault(ctx, cr.faults(name)...); err != nil {
			cr.problem("%s: injecting faults: %v", name, err)
		}
	}

	p.first = cr.attempt(ctx, name, cmd, name == "apply")
	if cr.emuDied {
		return p
	}
	if err := ctl().ClearFaults(ctx); err != nil {
		cr.problem("%s: clearing faults: %v", name, err)
	}
	if !p.first.res.OK() {
		logf("%s: %s failed: %s; %s — running it again", cr.name, name, p.first.res.Summary(), p.first.cmp.Brief(3))
		p.rerun = cr.attempt(ctx, name+" (re-run)", cmd, false)
	}
	cr.accumulateStats(ctx)
	p.calls = cr.calls
	return p
}

// accumulateStats adds the current emulator's counters to cr.calls and
// resets them (before a restart loses them, and at the end of a phase).
func (cr *caseRun) accumulateStats(ctx context.Context) {
	ctl := cr.emu.Load().Control()
	if s, err := ctl.Stats(ctx); err == nil {
		cr.calls = cr.calls.Plus(e2e.CountCalls(s))
		_ = ctl.ResetStats(ctx)
	}
}

func (cr *caseRun) attempt(ctx context.Context, label string, cmd e2e.Command, disturb bool) *attempt {
	a := &attempt{}
	cmdCtx, cancel := context.WithTimeoutCause(ctx, cr.o.cmdTimeout, fmt.Errorf("terraform %s exceeded %s", label, cr.o.cmdTimeout))
	defer cancel()
	cmdCtx, abort := context.WithCancelCause(cmdCtx)
	defer abort(nil)
	r := cr.ws.Start(cmdCtx, cmd)
	go cr.watchEmulator(r, abort)
	if disturb && cr.disturb != nil {
		a.disturbed = cr.disturb(cmdCtx, cr, r)
	}
	a.res = r.Wait()
	if emu := cr.emu.Load(); emu.DiedUnasked() {
		cr.emuDied = true
		cr.problem("%s: the emulator process ended on its own (%v), which the harness never does: a crash, or a signal "+
			"from outside the harness; its log: %s", label, emu.ExitErr(), emu.Config.LogPath)
	}
	cr.logN++
	logPath := filepath.Join(cr.dir, fmt.Sprintf("%02d-%s.log", cr.logN, strings.NewReplacer(" ", "-", "(", "", ")", "").Replace(label)))
	_ = a.res.WriteLog(logPath)

	if !a.res.OK() && cr.o.verbose {
		fmt.Fprintf(os.Stderr, "--- terraform %s: stdout\n%s\n--- stderr\n%s\n", label, a.res.Stdout, a.res.Stderr)
	}
	if cr.emuDied {
		return a
	}

	// A hung task stays in transit: 3 s for the others to land.
	check, err := cr.ws.CheckWorld(ctx, cr.emu.Load().Control(), cr.eips, 3*time.Second)
	a.cmp, a.cmpErr = check.Comparison, err
	return a
}

// watchEmulator aborts the command when the emulator ends without the
// harness asking (a restart replaces the process: the new one is watched).
func (cr *caseRun) watchEmulator(r *e2e.Running, abort context.CancelCauseFunc) {
	for {
		emu := cr.emu.Load()
		select {
		case <-r.Done():
			return
		case <-emu.Done():
			if emu.DiedUnasked() {
				abort(fmt.Errorf("the emulator process ended on its own (%v)", emu.ExitErr()))
				return
			}
			// Stopped by the harness (a restart): wait for its replacement.
			for cr.emu.Load() == emu {
				select {
				case <-r.Done():
					return
				case <-time.After(50 * time.Millisecond):
				}
			}
		}
	}
}

// table renders the matrix as markdown.
func table(cs []*faultCase) string {
	var b strings.Builder
	b.WriteString("| fault | apply | destroy | re-run needed | state = world | note |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, c := range cs {
		cr := c.result
		if cr == nil {
			continue
		}
		cells := []string{"`" + c.name + "` " + c.title}
		var reruns, stateCells, notes []string
		for _, name := range []string{"apply", "destroy"} {
			i := slices.IndexFunc(cr.phases, func(p *phaseRun) bool { return p.name == name })
			if i < 0 {
				cells = append(cells, "not run")
				continue
			}
			p := cr.phases[i]
			cells = append(cells, outcome(p))
			if p.rerun != nil {
				reruns = append(reruns, name)
			}
			stateCells = append(stateCells, stateOutcome(p))
			notes = append(notes, note(p))
		}
		cells = append(cells, cmp.Or(strings.Join(reruns, ", "), "no"), strings.Join(stateCells, "; "))
		if len(cr.interference) > 0 {
			notes = append(notes, "(The first run of this case lost its emulator to something outside the harness and was run again.)")
		}
		if !cr.passed() {
			notes = append(notes, "**FAILED**: "+strings.Join(cr.problems, "; "))
		}
		cells = append(cells, strings.Join(notes, " "))
		for i := range cells {
			cells[i] = strings.ReplaceAll(strings.ReplaceAll(cells[i], "|", "\\|"), "\n", " ")
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func outcome(p *phaseRun) string {
	first := p.first.res
	s := fmt.Sprintf("ok (%.1f s)", first.Wall.Seconds())
	if !first.OK() {
		s = fmt.Sprintf("failed (%.1f s): %s", first.Wall.Seconds(), shorten(first.Summary(), 160))
		if p.rerun != nil {
			s += fmt.Sprintf("; re-run %s (%.1f s)", map[bool]string{true: "ok", false: "FAILED"}[p.rerun.res.OK()], p.rerun.res.Wall.Seconds())
		}
	}
	return s
}

func stateOutcome(p *phaseRun) string {
	first := p.first
	switch {
	case first.cmpErr != nil:
		return p.name + ": error " + first.cmpErr.Error()
	case first.cmp.OK() && (p.rerun == nil || p.rerun.cmp.OK()):
		s := p.name + ": yes"
		if first.cmp.Tainted > 0 {
			s += fmt.Sprintf(" (%d tainted after the failure)", first.cmp.Tainted)
		}
		if len(first.cmp.InTransit) > 0 {
			s += fmt.Sprintf(" (%d in transit after the failure)", len(first.cmp.InTransit))
		}
		return s
	case p.rerun != nil && p.rerun.cmp.OK():
		return fmt.Sprintf("%s: after the re-run; after the failed command %d differences, e.g. %s", p.name, len(first.cmp.Problems),
			shorten(first.cmp.Problems[0], 140))
	default:
		f := p.final()
		if len(f.cmp.Problems) > 0 {
			return fmt.Sprintf("%s: **NO** (%d differences, e.g. %s)", p.name, len(f.cmp.Problems), shorten(f.cmp.Problems[0], 140))
		}
		return p.name + ": **NO**"
	}
}

func note(p *phaseRun) string {
	var errs []string
	for code, n := range p.calls.Errors {
		errs = append(errs, fmt.Sprintf("%d %s", n, code))
	}
	slices.Sort(errs)
	s := fmt.Sprintf("%s: %d writes, %d describes, %d other calls", p.name, p.calls.Write, p.calls.Describe, p.calls.Other)
	if len(errs) > 0 {
		s += "; API errors: " + strings.Join(errs, ", ")
	}
	throttled := p.first.throttled()
	if p.rerun != nil {
		throttled += p.rerun.throttled()
	}
	s += fmt.Sprintf("; RequestLimitExceeded shown: %d", throttled)
	if p.first.disturbed != "" {
		s += "; " + p.first.disturbed
	}
	if ws := e2e.WarningSummaries(p.first.res.Diagnostics); len(ws) > 0 {
		s += "; warnings: " + shorten(strings.Join(ws, ", "), 120)
	}
	return s + "."
}

func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
