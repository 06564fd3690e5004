package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// newTestClient starts an emulator (opts changed by tweak) and a client of it.
func newTestClient(t *testing.T, tweak func(*emulator.Options), cfgTweak func(*client.Config)) (*client.Client, *emulator.Emulator) {
	t.Helper()
	emu, url := newEmulator(t, tweak)
	return clientFor(t, url, cfgTweak), emu
}

// newEmulator starts an emulator whose tasks take 50 ms, opts changed by tweak.
func newEmulator(t *testing.T, tweak func(*emulator.Options)) (*emulator.Emulator, string) {
	t.Helper()
	opts := emulator.DefaultOptions()
	opts.TaskDelay = 50 * time.Millisecond
	if tweak != nil {
		tweak(&opts)
	}
	emu, err := emulator.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(func() { srv.Close(); _ = emu.Close() })
	return emu, srv.URL
}

// clientFor is a client of the emulator at url, with a high rate limit unless
// cfgTweak sets one.
func clientFor(t *testing.T, url string, cfgTweak func(*client.Config)) *client.Client {
	t.Helper()
	cfg := client.Config{
		SecretID: emulator.DefaultSecretID, SecretKey: emulator.DefaultSecretKey, Region: emulator.DefaultRegion,
		Endpoint: url, RateLimit: client.RateLimit{Write: 500, Read: 500}, Version: "1.2.3-test",
	}
	if cfgTweak != nil {
		cfgTweak(&cfg)
	}
	c, err := client.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func inject(t *testing.T, emu *emulator.Emulator, f emulator.Fault) {
	t.Helper()
	if err := emu.InjectFault(f); err != nil {
		t.Fatal(err)
	}
}

func ctxWithTimeout(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func boundTo(target client.Target) func(*client.Address) bool {
	return func(a *client.Address) bool { return a.IsSettled() && a.BoundTo(target) }
}

func unbound(a *client.Address) bool { return a.Status == client.StatusUnbind }

var insDemo1 = client.Target{InstanceID: "ins-demo0001"}

// associate starts binding address to target: the task to wait on.
func associate(t *testing.T, ctx context.Context, c *client.Client, address string, target client.Target) client.Task {
	t.Helper()
	id, err := c.Associate(ctx, address, target)
	if err != nil {
		t.Fatal(err)
	}
	return client.Task{Action: "AssociateAddress", AddressID: address, ID: id}
}

// bindScaled binds the first n generated addresses to their instances.
func bindScaled(t *testing.T, emu *emulator.Emulator, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		if err := emu.PatchAddress(scaleID("eip", i), emulator.AddressPatch{BindInstanceID: scaleID("ins", i)}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAssociateWaitDisassociate(t *testing.T) {
	t.Parallel()
	c, emu := newTestClient(t, nil, nil)
	ctx := ctxWithTimeout(t, 30*time.Second)
	a, err := c.WaitAddress(ctx, associate(t, ctx, c, "eip-demo0001", insDemo1), boundTo(insDemo1))
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != client.StatusBind || a.InstanceID != "ins-demo0001" || a.NetworkInterfaceID != "eni-demo0001" ||
		a.PrivateIP != "10.0.0.11" || a.PublicIP == "" {
		t.Fatalf("after the bind: %+v", a)
	}
	taskID, err := c.Disassociate(ctx, "eip-demo0001", client.UnbindOptions{ReallocateNormalPublicIP: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitAddress(ctx, client.Task{Action: "DisassociateAddress", AddressID: "eip-demo0001", ID: taskID}, unbound); err != nil {
		t.Fatal(err)
	}
	// The flag went out as a JSON boolean, and the task id back as a number.
	last := lastBody(t, emu, "DisassociateAddress")
	if last["ReallocateNormalPublicIp"] != true || last["AddressId"] != "eip-demo0001" {
		t.Fatalf("DisassociateAddress body = %v", last)
	}
	if q, err := c.DailyReallocationQuota(ctx); err != nil || q == nil || q.Current != 1 || q.Limit != 10 || q.Left() != 9 {
		t.Fatalf("daily reallocation quota = %+v, %v; want 1 of 10", q, err)
	}
}

func TestAssociateENIAndDescribeFilters(t *testing.T) {
	t.Parallel()
	c, _ := newTestClient(t, nil, nil)
	ctx := ctxWithTimeout(t, 30*time.Second)
	target := client.Target{NetworkInterfaceID: "eni-demo0005", PrivateIP: "10.0.1.5"}
	a, err := c.WaitAddress(ctx, associate(t, ctx, c, "eip-demo0006", target), boundTo(target))
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != client.StatusBindENI || a.InstanceID != "" {
		t.Fatalf("dangling ENI binding = %+v, want BIND_ENI without instance", a)
	}
	found, err := c.Addresses(ctx, client.Query{Filters: []client.Filter{{Name: "network-interface-id", Values: []string{"eni-demo0005"}}}})
	if err != nil || len(found) != 1 || found[0].ID != "eip-demo0006" {
		t.Fatalf("filter by ENI = %v, %v", found, err)
	}
}

func TestAddressesFollowsPages(t *testing.T) {
	t.Parallel()
	c, emu := newTestClient(t, func(o *emulator.Options) { o.Scale = 250 }, nil)
	ctx := ctxWithTimeout(t, 30*time.Second)
	all, err := c.Addresses(ctx, client.Query{Filters: []client.Filter{{Name: "address-status", Values: []string{"UNBIND"}}}})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, a := range all {
		if a.Status != client.StatusUnbind || seen[a.ID] {
			t.Fatalf("unexpected or repeated address %+v", a)
		}
		seen[a.ID] = true
	}
	if !seen["eip-sc000001"] || !seen["eip-sc000250"] || !seen["eip-demo0001"] {
		t.Fatalf("pages missed addresses: %d found", len(all))
	}
	wantCalls(t, emu, "DescribeAddresses", (len(all)+99)/100, fmt.Sprintf("listing %d addresses", len(all)))
}

func TestAPIErrorCarriesCodeMessageRequestID(t *testing.T) {
	t.Parallel()
	c, emu := newTestClient(t, nil, nil)
	_, err := c.Associate(ctxWithTimeout(t, 10*time.Second), "eip-demo0005", insDemo1)
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %T %v is not an *APIError", err, err)
	}
	if apiErr.Code != "InvalidAddressId.Blocked" || apiErr.Action != "AssociateAddress" || apiErr.RequestID == "" ||
		apiErr.Message == "" || apiErr.Attempts != 1 {
		t.Fatalf("APIError = %+v", apiErr)
	}
	if client.IsRetryable(err) || client.IsNotFound(err) || client.MaybeApplied(err) {
		t.Fatalf("predicates wrong for %v: a definite refusal", err)
	}
	for _, want := range []string{"AssociateAddress", "InvalidAddressId.Blocked", apiErr.RequestID} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Error() = %q lacks %q", err.Error(), want)
		}
	}
	// Binding a bound EIP is another refusal, sent once.
	if _, err := c.Associate(ctxWithTimeout(t, 10*time.Second), "eip-demo0002", insDemo1); !client.IsStatusNotPermit(err) {
		t.Fatalf("binding a bound EIP: %v", err)
	}
	wantCalls(t, emu, "AssociateAddress", 2, "two refusals")
}

func TestAuthFailure(t *testing.T) {
	t.Parallel()
	c, _ := newTestClient(t, nil, func(cfg *client.Config) { cfg.SecretKey = "wrong-key-4f1c" })
	_, err := c.LookupAddress(ctxWithTimeout(t, 10*time.Second), "eip-demo0001")
	if !client.IsAuthFailure(err) || client.IsRetryable(err) {
		t.Fatalf("wrong key: %v, want a non-retryable AuthFailure", err)
	}
	if strings.Contains(err.Error(), "wrong-key-4f1c") {
		t.Fatalf("the secret key leaked into the error: %v", err)
	}
}

func TestRetriesTransientFaults(t *testing.T) {
	t.Parallel()
	for _, f := range []emulator.Fault{
		{Kind: emulator.FaultError, Code: "RequestLimitExceeded", Count: 2},
		{Kind: emulator.FaultError, Code: "InternalError", Count: 2},
		{Kind: emulator.FaultError, Code: "OperationDenied.MutexTaskRunning", Count: 2},
		{Kind: emulator.FaultHTTPStatus, Status: 502, Count: 2},
		{Kind: emulator.FaultBadJSON, Count: 2},
		{Kind: emulator.FaultReset, Count: 2},
		{Kind: emulator.FaultDelay, Delay: emulator.Duration(3 * time.Second), Count: 1},
	} {
		t.Run(f.Kind+f.Code, func(t *testing.T) {
			t.Parallel()
			// Far above the emulator's latency: only the delay fault outlasts it.
			c, emu := newTestClient(t, nil, func(cfg *client.Config) { cfg.RequestTimeout = 2 * time.Second })
			f.Action = "AssociateAddress"
			inject(t, emu, f)
			if _, err := c.Associate(ctxWithTimeout(t, 30*time.Second), "eip-demo0001", insDemo1); err != nil {
				t.Fatalf("Associate through %d %s faults: %v", f.Count, f.Kind, err)
			}
			wantCalls(t, emu, "AssociateAddress", f.Count+1, "the faults")
		})
	}
}

// A reply from something that is not the API (a wrong endpoint, a proxy's
// error page) is not retried when it is a client error, and is when the
// gateway says the server failed.
func TestHTTPErrorPagesByStatus(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		status  int
		retried bool
	}{
		{http.StatusNotFound, false}, {http.StatusForbidden, false},
		{http.StatusBadGateway, true}, {http.StatusTooManyRequests, true},
	} {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				calls.Add(1)
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte("<html>nope</html>"))
			}))
			defer srv.Close()
			_, err := clientFor(t, srv.URL, nil).Associate(ctxWithTimeout(t, 2*time.Second), "eip-demo0001", insDemo1)
			var apiErr *client.APIError
			if !errors.As(err, &apiErr) || apiErr.HTTPStatus != tt.status {
				t.Fatalf("error = %v, want one carrying HTTP %d", err, tt.status)
			}
			if retried := calls.Load() > 1; retried != tt.retried {
				t.Fatalf("HTTP %d was tried %d times", tt.status, calls.Load())
			}
		})
	}
}

