package emulator_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	vpc "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc/v20170312"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

func mustInject(t *testing.T, e *env, f emulator.Fault) {
	t.Helper()
	if err := e.emu.InjectFault(f); err != nil {
		t.Fatalf("InjectFault(%+v): %v", f, err)
	}
}

func TestFaultError(t *testing.T) {
	e := newEnv(t)
	mustInject(t, e, emulator.Fault{Action: "DisassociateAddress", Kind: emulator.FaultError, Code: "InternalError", Count: 1})
	e.unchanged(func() { wantCode(t, errOf(e.disassociate("eip-demo0002", false)), "InternalError") })
	// Count 1: the next call goes through, and other actions were never affected.
	_, err := e.describe(vpc.NewDescribeAddressesRequest())
	noError(t, err)
	e.mustDisassociate("eip-demo0002", false)
	s := e.emu.Stats()
	if s.Calls["DisassociateAddress"] != 2 || s.Errors["DisassociateAddress"]["InternalError"] != 1 {
		t.Fatalf("stats = %s", mustJSON(s))
	}
}

func TestFaultErrorEveryActionUntilCleared(t *testing.T) {
	e := newEnv(t)
	mustInject(t, e, emulator.Fault{Action: "*", Kind: emulator.FaultError, Code: "RequestLimitExceeded", Message: "slow down"})
	for i := 0; i < 3; i++ {
		_, err := e.describe(vpc.NewDescribeAddressesRequest())
		wantCode(t, err, "RequestLimitExceeded")
		if !strings.Contains(err.Error(), "slow down") {
			t.Fatalf("message not used: %v", err)
		}
	}
	wantCode(t, errOf(e.vpc.DescribeAddressQuota(vpc.NewDescribeAddressQuotaRequest())), "RequestLimitExceeded")
	e.emu.ClearFaults()
	_, err := e.describe(vpc.NewDescribeAddressesRequest())
	noError(t, err)
}

func TestFaultHTTPStatus(t *testing.T) {
	e := newEnv(t)
	mustInject(t, e, emulator.Fault{Kind: emulator.FaultHTTPStatus, Status: 502})
	req := rawRequest{Action: "DisassociateAddress", Body: `{"AddressId":"eip-demo0002"}`}.build(t, e.srv.URL)
	e.unchanged(func() {
		resp, err := http.DefaultClient.Do(req)
		noError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 502 || !strings.Contains(string(body), "502 Bad Gateway") {
			t.Fatalf("HTTP %d %q", resp.StatusCode, body)
		}
		_, err = e.disassociate("eip-demo0002", false)
		if code := codeOf(err); !strings.HasPrefix(code, "ClientError.") {
			t.Fatalf("SDK error code = %q, want a ClientError", code)
		}
	})
	if s := e.emu.Stats(); s.Errors["DisassociateAddress"]["fault.http-status.502"] != 2 {
		t.Fatalf("stats = %s", mustJSON(s))
	}
}

func TestFaultReset(t *testing.T) {
	e := newEnv(t)
	mustInject(t, e, emulator.Fault{Action: "DisassociateAddress", Kind: emulator.FaultReset, Count: 2})
	e.unchanged(func() {
		req := rawRequest{Action: "DisassociateAddress", Body: `{"AddressId":"eip-demo0002"}`}.build(t, e.srv.URL)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			t.Fatalf("got HTTP %d, want the connection dropped", resp.StatusCode)
		}
		wantCode(t, errOf(e.disassociate("eip-demo0002", false)), "ClientError.NetworkError")
	})
	e.mustDisassociate("eip-demo0002", false)
}

func TestFaultLostReply(t *testing.T) {
	e := newEnv(t)
	mustInject(t, e, emulator.Fault{Action: "DisassociateAddress", Kind: emulator.FaultLostReply, Count: 1})
	wantCode(t, errOf(e.disassociate("eip-demo0002", false)), "ClientError.NetworkError")
	// The write happened although its reply was lost: a retry meets its task.
	a, _ := e.emu.Snapshot().Address("eip-demo0002")
	if a.Status != emulator.StatusUnbinding {
		t.Fatalf("after a lost reply the EIP is %s, want UNBINDING", a.Status)
	}
	wantCode(t, errOf(e.disassociate("eip-demo0002", false)), "OperationDenied.MutexTaskRunning")
}

