package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	vpc "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc/v20170312"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

var urlLine = regexp.MustCompile(`^http://127\.0\.0\.1:[0-9]+$`)

// TestProgram builds the binary, runs it as a user would, talks to it with the official
// SDK, and stops it with SIGTERM.
func TestProgram(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the program")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "qcloud-emulator")
	build := exec.Command(goTool(t), "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	state := filepath.Join(dir, "state.json")
	const secretKey = "program-secret-key"
	cmd := exec.Command(bin, "-listen", "127.0.0.1:0", "-secret-id", "AKIDprogram", "-secret-key", secretKey,
		"-task-delay", "0s", "-state", state, "-v")
	stdout, err := cmd.StdoutPipe()
	noError(t, err)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	noError(t, cmd.Start())
	defer func() { _ = cmd.Process.Kill() }()

	lines := bufio.NewScanner(stdout)
	if !lines.Scan() {
		t.Fatalf("no first line on stdout; stderr: %s", stderr.String())
	}
	url := lines.Text()
	if !urlLine.MatchString(url) {
		t.Fatalf("first stdout line = %q, want http://127.0.0.1:PORT", url)
	}

	cpf := profile.NewClientProfile()
	cpf.HttpProfile.Endpoint = strings.TrimPrefix(url, "http://")
	cpf.HttpProfile.Scheme = "http"
	client, err := vpc.NewClient(common.NewCredential("AKIDprogram", secretKey), emulator.DefaultRegion, cpf)
	noError(t, err)
	req := vpc.NewDisassociateAddressRequest()
	req.AddressId = common.StringPtr("eip-demo0002")
	if _, err := client.DisassociateAddress(req); err != nil {
		t.Fatalf("DisassociateAddress: %v", err)
	}
	if a, _ := worldAt(t, url).Address("eip-demo0002"); a.Status != "UNBIND" {
		t.Fatalf("world after the call: eip-demo0002 is %s", a.Status)
	}

	noError(t, cmd.Process.Signal(syscall.SIGTERM))
	done := make(chan error, 1)
	go func() { _, _ = io.Copy(io.Discard, stdout); done <- cmd.Wait() }()
	// A program that never exits is caught by the test binary's -timeout, which
	// shows where it hangs; no wall-clock bound of our own.
	if err := <-done; err != nil {
		t.Fatalf("exit after SIGTERM: %v; stderr: %s", err, stderr.String())
	}
	logged := stderr.String()
	if !strings.Contains(logged, "DisassociateAddress OK") {
		t.Errorf("-v did not log the request: %s", logged)
	}
	if strings.Contains(logged, secretKey) {
		t.Error("stderr shows the secret key")
	}
	b, err := os.ReadFile(state)
	noError(t, err)
	if a, _ := parseWorld(t, b).Address("eip-demo0002"); a.Status != "UNBIND" {
		t.Fatalf("state file has eip-demo0002 %s", a.Status)
	}
}

// worldAt reads the world from the control surface of the emulator at url.
func worldAt(t *testing.T, url string) emulator.World {
	t.Helper()
	resp, err := http.Get(url + "/_emulator/world")
	noError(t, err)
	defer resp.Body.Close()
	var w emulator.World
	if err := json.NewDecoder(resp.Body).Decode(&w); err != nil {
		t.Fatalf("GET /_emulator/world: %v", err)
	}
	return w
}

func parseWorld(t *testing.T, b []byte) emulator.World {
	t.Helper()
	w, err := emulator.ParseWorld(b)
	noError(t, err)
	return *w
}

// dumped runs the program with -dump-world and the args, and parses what it prints.
func dumped(t *testing.T, args ...string) (emulator.World, []byte) {
	t.Helper()
	var stdout bytes.Buffer
	if code := run(context.Background(), append([]string{"-dump-world"}, args...), &stdout, io.Discard); code != 0 {
		t.Fatalf("%v: exit %d", args, code)
	}
	return parseWorld(t, stdout.Bytes()), stdout.Bytes()
}

// writeFile writes b to a file in a temporary directory and returns its path.
func writeFile(t *testing.T, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "world.json")
	noError(t, os.WriteFile(path, b, 0o600))
	return path
}

// noError fails the test at once on an error.
func noError(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func goTool(t *testing.T) string {
	p, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH to build the program with")
	}
	return p
}

