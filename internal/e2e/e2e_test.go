package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

const sampleOutput = `qcloud_eip_association.a[1]: Creating...
qcloud_eip_association.a[0]: Creation complete after 1s [id=eip-sc000001::ins-sc000001]

Warning: Provider development overrides are in effect

The following provider development overrides are set in the CLI
configuration:
 - tfqcloud/qcloud in /tmp/bin

Error: API rate limit exceeded

  with qcloud_eip_association.a[1],
  on main.tf line 10, in resource "qcloud_eip_association" "a":
  10: resource "qcloud_eip_association" "a" {

While binding EIP eip-sc000002 to instance ins-sc000002: too many requests.

Code: RequestLimitExceeded
RequestId: 1234

Error: API rate limit exceeded

Code: RequestLimitExceeded
╷
│ Error: Not authorized
│
│ Code: UnauthorizedOperation
╵
`

func TestParseDiagnostics(t *testing.T) {
	diags := ParseDiagnostics(sampleOutput)
	if len(diags) != 4 {
		t.Fatalf("got %d diagnostics, want 4: %+v", len(diags), diags)
	}
	if diags[0].Severity != "Warning" || diags[0].Summary != "Provider development overrides are in effect" {
		t.Errorf("first diagnostic: %+v", diags[0])
	}
	if !strings.Contains(diags[1].Body, "Code: RequestLimitExceeded") || strings.Contains(diags[0].Body, "Creating") {
		t.Errorf("bodies: %+v", diags[:2])
	}
	if diags[3].Summary != "Not authorized" || !strings.Contains(diags[3].Body, "UnauthorizedOperation") {
		t.Errorf("boxed diagnostic: %+v", diags[3])
	}
	if got := CountMentioning(diags, "RequestLimitExceeded"); got != 2 {
		t.Errorf("CountMentioning = %d, want 2", got)
	}
	if got := ErrorSummaries(diags); strings.Join(got, "|") != "API rate limit exceeded (×2)|Not authorized" {
		t.Errorf("ErrorSummaries = %q", got)
	}
	if got := WarningSummaries(diags); len(got) != 0 {
		t.Errorf("WarningSummaries = %q, want the dev_overrides notice left out", got)
	}
}

func TestCompareBindings(t *testing.T) {
	state := []byte(`{"version":4,"resources":[
	  {"mode":"managed","type":"qcloud_eip_association","name":"a","instances":[
	    {"index_key":0,"attributes":{"eip_id":"eip-sc000001","instance_id":"ins-sc000001"}},
	    {"index_key":1,"status":"tainted","attributes":{"eip_id":"eip-sc000002","instance_id":"ins-sc000002"}},
	    {"index_key":2,"attributes":{"eip_id":"eip-sc000003","instance_id":"ins-sc000003"}},
	    {"index_key":4,"attributes":{"eip_id":"eip-sc000005","network_interface_id":"eni-sc000005","private_ip":"10.0.0.5"}}
	  ]},
	  {"mode":"managed","type":"terraform_data","name":"b","instances":[{"attributes":{}}]}
	]}`)
	entries, err := ParseState(state)
	if err != nil {
		t.Fatal(err)
	}
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
	c := CompareBindings(entries, world, ScaleEIPs(5))
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

	agree := CompareBindings(entries[:1], world, ScaleEIPs(1))
	if !agree.OK() {
		t.Errorf("want agreement:\n%s", agree)
	}
	missing, err := StateMatchesWorld(filepath.Join(t.TempDir(), "none.tfstate"), emulator.World{}, nil)
	if err != nil || !missing.OK() {
		t.Errorf("a missing state file is an empty state: %v %s", err, missing)
	}
}

func TestAssociationsConfigHCL(t *testing.T) {
	hcl := AssociationsConfig{N: 3, CreateTimeout: "5s", DeleteTimeout: "6s"}.HCL()
	for _, want := range []string{`count       = 3`, `format("eip-sc%06d", count.index + 1)`, `create = "5s"`, `delete = "6s"`,
		`provider "qcloud" {}`, `source = "tfqcloud/qcloud"`} {
		if !strings.Contains(hcl, want) {
			t.Errorf("config lacks %q:\n%s", want, hcl)
		}
	}
	if got := BaselineConfig(2); !strings.Contains(got, `resource "terraform_data" "b"`) || !strings.Contains(got, "count = 2") {
		t.Errorf("baseline:\n%s", got)
	}
	if ScaleEIP(7) != "eip-sc000007" || ScaleInstance(12) != "ins-sc000012" {
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
	if isProvider(p) {
		t.Error("the test binary is not the provider")
	}
}

// TestEmulatorProcess starts, restarts (same port, same -state) and stops a
// real qcloud-emulator, and checks that no process is left behind.
func TestEmulatorProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs qcloud-emulator")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, EmulatorBinaryName)
	if err := goBuild(ctx, root, bin, "./cmd/qcloud-emulator"); err != nil {
		t.Fatal(err)
	}
	cfg := EmulatorConfig{Binary: bin, Scale: 3, StatePath: filepath.Join(dir, "state.json"), TaskDelay: time.Millisecond,
		LogPath: filepath.Join(dir, "emulator.log")}
	emu, err := StartEmulator(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Kill()
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
	if _, err := os.Stat(cfg.StatePath); err != nil {
		t.Errorf("no -state file: %v", err)
	}
	groupsMu.Lock()
	left := len(groups)
	groupsMu.Unlock()
	if left != 0 {
		t.Errorf("%d process groups still registered", left)
	}
}