// A write whose replies never come may have been carried out: the error says
// so (TestAPIErrorCarriesCodeMessageRequestID: a definite refusal does not).
func TestMaybeApplied(t *testing.T) {
	t.Parallel()
	c, emu := newTestClient(t, nil, nil)
	inject(t, emu, emulator.Fault{Action: "AssociateAddress", Kind: emulator.FaultLostReply})
	_, err := c.Associate(ctxWithTimeout(t, 2*time.Second), "eip-demo0001", insDemo1)
	if err == nil || !client.MaybeApplied(err) {
		t.Fatalf("every reply lost: %v, want an error marked MaybeApplied", err)
	}
}

// Polls of a wait watch a change happen: they are not answered from a
// snapshot of bound addresses taken before it.
func TestWaitIsNotAnsweredFromTheSnapshot(t *testing.T) {
	t.Parallel()
	emu, url := newEmulator(t, func(o *emulator.Options) { o.Scale = 40 })
	c, other := clientFor(t, url, nil), clientFor(t, url, nil)
	ctx := ctxWithTimeout(t, 30*time.Second)
	bindScaled(t, emu, 30)
	// Another process's bind hangs: eip-demo0001 is BINDING while this
	// client reads enough addresses to take its snapshot.
	inject(t, emu, emulator.Fault{Action: "AssociateAddress", Kind: emulator.FaultTaskHang, Count: 1})
	if _, err := other.Associate(ctx, "eip-demo0001", insDemo1); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 30; i++ {
		if _, err := c.LookupAddress(ctx, scaleID("eip", i)); err != nil {
			t.Fatal(err)
		}
	}
	emu.ClearFaults() // the bind finishes

	// Reads keep coming (a refresh) while a wait polls for the bind to land.
	readCtx, stopReads := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; readCtx.Err() == nil; i++ {
			_, _ = c.LookupAddress(readCtx, scaleID("eip", 1+i%30))
		}
	})
	a, err := c.WaitAddress(ctxWithTimeout(t, 5*time.Second), client.Task{Action: "AssociateAddress", AddressID: "eip-demo0001"},
		func(a *client.Address) bool { return a.IsSettled() })
	stopReads()
	wg.Wait()
	if err != nil || a.Status != client.StatusBind {
		t.Fatalf("wait for the bind to land: %+v, %v", a, err)
	}
}

