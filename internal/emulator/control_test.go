package emulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	vpc "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc/v20170312"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// control calls the HTTP control surface and decodes the JSON reply into out (if not nil).
func (e *env) control(method, path, body string, wantStatus int, out any) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	noError(e.t, err)
	resp, err := http.DefaultClient.Do(req)
	noError(e.t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		e.t.Fatalf("%s %s: HTTP %d %s, want %d", method, path, resp.StatusCode, raw, wantStatus)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		e.t.Fatalf("%s %s: Content-Type %q", method, path, ct)
	}
	if wantStatus >= 400 {
		var problem struct{ Error string }
		if err := json.Unmarshal(raw, &problem); err != nil || problem.Error == "" {
			e.t.Fatalf("%s %s: error body %s is not {\"error\": ...}", method, path, raw)
		}
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
}

// mustPatch changes an address out of band, or fails the test.
func (e *env) mustPatch(id string, p emulator.AddressPatch) {
	e.t.Helper()
	if err := e.emu.PatchAddress(id, p); err != nil {
		e.t.Fatalf("PatchAddress(%s, %+v): %v", id, p, err)
	}
}

func TestControlSurfaceOverHTTP(t *testing.T) {
	e := newEnv(t)
	var health map[string]any
	e.control("GET", "/_emulator/health", "", 200, &health)
	if health["status"] != "ok" {
		t.Fatalf("health = %v", health)
	}

	var w emulator.World
	e.control("GET", "/_emulator/world", "", 200, &w)
	if a, ok := w.Address("eip-demo0002"); !ok || a.Status != "BIND" || w.Region != "ap-guangzhou" {
		t.Fatalf("world over HTTP: %s", mustJSON(w))
	}

	// Faults.
	e.control("POST", "/_emulator/faults", `{"action":"DescribeAddresses","kind":"error","code":"InternalError","count":1}`, 200, nil)
	wantCode(t, errOf(e.describe(vpc.NewDescribeAddressesRequest())), "InternalError")
	e.control("POST", "/_emulator/faults", `{"kind":"error","code":"InternalError"}`, 200, nil)
	e.control("DELETE", "/_emulator/faults", "", 200, nil)
	if _, err := e.describe(vpc.NewDescribeAddressesRequest()); err != nil {
		t.Fatalf("after DELETE /_emulator/faults: %v", err)
	}
	e.control("POST", "/_emulator/faults", `{"kind":"explode"}`, 400, nil)
	e.control("POST", "/_emulator/faults", `{"kind":"delay","delay":"1s","colour":"red"}`, 400, nil)

	// Stats and the request log.
	var stats emulator.Stats
	e.control("GET", "/_emulator/stats", "", 200, &stats)
	if stats.Calls["DescribeAddresses"] != 2 || stats.Errors["DescribeAddresses"]["InternalError"] != 1 {
		t.Fatalf("stats = %s", mustJSON(stats))
	}
	var requests []emulator.RecordedRequest
	e.control("GET", "/_emulator/requests?action=DescribeAddresses", "", 200, &requests)
	if len(requests) != 2 || requests[0].ErrorCode != "InternalError" || requests[1].ErrorCode != "" || requests[0].Action != "DescribeAddresses" {
		t.Fatalf("requests = %s", mustJSON(requests))
	}
	var afterReset emulator.Stats
	e.control("POST", "/_emulator/stats/reset", "", 200, &afterReset)
	if len(afterReset.Calls) != 0 || len(e.emu.Stats().Calls) != 0 {
		t.Fatalf("stats after reset = %s", mustJSON(afterReset))
	}

	// Out-of-band address changes.
	patch := func(id, body string) (a emulator.Address) {
		t.Helper()
		e.control("POST", "/_emulator/addresses/"+id, body, 200, &a)
		return a
	}
	if a := patch("eip-demo0001", `{"blocked":true,"arrears":true}`); !a.Blocked || !a.Arrears {
		t.Fatalf("patched address = %s", mustJSON(a))
	}
	wantAddress(t, patch("eip-demo0006", `{"bindInstanceId":"ins-demo0001"}`), "BIND", "ins-demo0001", "eni-demo0001", "10.0.0.11")
	wantAddress(t, patch("eip-demo0006", `{"unbind":true}`), "UNBIND", "", "", "")
	wantAddress(t, patch("eip-demo0007", `{"bindNetworkInterfaceId":"eni-demo0005","bindPrivateIp":"10.0.1.5"}`), "BIND_ENI", "", "eni-demo0005", "10.0.1.5")
	e.control("POST", "/_emulator/addresses/eip-demo0008", `{"delete":true}`, 200, nil)
	if got := e.mustDescribeIDs("eip-demo0008"); len(got) != 0 {
		t.Fatal("a deleted address is still described")
	}
	e.control("POST", "/_emulator/addresses/eip-zzzzzzzz", `{"unbind":true}`, 404, nil)
	e.control("POST", "/_emulator/addresses/eip-demo0001", `{"unbind":`, 400, nil)
	e.control("POST", "/_emulator/addresses/eip-demo0001", `{"bindInstanceId":"ins-demo0002"}`, 400, nil) // ins-demo0002 holds eip-demo0002

	// Quotas, clock, settings.
	e.control("POST", "/_emulator/quotas/DAILY_PUBLIC_IP_ASSIGN", `{"current":10}`, 200, nil)
	wantCode(t, errOf(e.disassociate("eip-demo0002", true)), "AddressQuotaLimitExceeded.DailyAllocate")
	e.control("POST", "/_emulator/quotas/NO_SUCH_QUOTA", `{"current":1}`, 404, nil)
	e.control("POST", "/_emulator/quotas/DAILY_PUBLIC_IP_ASSIGN", `{}`, 400, nil)

	var clock struct{ Now time.Time }
	e.control("POST", "/_emulator/clock", `{"advance":"24h"}`, 200, &clock)
	if !clock.Now.Equal(testEpoch.Add(24 * time.Hour)) {
		t.Fatalf("clock = %v", clock.Now)
	}
	e.control("POST", "/_emulator/clock", `{"advance":"-1h"}`, 400, nil)
	e.control("POST", "/_emulator/clock", `{"advance":"soon"}`, 400, nil)

	var settings struct {
		TaskDelay string             `json:"taskDelay"`
		RateLimit emulator.RateLimit `json:"rateLimit"`
	}
	e.control("POST", "/_emulator/settings", `{"taskDelay":"0s","rateLimit":{"write":1}}`, 200, &settings)
	if settings.TaskDelay != "0s" || !reflect.DeepEqual(settings.RateLimit, emulator.RateLimit{Write: 1}) {
		t.Fatalf("settings = %+v", settings)
	}
	e.control("POST", "/_emulator/settings", `{"rateLimit":{"read":-5}}`, 400, nil)
	// Task delay 0: the task has finished by the next observation.
	e.mustDisassociate("eip-demo0002", false)
	wantAddress(t, e.address("eip-demo0002"), "UNBIND", "", "", "")

	// Reset brings the initial world, settings and an empty log back.
	e.control("POST", "/_emulator/reset", "", 200, nil)
	var fresh emulator.World
	e.control("GET", "/_emulator/world", "", 200, &fresh)
	if a, _ := fresh.Address("eip-demo0002"); a.Status != "BIND" {
		t.Fatalf("after reset eip-demo0002 = %s", mustJSON(a))
	}
	if a, ok := fresh.Address("eip-demo0008"); !ok || a.Status != "UNBIND" {
		t.Fatal("reset did not restore a deleted address")
	}
	if !e.emu.Now().Equal(testEpoch) {
		t.Fatalf("reset kept the clock offset: %v", e.emu.Now())
	}
	e.control("GET", "/_emulator/settings", "", 200, &settings)
	if settings.TaskDelay != "300ms" || !reflect.DeepEqual(settings.RateLimit, emulator.RateLimit{}) {
		t.Fatalf("settings after reset = %+v", settings)
	}
	e.control("GET", "/_emulator/nowhere", "", 404, nil)
	e.control("PUT", "/_emulator/world", "", 404, nil)
}

