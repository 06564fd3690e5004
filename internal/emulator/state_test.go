package emulator_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// startAt runs an emulator on a state file; stop closes it.
func startAt(t *testing.T, statePath string) (e *env, stop func()) {
	t.Helper()
	return startEnv(t, func(o *emulator.Options) { o.StatePath = statePath })
}

func TestStatePersistsAcrossRestartWithATaskInFlight(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")

	first, stop := startAt(t, path)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the state file is not written at start: %v", err)
	}
	taskID := first.mustAssociate("eip-demo0001", "ins-demo0001")
	first.mustDisassociate("eip-demo0002", true)
	first.emu.AdvanceClock(time.Hour)
	stop()

	// The clock offset, finished tasks, the WanIP and the quota count survive.
	second, stop := startAt(t, path)
	if got := second.emu.Now(); !got.Equal(testEpoch.Add(time.Hour)) {
		t.Fatalf("clock after restart = %v; the AdvanceClock offset was not kept", got)
	}
	second.wantTask(taskID, "SUCCESS")
	wantAddress(t, second.address("eip-demo0001"), "BIND", "ins-demo0001", "eni-demo0001", "10.0.0.11")
	w := second.emu.Snapshot()
	if on := w.AddressesOn("ins-demo0002"); len(on) != 1 || on[0].AddressType != "WanIP" {
		t.Fatalf("the reallocated WanIP did not survive: %s", mustJSON(on))
	}
	if current, _ := quotaCurrent(t, second, "DAILY_PUBLIC_IP_ASSIGN"); current != 1 {
		t.Fatalf("DAILY_PUBLIC_IP_ASSIGN = %d after restart, want 1", current)
	}

	// A task in flight at shutdown finishes after the restart, on time.
	inflight := second.mustDisassociate("eip-demo0001", false)
	earlier, _ := strconv.ParseUint(taskID, 10, 64)
	if n, _ := strconv.ParseUint(inflight, 10, 64); n <= earlier {
		t.Fatalf("task ids went backwards after restart: %s after %s", inflight, taskID)
	}
	stop()

	third, stop := startAt(t, path)
	defer stop()
	wantAddress(t, third.address("eip-demo0001"), "UNBINDING", "ins-demo0001", "eni-demo0001", "10.0.0.11")
	third.wantTask(inflight, "RUNNING")
	third.finishTasks()
	third.wantTask(inflight, "SUCCESS")
	wantAddress(t, third.address("eip-demo0001"), "UNBIND", "", "", "")

	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("the state directory holds %d files (temporary files left behind?)", len(entries))
	}
}

func TestStateIsWrittenAfterEveryChange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	e, stop := startAt(t, path)
	defer stop()
	e.mustPatch("eip-demo0001", emulator.AddressPatch{Blocked: ptr(true)})
	if a, _ := savedWorld(t, path).Address("eip-demo0001"); !a.Blocked {
		t.Fatal("the state file does not have the change yet")
	}
}

func TestResetIgnoresTheLoadedState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	e, stop := startAt(t, path)
	e.mustDisassociate("eip-demo0002", false)
	stop()
	e, stop = startAt(t, path)
	defer stop()
	e.emu.Reset()
	wantAddress(t, e.address("eip-demo0002"), "BIND", "ins-demo0002", "eni-demo0002", "10.0.0.21")
	if w := e.emu.Snapshot(); len(w.Tasks) != 0 {
		t.Fatalf("tasks after Reset: %s", mustJSON(w.Tasks))
	}
}

func TestCorruptOrInvalidStateIsAnError(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"not JSON":        "{",
		"unknown field":   `{"region":"ap-guangzhou","addresess":[]}`,
		"dangling target": `{"region":"ap-guangzhou","addresses":[{"addressId":"eip-aaaaaaaa","addressIp":"203.0.113.50","status":"BIND","networkInterfaceId":"eni-nowhere0","privateIp":"10.9.9.9"}]}`,
		"stuck binding":   `{"region":"ap-guangzhou","addresses":[{"addressId":"eip-aaaaaaaa","addressIp":"203.0.113.50","status":"BINDING"}]}`,
	} {
		path := filepath.Join(dir, name+".json")
		noError(t, os.WriteFile(path, []byte(content), 0o600))
		opts := emulator.DefaultOptions()
		opts.StatePath = path
		if _, err := emulator.New(opts); err == nil {
			t.Errorf("%s: New accepted the state file", name)
		}
	}
}

func ptr[T any](v T) *T { return &v }