func TestWaitReportsFailedTask(t *testing.T) {
	t.Parallel()
	c, emu := newTestClient(t, nil, nil)
	inject(t, emu, emulator.Fault{Action: "AssociateAddress", Kind: emulator.FaultTaskFail, Count: 1})
	ctx := ctxWithTimeout(t, 30*time.Second)
	task := associate(t, ctx, c, "eip-demo0001", insDemo1)
	_, err := c.WaitAddress(ctx, task, boundTo(insDemo1))
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != client.CodeTaskFailed || apiErr.TaskID != task.ID {
		t.Fatalf("wait on a failed task = %v, want %s with TaskId %s", err, client.CodeTaskFailed, task.ID)
	}
	// The task id came as a string, and went back as a number.
	body := lastBody(t, emu, "DescribeTaskResult")
	if n, ok := body["TaskId"].(float64); !ok || strconv.FormatFloat(n, 'f', -1, 64) != task.ID {
		t.Fatalf("DescribeTaskResult body = %v, want the numeric TaskId %s", body, task.ID)
	}
}

func TestWaitTimesOutOnHungTask(t *testing.T) {
	t.Parallel()
	c, emu := newTestClient(t, nil, nil)
	inject(t, emu, emulator.Fault{Action: "AssociateAddress", Kind: emulator.FaultTaskHang, Count: 1})
	ctx := ctxWithTimeout(t, 2*time.Second)
	last, err := c.WaitAddress(ctx, associate(t, ctx, c, "eip-demo0001", insDemo1), boundTo(insDemo1))
	if !client.HasCode(err, client.CodeTimeout) || !strings.Contains(err.Error(), "still BINDING") {
		t.Fatalf("wait on a hung task = %v", err)
	}
	if last == nil || last.Status != client.StatusBinding {
		t.Fatalf("last observation = %+v, want BINDING", last)
	}
}