// The control surface has no authentication: only loopback peers may use it.
func TestControlSurfaceIsLoopbackOnly(t *testing.T) {
	emu := newEnv(t).emu
	for remote, want := range map[string]int{
		"192.0.2.1:4242":          http.StatusForbidden,
		"[2001:db8::1]:4242":      http.StatusForbidden,
		"10.0.0.1:80":             http.StatusForbidden,
		"not-an-address":          http.StatusForbidden,
		"127.0.0.1:4242":          http.StatusOK,
		"127.1.2.3:4242":          http.StatusOK,
		"[::1]:4242":              http.StatusOK,
		"[::ffff:127.0.0.1]:4242": http.StatusOK,
	} {
		req := httptest.NewRequest("POST", "/_emulator/reset", nil)
		req.RemoteAddr = remote
		rec := httptest.NewRecorder()
		emu.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("peer %s: HTTP %d, want %d", remote, rec.Code, want)
		}
		if want == http.StatusForbidden && !bytes.Contains(rec.Body.Bytes(), []byte(`"error"`)) {
			t.Errorf("peer %s: body %s", remote, rec.Body)
		}
	}
	// The Tencent API itself is served to anyone who can sign.
	req := httptest.NewRequest("POST", "/", strings.NewReader("{}"))
	req.RemoteAddr = "192.0.2.1:4242"
	rec := httptest.NewRecorder()
	emu.ServeHTTP(rec, req)
	if rec.Code != 200 || !bytes.Contains(rec.Body.Bytes(), []byte("AuthFailure.InvalidAuthorization")) {
		t.Fatalf("API from a remote peer: %d %s", rec.Code, rec.Body)
	}
}