var defaultSettings = emulator.Settings{
	AlreadyBindEIP: "private-ip", WanIPOnBind: "refuse", UnknownRegion: "InvalidParameterValue",
	BlockedUnbind: "refuse", RebindSameTarget: "refuse", UnknownENI: "error", RateLimitCode: "RequestLimitExceeded",
	SessionLifetime: "none", MetadataInstance: "ins-demo0001",
}

// Every setting has a default (the stricter reading), is a field of the world file, a
// Go option and a key of /_emulator/settings.
func TestSettingsEverywhere(t *testing.T) {
	e := newEnv(t)
	if got := e.emu.Settings(); got != defaultSettings {
		t.Fatalf("defaults = %+v, want %+v", got, defaultSettings)
	}
	if got := e.emu.Snapshot().Settings; got != defaultSettings {
		t.Fatalf("world settings = %+v", got)
	}
	for _, info := range emulator.SettingsInfo() {
		if defaultSettings.Get(info.Key) != info.Default() {
			t.Errorf("%s: default %q, SettingsInfo says %q", info.Key, defaultSettings.Get(info.Key), info.Default())
		}
	}

	// World file, overridden by Options.
	world := emulator.DefaultWorld()
	world.Settings = emulator.Settings{BlockedUnbind: "allow", UnknownENI: "empty"}
	b, _ := json.Marshal(world)
	parsed, err := emulator.ParseWorld(b)
	noError(t, err)
	w := newEnv(t, func(o *emulator.Options) {
		o.World = parsed
		o.Settings.UnknownENI = "error"
	})
	want := defaultSettings
	want.BlockedUnbind = "allow"
	if got := w.emu.Settings(); got != want {
		t.Fatalf("world file + options = %+v, want %+v", got, want)
	}
	bad := emulator.DefaultWorld()
	bad.Settings.WanIPOnBind = "sometimes"
	b, _ = json.Marshal(bad)
	if _, err := emulator.ParseWorld(b); err == nil {
		t.Fatal("a world file with an unknown setting value was accepted")
	}

	// Control surface: GET lists every key; POST changes some and checks all first.
	var got map[string]any
	e.control("GET", "/_emulator/settings", "", 200, &got)
	for _, info := range emulator.SettingsInfo() {
		if got[info.Key] != info.Default() {
			t.Errorf("GET settings %s = %v, want %s", info.Key, got[info.Key], info.Default())
		}
	}
	e.control("POST", "/_emulator/settings", `{"wanIpOnBind":"release","rebindSameTarget":"tolerate","rateLimit":{"actions":{"ReturnNormalAddresses":5}}}`, 200, &got)
	if got["wanIpOnBind"] != "release" || got["rebindSameTarget"] != "tolerate" || got["unknownEni"] != "error" {
		t.Fatalf("after POST: %v", got)
	}
	if r := e.emu.RateLimit(); r.ForAction("ReturnNormalAddresses") != 5 {
		t.Fatalf("rate limit = %+v", r)
	}
	e.control("POST", "/_emulator/settings", `{"unknownEni":"empty","blockedUnbind":"maybe"}`, 400, nil)
	e.control("POST", "/_emulator/settings", `{"unknownEni":"empty","rateLimit":{"actions":{"Nope":1}}}`, 400, nil)
	e.control("POST", "/_emulator/settings", `{"noSuchSetting":"x"}`, 400, nil)
	if got := e.emu.Settings(); got.UnknownENI != "error" {
		t.Fatal("a refused POST changed a setting")
	}
	// The setting takes effect: the WanIP is released at bind completion.
	e.mustAssociate("eip-demo0001", "ins-demo0006")
	if err := e.emu.SetSettings(emulator.Settings{UnknownENI: "bogus"}); err == nil {
		t.Fatal("SetSettings accepted a bogus value")
	}
	// Reset restores the initial settings.
	e.emu.Reset()
	if got := e.emu.Settings(); got != defaultSettings {
		t.Fatalf("after Reset = %+v", got)
	}
}

// Settings persist with the state file; Options still win over it.
func TestSettingsPersistInTheState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	first := newEnv(t, func(o *emulator.Options) { o.StatePath = path })
	noError(t, first.emu.SetSettings(emulator.Settings{BlockedUnbind: "allow", AlreadyBindEIP: "instance"}))
	noError(t, first.emu.Close())
	if saved := savedWorld(t, path); saved.Settings.BlockedUnbind != "allow" {
		t.Fatalf("state settings = %+v", saved.Settings)
	}
	second := newEnv(t, func(o *emulator.Options) {
		o.StatePath = path
		o.Settings.AlreadyBindEIP = "private-ip"
	})
	if got := second.emu.Settings(); got.BlockedUnbind != "allow" || got.AlreadyBindEIP != "private-ip" {
		t.Fatalf("restarted settings = %+v", got)
	}
}
