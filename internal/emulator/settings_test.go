package emulator_test

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

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
	if err != nil {
		t.Fatal(err)
	}
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
	if err := first.emu.SetSettings(emulator.Settings{BlockedUnbind: "allow", AlreadyBindEIP: "instance"}); err != nil {
		t.Fatal(err)
	}
	if err := first.emu.Close(); err != nil {
		t.Fatal(err)
	}
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