func TestPatchAddressTakesTheAddressFromItsTask(t *testing.T) {
	e := newEnv(t)
	taskID := e.mustAssociate("eip-demo0001", "ins-demo0001")
	e.mustPatch("eip-demo0001", emulator.AddressPatch{Unbind: true})
	wantAddress(t, e.address("eip-demo0001"), "UNBIND", "", "", "")
	e.finishTasks()
	e.wantTask(taskID, "SUCCESS")
	// The task finished but no longer owned the address: it stays as patched.
	wantAddress(t, e.address("eip-demo0001"), "UNBIND", "", "", "")
}

func TestPatchAddressBindReleasesNormalPublicIP(t *testing.T) {
	e := newEnv(t, func(o *emulator.Options) { o.World = worldWithWanIP() })
	e.mustPatch("eip-demo0001", emulator.AddressPatch{BindInstanceID: "ins-demo0001"})
	w := e.emu.Snapshot()
	if _, ok := w.Address("eip-wan00001"); ok {
		t.Fatal("an out-of-band bind left the normal public IP in place")
	}
	wantAddress(t, e.address("eip-demo0001"), "BIND", "ins-demo0001", "eni-demo0001", "10.0.0.11")
	// Drift: moving a bound EIP elsewhere out of band.
	e.mustPatch("eip-demo0001", emulator.AddressPatch{BindNetworkInterfaceID: "eni-demo0005", BindPrivateIP: "10.0.1.5"})
	wantAddress(t, e.address("eip-demo0001"), "BIND_ENI", "", "eni-demo0005", "10.0.1.5")
	for _, p := range []emulator.AddressPatch{
		{BindInstanceID: "ins-zzzzzzzz"},
		{BindNetworkInterfaceID: "eni-demo0001"},
		{BindNetworkInterfaceID: "eni-demo0001", BindPrivateIP: "10.9.9.9"},
		{BindInstanceID: "ins-demo0001", Unbind: true},
	} {
		if err := e.emu.PatchAddress("eip-demo0006", p); err == nil {
			t.Errorf("PatchAddress(%+v) was accepted", p)
		}
	}
}