func TestFaultBadJSON(t *testing.T) {
	e := newEnv(t)
	mustInject(t, e, emulator.Fault{Action: "DescribeAddresses", Kind: emulator.FaultBadJSON, Count: 1})
	wantCode(t, errOf(e.describe(vpc.NewDescribeAddressesRequest())), "ClientError.ParseJsonError")
}

// heldSleep replaces the emulator's delay with one the test releases: entered receives
// each requested delay when a request starts waiting; the wait ends when release is
// closed (the full wait) or when the client gives up.
type heldSleep struct {
	entered chan time.Duration
	release chan struct{}
}

func holdDelays(e *env) heldSleep {
	h := heldSleep{entered: make(chan time.Duration, 1), release: make(chan struct{})}
	emulator.SetSleep(e.emu, func(ctx context.Context, d time.Duration) bool {
		h.entered <- d
		select {
		case <-h.release:
			return true
		case <-ctx.Done():
			return false
		}
	})
	return h
}

func TestFaultDelay(t *testing.T) {
	e := newEnv(t)
	held := holdDelays(e)
	const delay = 300 * time.Millisecond
	mustInject(t, e, emulator.Fault{Action: "DisassociateAddress", Kind: emulator.FaultDelay, Delay: emulator.Duration(delay), Count: 1})
	answered := make(chan error, 1)
	go func() {
		_, err := e.disassociate("eip-demo0002", false)
		answered <- err
	}()
	if got := <-held.entered; got != delay {
		t.Fatalf("the request waits %v, want %v", got, delay)
	}
	// The wait has not ended: nothing is answered or changed yet.
	select {
	case err := <-answered:
		t.Fatalf("answered during the delay: %v", err)
	default:
	}
	wantAddress(t, e.address("eip-demo0002"), "BIND", "ins-demo0002", "eni-demo0002", "10.0.0.21")
	close(held.release)
	noError(t, <-answered)
	wantAddress(t, e.address("eip-demo0002"), "UNBINDING", "ins-demo0002", "eni-demo0002", "10.0.0.21")
}

// A client that gives up during the delay changes nothing.
func TestFaultDelayBeyondClientTimeout(t *testing.T) {
	e := newEnv(t)
	held := holdDelays(e)
	// A server of its own, to know when the emulator has finished with the request.
	handled := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.emu.ServeHTTP(w, r)
		handled <- struct{}{}
	}))
	t.Cleanup(srv.Close)
	mustInject(t, e, emulator.Fault{Kind: emulator.FaultDelay, Delay: emulator.Duration(5 * time.Second)})
	e.unchanged(func() {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		req := rawRequest{Action: "DisassociateAddress", Body: `{"AddressId":"eip-demo0002"}`}.build(t, srv.URL).WithContext(ctx)
		sent := make(chan error, 1)
		go func() {
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
			}
			sent <- err
		}()
		<-held.entered
		cancel() // the client gives up during the delay
		if err := <-sent; err == nil {
			t.Fatal("the delayed request answered although the client gave up")
		}
		<-handled
		if got := e.emu.Stats().Errors["DisassociateAddress"]["fault.delay.client-gone"]; got != 1 {
			t.Fatalf("the abandoned request was not recorded: %s", mustJSON(e.emu.Stats()))
		}
	})
}