// TestRunServesUntilCancelled runs the program in-process.
func TestRunServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	var stderr safeBuffer
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"-listen", ":0", "-rate-limit", "off", "-scale", "3"}, outW, &stderr)
		outW.Close()
	}()
	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the URL: %v; stderr: %s", err, stderr.String())
	}
	url := strings.TrimSpace(line)
	if !urlLine.MatchString(url) {
		t.Fatalf("URL = %q (a bare :PORT must listen on loopback)", url)
	}
	if _, ok := worldAt(t, url).Address("eip-sc000003"); !ok {
		t.Fatal("-scale 3 did not add eip-sc000003")
	}
	go func() { _, _ = io.Copy(io.Discard, outR) }()
	cancel()
	if c := <-code; c != 0 {
		t.Fatalf("exit code %d; stderr: %s", c, stderr.String())
	}
}

func TestBadFlagsExit2(t *testing.T) {
	for _, args := range [][]string{
		{"-no-such-flag"},
		{"-scale", "-1"},
		{"-scale", "many"},
		{"-task-delay", "-1s"},
		{"-rate-limit", "fast"},
		{"-rate-limit", "write=-1"},
		{"-rate-limit", "write=1,burst=2"},
		{"-listen", "nonsense"},
		{"-secret-id", ""},
		{"-world", filepath.Join(t.TempDir(), "missing.json")},
		{"stray-argument"},
	} {
		var stderr bytes.Buffer
		if code := run(context.Background(), args, io.Discard, &stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
		if stderr.Len() == 0 {
			t.Errorf("%v: no message on stderr", args)
		}
	}
}

func TestDumpWorld(t *testing.T) {
	w, dump := dumped(t, "-region", "ap-shanghai")
	if w.Region != "ap-shanghai" || len(w.Instances) != 8 {
		t.Fatalf("dumped world: region %s, %d instances", w.Region, len(w.Instances))
	}
	if _, ok := w.Address("eip-demo0009"); !ok {
		t.Fatal("eip-demo0009 missing from the dump")
	}

	// The dump is a valid -world file.
	dumped(t, "-world", writeFile(t, dump))
}

func TestRateLimitFlag(t *testing.T) {
	documented := func(change func(r *emulator.RateLimit)) emulator.RateLimit {
		r := emulator.DocumentedRateLimit()
		change(&r)
		return r
	}
	for in, want := range map[string]emulator.RateLimit{
		"write=5":         documented(func(r *emulator.RateLimit) { r.Write = 5 }),
		"read=1.5":        documented(func(r *emulator.RateLimit) { r.Read = 1.5 }),
		"read=1, write=2": documented(func(r *emulator.RateLimit) { r.Write, r.Read = 2, 1 }),
		"off":             {},
		"off,read=0.5":    {Read: 0.5},
		"documented":      emulator.DocumentedRateLimit(),
		"scale=10":        documented(func(r *emulator.RateLimit) { r.Scale = 10 }),
		"DescribeAddressQuota=0,ReturnNormalAddresses=1": documented(func(r *emulator.RateLimit) {
			r.Actions["DescribeAddressQuota"], r.Actions["ReturnNormalAddresses"] = 0, 1
		}),
		"off,DescribeNetworkInterfaces=3": {Actions: map[string]float64{"DescribeNetworkInterfaces": 3}},
	} {
		f := rateLimitFlag(emulator.DefaultOptions().RateLimit)
		if err := f.Set(in); err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if !reflect.DeepEqual(emulator.RateLimit(f), want) {
			t.Errorf("%q = %+v, want %+v", in, f, want)
		}
	}
	for _, bad := range []string{"write=-1", "NoSuchAction=1", "read", "scale=x", "write=NaN"} {
		f := rateLimitFlag(emulator.DefaultOptions().RateLimit)
		if err := f.Set(bad); err == nil {
			t.Errorf("%q was accepted: %+v", bad, f)
		}
	}
	// The documented limits by action.
	d := emulator.DocumentedRateLimit()
	for action, want := range map[string]float64{
		"AssociateAddress": 10, "DisassociateAddress": 10, "DescribeAddresses": 20, "DescribeTaskResult": 20,
		"DescribeAddressQuota": 10, "DescribeNetworkInterfaces": 100, "ReturnNormalAddresses": 2,
	} {
		if got := d.ForAction(action); got != want {
			t.Errorf("documented %s = %g, want %g", action, got, want)
		}
	}
}

// Each setting is a flag; a flag wins over the world file, which wins over the default.
func TestSettingFlags(t *testing.T) {
	world := emulator.DefaultWorld()
	world.Settings.BlockedUnbind = emulator.BlockedUnbindAllow
	world.Settings.UnknownENI = emulator.UnknownENIEmpty
	b, err := json.Marshal(world)
	noError(t, err)
	got, _ := dumped(t, "-world", writeFile(t, b), "-wan-ip-on-bind", "release", "-unknown-eni", "error",
		"-rate-limit-code", "LimitExceeded.ActionLimited")
	want := emulator.Settings{
		AlreadyBindEIP: "private-ip", WanIPOnBind: "release", UnknownRegion: "InvalidParameterValue",
		BlockedUnbind: "allow", RebindSameTarget: "refuse", UnknownENI: "error", RateLimitCode: "LimitExceeded.ActionLimited",
		SessionLifetime: "none", MetadataInstance: "ins-demo0001",
	}
	if got.Settings != want {
		t.Fatalf("settings = %+v, want %+v", got.Settings, want)
	}
	for _, info := range emulator.SettingsInfo() {
		if code := run(context.Background(), []string{"-dump-world", "-" + info.Flag, "no-such-value"}, io.Discard, io.Discard); code != exitUsage {
			t.Errorf("-%s no-such-value: exit %d, want %d", info.Flag, code, exitUsage)
		}
	}
}

// safeBuffer is a bytes.Buffer safe for the server goroutine and the test to share.
type safeBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *safeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *safeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// -dump-world shows the accounts, keys, roles and OIDC providers and the new settings;
// -h lists every setting's flag.
func TestDumpWorldIdentitiesAndHelp(t *testing.T) {
	w, _ := dumped(t, "-session-lifetime", "10s", "-metadata-instance", "ins-demo0002")
	if len(w.Accounts) != 1 || len(w.Roles) != 3 || len(w.OIDCProviders) != 1 ||
		len(w.Keys) != 1 || w.Keys[0].SecretID != emulator.DefaultSecretID {
		t.Fatalf("identities: %+v %+v %+v %+v", w.Accounts, w.Keys, w.Roles, w.OIDCProviders)
	}
	if w.Settings.SessionLifetime != "10s" || w.Settings.MetadataInstance != "ins-demo0002" {
		t.Fatalf("settings = %+v", w.Settings)
	}
	// A credential flag replaces the world's keys; without one they stay.
	if w, _ := dumped(t, "-secret-id", "AKIDflag", "-secret-key", "k"); len(w.Keys) != 1 || w.Keys[0].SecretID != "AKIDflag" ||
		w.Keys[0].AccountID != emulator.DefaultAccountID {
		t.Fatalf("keys with -secret-id: %+v", w.Keys)
	}
	if w, _ := dumped(t, "-security-token", "tok"); len(w.Keys) != 1 || w.Keys[0].SecretID != emulator.DefaultSecretID || w.Keys[0].Token != "tok" {
		t.Fatalf("keys with -security-token: %+v", w.Keys)
	}

	var help bytes.Buffer
	if code := run(context.Background(), []string{"-h"}, io.Discard, &help); code != 0 {
		t.Fatalf("-h: exit %d", code)
	}
	for _, info := range emulator.SettingsInfo() {
		if !strings.Contains(help.String(), "-"+info.Flag) {
			t.Errorf("-h does not list -%s", info.Flag)
		}
	}
	for _, want := range []string{"-session-lifetime", "-metadata-instance", "whole number of seconds"} {
		if !strings.Contains(help.String(), want) {
			t.Errorf("-h does not mention %q", want)
		}
	}
}

// The world file of README.md is a valid world file.
func TestREADMEWorldExample(t *testing.T) {
	b, err := os.ReadFile("README.md")
	noError(t, err)
	m := regexp.MustCompile("(?s)### World files.*?```json\n(.*?)```").FindSubmatch(b)
	if m == nil {
		t.Fatal("no JSON world under ### World files")
	}
	w := parseWorld(t, m[1])
	if len(w.Keys) != 2 || len(w.Roles) != 1 || len(w.OIDCProviders) != 1 {
		t.Fatalf("identities: %+v %+v %+v", w.Keys, w.Roles, w.OIDCProviders)
	}
}