func TestStatsCountEverythingAuthenticated(t *testing.T) {
	e := newEnv(t, func(o *emulator.Options) { o.RateLimit = emulator.RateLimit{Read: 1} })
	mustInject(t, e, emulator.Fault{Action: "DescribeAddressQuota", Kind: emulator.FaultBadJSON, Count: 1})
	e.raw(rawRequest{Action: "DescribeAddresses", Body: `{"AddressIds":["eip-demo0001"]}`}) // OK
	e.raw(rawRequest{Action: "DescribeAddresses"})                                          // throttled
	e.raw(rawRequest{Action: "NoSuchAction"})                                               // InvalidAction
	e.raw(rawRequest{Action: "DescribeAddresses", SecretKey: "x", SecretID: "AKIDnobody"})  // not authenticated: not counted
	req := rawRequest{Action: "DescribeAddressQuota"}.build(t, e.srv.URL)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	s := e.emu.Stats()
	want := map[string]int{"DescribeAddresses": 2, "NoSuchAction": 1, "DescribeAddressQuota": 1}
	for action, n := range want {
		if s.Calls[action] != n {
			t.Errorf("Calls[%s] = %d, want %d", action, s.Calls[action], n)
		}
	}
	if len(s.Calls) != len(want) {
		t.Errorf("Calls = %v", s.Calls)
	}
	if s.Errors["DescribeAddresses"]["RequestLimitExceeded"] != 1 || s.Errors["NoSuchAction"]["InvalidAction"] != 1 ||
		s.Errors["DescribeAddressQuota"]["fault.bad-json"] != 1 {
		t.Errorf("Errors = %s", mustJSON(s.Errors))
	}
	log := e.emu.Requests("")
	if len(log) != 4 || log[0].Action != "DescribeAddresses" || string(log[0].Body) != `{"AddressIds":["eip-demo0001"]}` ||
		!log[0].Time.Equal(testEpoch) {
		t.Fatalf("request log = %s", mustJSON(log))
	}
	e.emu.ResetStats()
	if s := e.emu.Stats(); len(s.Calls) != 0 || len(e.emu.Requests("")) != 0 {
		t.Fatal("ResetStats left counts behind")
	}
}

func TestRequestLogKeepsTheLast10000PerAction(t *testing.T) {
	e := newEnv(t)
	const n = 10005
	for i := 0; i < n; i++ {
		body := fmt.Sprintf(`{"AddressIds":["eip-%08d"]}`, i)
		e.emu.ServeHTTP(httptest.NewRecorder(), rawRequest{Action: "DescribeAddresses", Body: body}.build(t, e.srv.URL))
	}
	log := e.emu.Requests("DescribeAddresses")
	if len(log) != 10000 {
		t.Fatalf("%d requests kept, want 10000", len(log))
	}
	if !strings.Contains(string(log[0].Body), "eip-00000005") || !strings.Contains(string(log[9999].Body), "eip-00010004") {
		t.Fatalf("kept %s … %s; want the last 10000, oldest first", log[0].Body, log[9999].Body)
	}
	if e.emu.Stats().Calls["DescribeAddresses"] != n {
		t.Fatal("the counter must count every call, not only the logged ones")
	}
}

func TestSetTaskDelay(t *testing.T) {
	e := newEnv(t)
	e.emu.SetTaskDelay(5 * time.Second)
	taskID, _ := e.disassociate("eip-demo0002", false)
	e.emu.AdvanceClock(4 * time.Second)
	e.wantTask(taskID, "RUNNING")
	e.emu.AdvanceClock(time.Second)
	e.wantTask(taskID, "SUCCESS")
}