func TestInterruptedWaitSaysSo(t *testing.T) {
	t.Parallel()
	c, emu := newTestClient(t, nil, nil)
	inject(t, emu, emulator.Fault{Action: "AssociateAddress", Kind: emulator.FaultTaskHang, Count: 1})
	ctx, cancel := context.WithCancel(context.Background())
	task := associate(t, ctx, c, "eip-demo0001", insDemo1)
	cancel() // Ctrl-C
	_, err := c.WaitAddress(ctx, task, boundTo(insDemo1))
	if !client.HasCode(err, client.CodeCanceled) || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("interrupted wait = %v, want %s", err, client.CodeCanceled)
	}
}

func TestWaitForAddressThatDisappears(t *testing.T) {
	t.Parallel()
	c, emu := newTestClient(t, nil, nil)
	if err := emu.PatchAddress("eip-demo0001", emulator.AddressPatch{Delete: true}); err != nil {
		t.Fatal(err)
	}
	_, err := c.WaitAddress(ctxWithTimeout(t, 10*time.Second), client.Task{Action: "DisassociateAddress", AddressID: "eip-demo0001"}, unbound)
	if !client.IsNotFound(err) {
		t.Fatalf("wait on a deleted EIP = %v, want NotFound", err)
	}
}

func TestRequestClientHeader(t *testing.T) {
	t.Parallel()
	var first sync.Once
	var header string
	capture := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		first.Do(func() { header = r.Header.Get("X-TC-RequestClient") })
		return http.DefaultTransport.RoundTrip(r)
	})
	c, _ := newTestClient(t, nil, func(cfg *client.Config) { cfg.HTTPTransport = capture })
	if _, err := c.LookupAddress(ctxWithTimeout(t, 10*time.Second), "eip-demo0001"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(header, "terraform-provider-qcloud_1.2.3-test") {
		t.Fatalf("X-TC-RequestClient = %q", header)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	for _, cfg := range []client.Config{
		{SecretKey: "k", Region: "r"},
		{SecretID: "i", SecretKey: "k"},
		{SecretID: "i", SecretKey: "k", Region: "r", Endpoint: "ftp://x"},
		{SecretID: "i", SecretKey: "k", Region: "r", Endpoint: "::"},
	} {
		if _, err := client.New(cfg); err == nil {
			t.Errorf("New(%+v) accepted a bad config", cfg)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func lastBody(t *testing.T, emu *emulator.Emulator, action string) map[string]any {
	t.Helper()
	reqs := emu.Requests(action)
	if len(reqs) == 0 {
		t.Fatalf("no %s request recorded", action)
	}
	var body map[string]any
	if err := json.Unmarshal(reqs[len(reqs)-1].Body, &body); err != nil {
		t.Fatal(err)
	}
	return body
}

// wantCalls fails t unless emu has answered want calls of action; after says
// after what.
func wantCalls(t *testing.T, emu *emulator.Emulator, action string, want int, after string) {
	t.Helper()
	if got := emu.Stats().Calls[action]; got != want {
		t.Fatalf("after %s: %d %s calls, want %d", after, got, action, want)
	}
}

func scaleID(prefix string, i int) string {
	return fmt.Sprintf("%s-sc%06d", prefix, i)
}

// What does not exist is an error the not-found predicates recognize, from
// every lookup, whether DescribeNetworkInterfaces answers an unknown id with
// ResourceNotFound or (the emulator's other setting) an empty set.
func TestLookupsOfWhatDoesNotExist(t *testing.T) {
	t.Parallel()
	for _, setting := range []string{emulator.UnknownENIError, emulator.UnknownENIEmpty} {
		c, emu := newTestClient(t, func(o *emulator.Options) { o.Settings.UnknownENI = setting }, nil)
		ctx := ctxWithTimeout(t, 10*time.Second)
		if a, err := c.LookupAddress(ctx, "eip-nope0000"); !client.IsNotFound(err) || a != nil {
			t.Errorf("unknownEni=%s: address: %+v, %v; want a not-found error", setting, a, err)
		}
		eni, err := c.LookupNetworkInterface(ctx, "eni-nope0000")
		if !client.IsInterfaceNotFound(err) || eni != nil {
			t.Fatalf("unknownEni=%s: interface: %+v, %v; want a not-found error", setting, eni, err)
		}
		if errs := emu.Stats().Errors["DescribeNetworkInterfaces"]; setting == emulator.UnknownENIError && errs["ResourceNotFound"] != 1 {
			t.Fatalf("unknownEni=%s: the emulator answered %v, want ResourceNotFound", setting, errs)
		}
	}
}

// An interface is read once per client: where interfaces sit does not change
// through this provider.
func TestLookupNetworkInterfaceOnce(t *testing.T) {
	t.Parallel()
	c, emu := newTestClient(t, nil, nil)
	ctx := ctxWithTimeout(t, 10*time.Second)
	for range 3 {
		eni, err := c.LookupNetworkInterface(ctx, "eni-demo0001")
		if err != nil || !eni.IsInstancePrimaryIP("ins-demo0001", "10.0.0.11") || eni.IsInstancePrimaryIP("", "10.0.0.12") {
			t.Fatalf("eni-demo0001: %+v, %v", eni, err)
		}
	}
	wantCalls(t, emu, "DescribeNetworkInterfaces", 1, "three lookups of one interface")
}