func TestFaultTaskFail(t *testing.T) {
	e := newEnv(t)
	mustInject(t, e, emulator.Fault{Kind: emulator.FaultTaskFail, Count: 2})

	taskID := e.mustAssociate("eip-demo0001", "ins-demo0001")
	wantAddress(t, e.address("eip-demo0001"), "BINDING", "ins-demo0001", "eni-demo0001", "10.0.0.11")
	e.finishTasks()
	e.wantTask(taskID, "FAILED")
	wantAddress(t, e.address("eip-demo0001"), "UNBIND", "", "", "")

	taskID = e.mustDisassociate("eip-demo0002", true)
	e.finishTasks()
	e.wantTask(taskID, "FAILED")
	wantAddress(t, e.address("eip-demo0002"), "BIND", "ins-demo0002", "eni-demo0002", "10.0.0.21")
	w := e.emu.Snapshot()
	if on := w.AddressesOn("ins-demo0002"); len(on) != 1 {
		t.Fatalf("a failed reallocation created a normal public IP: %s", mustJSON(on))
	}
	if current, _ := quotaCurrent(t, e, "DAILY_PUBLIC_IP_ASSIGN"); current != 1 {
		t.Fatalf("DAILY_PUBLIC_IP_ASSIGN = %d; the accepted call counts even if its task fails", current)
	}

	// Count 2 is used up: the next task succeeds.
	taskID = e.mustAssociate("eip-demo0001", "ins-demo0001")
	e.finishTasks()
	e.wantTask(taskID, "SUCCESS")
}

func TestFaultTaskHangUntilCleared(t *testing.T) {
	e := newEnv(t)
	mustInject(t, e, emulator.Fault{Action: "AssociateAddress", Kind: emulator.FaultTaskHang})
	taskID := e.mustAssociate("eip-demo0001", "ins-demo0001")
	e.emu.AdvanceClock(time.Hour)
	e.wantTask(taskID, "RUNNING")
	wantCode(t, errOf(e.disassociate("eip-demo0001", false)), "OperationDenied.MutexTaskRunning")

	e.emu.ClearFaults()
	e.wantTask(taskID, "RUNNING")
	e.emu.AdvanceClock(emulator.DefaultTaskDelay)
	e.wantTask(taskID, "SUCCESS")
	wantAddress(t, e.address("eip-demo0001"), "BIND", "ins-demo0001", "eni-demo0001", "10.0.0.11")
}

func TestFaultTaskHangForADuration(t *testing.T) {
	e := newEnv(t)
	mustInject(t, e, emulator.Fault{Kind: emulator.FaultTaskHang, Delay: emulator.Duration(10 * time.Second), Count: 1})
	taskID, _ := e.disassociate("eip-demo0002", false)
	e.emu.AdvanceClock(9 * time.Second)
	e.wantTask(taskID, "RUNNING")
	e.emu.AdvanceClock(time.Second)
	e.wantTask(taskID, "SUCCESS")
}

func TestFaultsComeAfterAuthenticationAndBeforeRateLimiting(t *testing.T) {
	e := newEnv(t, func(o *emulator.Options) { o.RateLimit = emulator.RateLimit{Write: 1, Read: 1} })
	mustInject(t, e, emulator.Fault{Action: "DescribeAddresses", Kind: emulator.FaultError, Code: "InternalError", Count: 1})

	// An unauthenticated request neither consumes the fault nor a rate-limit token.
	wantReplyCode(t, e.raw(rawRequest{Action: "DescribeAddresses", SecretKey: "wrong", SecretID: emulator.DefaultSecretID}), "AuthFailure.SignatureFailure")
	wantCode(t, errOf(e.describe(vpc.NewDescribeAddressesRequest())), "InternalError")
	// The faulted request took no token either: the one token is still there.
	if _, err := e.describe(vpc.NewDescribeAddressesRequest()); err != nil {
		t.Fatalf("after a faulted request: %v", err)
	}
	wantCode(t, errOf(e.describe(vpc.NewDescribeAddressesRequest())), "RequestLimitExceeded")
}

func TestInvalidFaultsAreRefused(t *testing.T) {
	e := newEnv(t)
	for _, f := range []emulator.Fault{
		{Kind: "explode"},
		{Kind: emulator.FaultError},
		{Kind: emulator.FaultHTTPStatus, Status: 200},
		{Kind: emulator.FaultDelay},
		{Kind: emulator.FaultReset, Action: "NoSuchAction"},
		{Kind: emulator.FaultTaskFail, Action: "DescribeAddresses"},
		{Kind: emulator.FaultReset, Count: -1},
	} {
		if err := e.emu.InjectFault(f); err == nil {
			t.Errorf("InjectFault(%+v) was accepted", f)
		}
	}
	if got := e.emu.Faults(); len(got) != 0 {
		t.Fatalf("refused faults are active: %+v", got)
	}
}
