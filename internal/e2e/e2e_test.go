package e2e

import (
	"cmp"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// startTest starts an end-to-end test: it skips under -short, fails at once
// when terraform is missing, and builds the provider and the emulator (or
// takes them from QCLOUD_E2E_PROVIDER / QCLOUD_E2E_EMULATOR). The context
// ends with the test, or after timeout.
func startTest(t *testing.T, timeout time.Duration) (context.Context, Binaries) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the provider and runs terraform against a qcloud-emulator process")
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	bins, err := Build(ctx, BuildOptions{Dir: t.TempDir(), Provider: os.Getenv("QCLOUD_E2E_PROVIDER"),
		Emulator: os.Getenv("QCLOUD_E2E_EMULATOR"), Log: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	return ctx, bins
}

// startEmulator starts an emulator (its log in a temporary directory unless
// cfg names one) that stops when the test ends.
func startEmulator(ctx context.Context, t *testing.T, cfg EmulatorConfig) *EmulatorProcess {
	t.Helper()
	cfg.LogPath = cmp.Or(cfg.LogPath, filepath.Join(t.TempDir(), "emulator.log"))
	emu, err := StartEmulator(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emu.Stop)
	return emu
}

// newWorkspace is a workspace in dir for the emulator, with its credential,
// holding config.
func newWorkspace(ctx context.Context, t *testing.T, bins Binaries, emu *EmulatorProcess, dir, config string) *Workspace {
	t.Helper()
	ws, err := NewWorkspace(ctx, dir, bins, emu.URL, emu.Config.Credentials())
	if err == nil {
		err = ws.WriteConfig(config)
	}
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// sharedBinary unpacks the newest ../shared/tools/<name>-*-linux_amd64.xz
// beside the clone (terraform, tofu), or skips the test when there is none.
func sharedBinary(ctx context.Context, t *testing.T, name string) string {
	t.Helper()
	path, err := unpackShared(ctx, t.TempDir(), name)
	if err != nil {
		t.Fatal(err)
	}
	if path == "" {
		t.Skipf("no %s-*-linux_amd64.xz in ../shared/tools beside the clone", name)
	}
	return path
}

// sampleOutput is terraform -json UI output: the dev_overrides warning, two
// throttling errors, an authorization error, and a line that is not JSON.
const sampleOutput = `{"@level":"info","@message":"Terraform 1.11.4","@module":"terraform.ui","terraform":"1.11.4","type":"version","ui":"1.2"}
{"@level":"warn","@message":"Warning: Provider development overrides are in effect","type":"diagnostic","diagnostic":{"severity":"warning","summary":"Provider development overrides are in effect","detail":"The following provider development overrides are set in the CLI configuration"}}
{"@level":"info","@message":"qcloud_eip_association.a[1]: Creating...","type":"apply_start","hook":{"resource":{"addr":"qcloud_eip_association.a[1]"},"action":"create"}}
{"@level":"error","@message":"Error: The Tencent Cloud API kept failing","type":"diagnostic","diagnostic":{"severity":"error","summary":"The Tencent Cloud API kept failing","detail":"While binding EIP eip-sc000002 to instance ins-sc000002: too many requests.\n\nCode: RequestLimitExceeded","address":"qcloud_eip_association.a[1]"}}
{"@level":"error","@message":"Error: The Tencent Cloud API kept failing","type":"diagnostic","diagnostic":{"severity":"error","summary":"The Tencent Cloud API kept failing","detail":"Code: RequestLimitExceeded"}}
not a message
{"@level":"error","@message":"Error: Not authorized","type":"diagnostic","diagnostic":{"severity":"error","summary":"Not authorized","detail":"Code: UnauthorizedOperation"}}
`

func TestMessageWriter(t *testing.T) {
	var msgs []tfjson.LogMsg
	var diags []tfjson.Diagnostic
	w := &MessageWriter{Each: func(msg tfjson.LogMsg) {
		msgs = append(msgs, msg)
		if d, ok := msg.(tfjson.DiagnosticLogMessage); ok {
			diags = append(diags, d.Diagnostic)
		}
	}}
	for _, chunk := range strings.SplitAfter(sampleOutput, "e") { // lines arrive in pieces
		if _, err := w.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	if len(msgs) != 6 || len(diags) != 4 {
		t.Fatalf("got %d messages and %d diagnostics, want 6 and 4", len(msgs), len(diags))
	}
	if msgs[2].Message() != "qcloud_eip_association.a[1]: Creating..." {
		t.Errorf("third message: %q", msgs[2].Message())
	}
	if got := CountMentioning(diags, "RequestLimitExceeded"); got != 2 {
		t.Errorf("CountMentioning = %d, want 2", got)
	}
	if got := ErrorSummaries(diags); strings.Join(got, "|") != "The Tencent Cloud API kept failing (×2)|Not authorized" {
		t.Errorf("ErrorSummaries = %q", got)
	}
	if got := WarningSummaries(diags); len(got) != 0 {
		t.Errorf("WarningSummaries = %q, want the dev_overrides notice left out", got)
	}
}

func TestCompareBindings(t *testing.T) {
	var state tfjson.State
	err := json.Unmarshal([]byte(`{"format_version":"1.0","terraform_version":"1.11.4","values":{"root_module":{"resources":[
	  {"address":"qcloud_eip_association.a[0]","mode":"managed","type":"qcloud_eip_association","name":"a","index":0,
	   "values":{"eip_id":"eip-sc000001","instance_id":"ins-sc000001"}},
	  {"address":"qcloud_eip_association.a[1]","mode":"managed","type":"qcloud_eip_association","name":"a","index":1,"tainted":true,
	   "values":{"eip_id":"eip-sc000002","instance_id":"ins-sc000002"}},
	  {"address":"qcloud_eip_association.a[2]","mode":"managed","type":"qcloud_eip_association","name":"a","index":2,
	   "values":{"eip_id":"eip-sc000003","instance_id":"ins-sc000003"}},
	  {"address":"terraform_data.b","mode":"managed","type":"terraform_data","name":"b","values":{}}
	],"child_modules":[{"address":"module.m","resources":[
	  {"address":"module.m.qcloud_eip_association.a[4]","mode":"managed","type":"qcloud_eip_association","name":"a","index":4,
	   "values":{"eip_id":"eip-sc000005","network_interface_id":"eni-sc000005","private_ip":"10.0.0.5"}}
	]}]}}}`), &state)
	if err != nil {
		t.Fatal(err)
	}
	entries := Associations(&state)
	if len(entries) != 4 || entries[1].Address != "qcloud_eip_association.a[1]" || !entries[1].Tainted {
		t.Fatalf("entries: %+v", entries)
	}
	bound := func(id, ins, eni, ip, status string) emulator.Address {
		return emulator.Address{AddressID: id, AddressType: "EIP", Status: status, InstanceID: ins, NetworkInterfaceID: eni, PrivateIP: ip}
	}
	world := emulator.World{Addresses: []emulator.Address{
		bound("eip-sc000001", "ins-sc000001", "eni-sc000001", "10.0.0.1", "BIND"),     // agrees
		bound("eip-sc000002", "ins-sc000002", "eni-sc000002", "10.0.0.2", "BINDING"),  // agrees, in transit
		{AddressID: "eip-sc000003", AddressType: "EIP", Status: "UNBIND"},             // binding gone
		bound("eip-sc000004", "ins-sc000004", "eni-sc000004", "10.0.0.4", "BIND"),     // unknown to the state
		bound("eip-sc000005", "ins-sc000009", "eni-sc000005", "10.0.0.6", "BIND_ENI"), // other private IP
		bound("eip-demo0002", "ins-demo0002", "eni-demo0002", "10.0.0.21", "BIND"),    // not under test
	}}
	c := CompareBindings(&state, world, ScaleEIPs(5))
	if c.OK() || len(c.Problems) != 3 {
		t.Fatalf("want 3 problems, got:\n%s", c)
	}
	for i, want := range []string{"eip-sc000003: state has", "eip-sc000004: world has", "eip-sc000005: state has"} {
		if !strings.HasPrefix(c.Problems[i], want) {
			t.Errorf("problem %d = %q, want prefix %q", i, c.Problems[i], want)
		}
	}
	if c.WorldBound != 4 || c.StateEntries != 4 || c.Tainted != 1 || len(c.InTransit) != 1 {
		t.Errorf("counts: %+v", c)
	}
	if !strings.Contains(c.String(), "state ≠ world (3 differences)") {
		t.Errorf("String():\n%s", c)
	}

	state.Values.RootModule.Resources = state.Values.RootModule.Resources[:1]
	state.Values.RootModule.ChildModules = nil
	if agree := CompareBindings(&state, world, ScaleEIPs(1)); !agree.OK() {
		t.Errorf("want agreement:\n%s", agree)
	}
	if empty := CompareBindings(&tfjson.State{FormatVersion: "1.0"}, emulator.World{}, nil); !empty.OK() {
		t.Errorf("an empty state agrees with an empty world: %s", empty)
	}
}

func TestAssociationsConfigHCL(t *testing.T) {
	hcl := AssociationsConfig{N: 3, Timeout: "5s"}.HCL()
	for _, want := range []string{`count       = 3`, `format("eip-sc%06d", count.index + 1)`, `create = "5s"`, `delete = "5s"`,
		`provider "qcloud" {}`, `source = "tfqcloud/qcloud"`} {
		if !strings.Contains(hcl, want) {
			t.Errorf("config lacks %q:\n%s", want, hcl)
		}
	}
	if got := BaselineConfig(2); !strings.Contains(got, `resource "terraform_data" "b"`) || !strings.Contains(got, "count = 2") {
		t.Errorf("baseline:\n%s", got)
	}
	if ScaleEIP(7) != "eip-sc000007" {
		t.Error("scale ids")
	}
}

func TestProcHelpers(t *testing.T) {
	p, ok := readProcStat(os.Getpid())
	if !ok || p.ppid != os.Getppid() || p.comm == "" {
		t.Fatalf("readProcStat(self) = %+v, %v", p, ok)
	}
	if vmHWM(os.Getpid()) <= 0 {
		t.Error("vmHWM(self) is 0")
	}
	dir, err := filepath.EvalSymlinks(t.TempDir()) // as /proc/<pid>/cwd shows it
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sleep", "10")
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	// Below this test process (not its parent: go test runs other packages'
	// binaries there, which may start providers) only the sleep runs now.
	if pids := ProviderPIDs(os.Getpid()); len(pids) != 0 {
		t.Errorf("ProviderPIDs found %v below the test, where only sleep runs", pids)
	}
	watch := watchTerraform(dir)
	defer watch.finish()
	giveUp := make(chan struct{})
	time.AfterFunc(10*time.Second, func() { close(giveUp) })
	if pid := watch.pid(giveUp); pid != cmd.Process.Pid {
		t.Errorf("the child working in %s is %d, want %d", dir, pid, cmd.Process.Pid)
	}
}

// TestEmulatorProcess starts, restarts (same port, same -state) and stops a
// real qcloud-emulator, and checks that no process is left behind.
func TestEmulatorProcess(t *testing.T) {
	ctx, bins := startTest(t, 3*time.Minute)
	statePath := filepath.Join(t.TempDir(), "state.json")
	emu := startEmulator(ctx, t, EmulatorConfig{Binary: bins.Emulator, Scale: 3, StatePath: statePath, TaskDelay: time.Millisecond})
	ctl := emu.Control()
	if err := ctl.InjectFault(ctx, emulator.Fault{Action: "AssociateAddress", Kind: "error", Code: "InternalError", Count: 2}); err != nil {
		t.Fatal(err)
	}
	if fs, err := ctl.Faults(ctx); err != nil || len(fs) != 1 || fs[0].Count != 2 {
		t.Fatalf("faults: %+v %v", fs, err)
	}
	w, err := ctl.World(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := w.Address(ScaleEIP(3)); !ok {
		t.Fatalf("world lacks %s", ScaleEIP(3))
	}
	if s, err := ctl.Stats(ctx); err != nil || s.Calls == nil {
		t.Fatalf("stats: %+v %v", s, err)
	}

	again, err := emu.Restart(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Kill()
	if !emu.Exited() || again.URL != emu.URL {
		t.Fatalf("restart: old exited=%v, URLs %s → %s", emu.Exited(), emu.URL, again.URL)
	}
	if _, err := again.Control().World(ctx); err != nil {
		t.Fatal(err)
	}
	pid := again.PID()
	again.Stop()
	if err := syscall.Kill(pid, 0); err == nil {
		t.Errorf("emulator %d still runs after Stop", pid)
	}
	if _, err := os.Stat(statePath); err != nil {
		t.Errorf("no -state file: %v", err)
	}
}

func TestErrorDiagnostics(t *testing.T) {
	diags := ErrorDiagnostics(sampleOutput)
	if len(diags) != 3 {
		t.Fatalf("got %d error diagnostics, want 3: %+v", len(diags), diags)
	}
	if diags[0].Address != "qcloud_eip_association.a[1]" || diags[0].Summary != "The Tencent Cloud API kept failing" ||
		!strings.Contains(diags[0].Detail, "eip-sc000002") {
		t.Errorf("first: %+v", diags[0])
	}
	if diags[1].Address != "" || diags[2].Summary != "Not authorized" {
		t.Errorf("second and third: %+v", diags[1:])
	}
	crash := "\nStack trace from the terraform-provider-qcloud plugin:\n\nfatal error: concurrent map read and map write\n\ngoroutine 364 [running]:\n"
	if got := ProviderCrash(crash); got != "fatal error: concurrent map read and map write" {
		t.Errorf("ProviderCrash = %q", got)
	}
	if got := ProviderCrash("Error: EIP is bound elsewhere\npanic: not a crash report"); got != "" {
		t.Errorf("ProviderCrash of a plain error = %q", got)
	}
}

func TestScenarios(t *testing.T) {
	move := MoveScenario()
	if got := move.After.Instances(); len(got) != 1 || got["qcloud_eip_association.b"] != (Binding{"eip-demo0006", "ins-demo0008"}) {
		t.Errorf("move after: %v", got)
	}
	if got := move.EIPs(); !slices.Equal(got, []string{"eip-demo0006"}) {
		t.Errorf("move EIPs: %v", got)
	}
	swap := SwapScenario().WithTimeout("90s")
	hcl := swap.After.HCL()
	for _, want := range []string{`resource "qcloud_eip_association" "x" {`, `"ins-demo0007" = { eip_id = "eip-demo0008", instance_id = "ins-demo0007" }`,
		`eip_id      = each.value.eip_id`, `create = "90s"`, `delete = "90s"`, `source = "tfqcloud/qcloud"`} {
		if !strings.Contains(hcl, want) {
			t.Errorf("swap config lacks %q:\n%s", want, hcl)
		}
	}
	if got := swap.Before.Instances()[`qcloud_eip_association.x["ins-demo0008"]`]; got != (Binding{"eip-demo0008", "ins-demo0008"}) {
		t.Errorf("swap before: %v", swap.Before.Instances())
	}
	rekey := RekeyScenario(30)
	if rekey.Scale < 60 || len(rekey.EIPs()) != 60 {
		t.Errorf("rekey-30: scale %d, EIPs %v", rekey.Scale, rekey.EIPs())
	}
	if got := rekey.After.Instances()[`qcloud_eip_association.x["new-30"]`]; got != (Binding{"eip-sc000060", "ins-sc000030"}) {
		t.Errorf("rekey-30 new-30: %v", got)
	}
	if got := MoveScenario().Before.HCL(); !strings.Contains(got, `instance_id = "ins-demo0007"`) || strings.Contains(got, "timeouts") {
		t.Errorf("move before:\n%s", got)
	}
}

func TestDiffBindings(t *testing.T) {
	world := emulator.World{Addresses: []emulator.Address{
		{AddressID: "eip-sc000001", Status: "BIND", InstanceID: "ins-sc000001"},
		{AddressID: "eip-sc000002", Status: "UNBIND"},
		{AddressID: "eip-sc000003", Status: "BIND_ENI", NetworkInterfaceID: "eni-sc000003", PrivateIP: "10.0.0.3"},
	}}
	got := WorldBindings(world, ScaleEIPs(3))
	if len(got) != 2 || got["eip-sc000001"] != "ins-sc000001" || got["eip-sc000003"] != "eni-sc000003/10.0.0.3" {
		t.Fatalf("WorldBindings = %v", got)
	}
	diff := DiffBindings(map[string]string{"eip-sc000001": "ins-sc000001", "eip-sc000002": "ins-sc000002"}, got, ScaleEIPs(3))
	want := []string{"eip-sc000002: unbound, want it on ins-sc000002", "eip-sc000003: on eni-sc000003/10.0.0.3, want it unbound"}
	if !slices.Equal(diff, want) {
		t.Errorf("DiffBindings = %q", diff)
	}
}

// A Workspace's files are rewritten while terraform commands of another
// Workspace in the same directory read them: a reader never sees one half
// written (an empty CLI configuration drops dev_overrides).
func TestWriteWholeNeverShowsHalf(t *testing.T) {
	name := filepath.Join(t.TempDir(), ".terraformrc")
	content := strings.Repeat("provider_installation {}\n", 200)
	if err := writeWhole(name, content); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() {
		var err error
		for i := 0; i < 2000 && err == nil; i++ {
			err = writeWhole(name, content)
		}
		done <- err
	}()
	for reads := 0; ; reads++ {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d reads, each whole", reads)
			return
		default:
		}
		if got, err := os.ReadFile(name); err != nil || string(got) != content {
			t.Fatalf("read %d of %d bytes (%v) while the file was rewritten", len(got), len(content), err)
		}
	}
}
