package emulator_test

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	vpc "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc/v20170312"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

func scaled(n int) func(*emulator.Options) {
	return func(o *emulator.Options) { o.Scale = n }
}

// How fast a large world is built and served is measured by the benchmarks below, not
// asserted here: a loaded machine must not fail a test.
func TestScaleWorld(t *testing.T) {
	e := newEnv(t, scaled(5000))
	w := e.emu.Snapshot()
	if len(w.Instances) != 5008 || len(w.Addresses) != 5013 || len(w.NetworkInterfaces) != 5010 {
		t.Fatalf("counts: %d instances, %d ENIs, %d addresses", len(w.Instances), len(w.NetworkInterfaces), len(w.Addresses))
	}
	a, ok := w.Address("eip-sc005000")
	if !ok || a.Status != "UNBIND" || a.AddressType != "EIP" {
		t.Fatalf("eip-sc005000 = %+v, %v", a, ok)
	}
	ips := map[string]bool{}
	for _, a := range w.Addresses {
		if ips[a.AddressIP] {
			t.Fatalf("public IP %s is used twice", a.AddressIP)
		}
		ips[a.AddressIP] = true
	}

	e.mustAssociate("eip-sc005000", "ins-sc005000")
	e.finishTasks()
	got := e.address("eip-sc005000")
	if got.Status != "BIND" || got.NetworkInterfaceID != "eni-sc005000" || got.PrivateIP == "" {
		t.Fatalf("eip-sc005000 after binding = %+v", got)
	}

	req := vpc.NewDescribeAddressesRequest()
	req.Filters = []*vpc.Filter{filter("instance-id", "ins-sc005000")}
	resp, err := e.describe(req)
	if err != nil || *resp.TotalCount != 1 {
		t.Fatalf("by instance: %v %s", err, mustJSON(resp))
	}
	req = vpc.NewDescribeAddressesRequest()
	req.Limit = common.Int64Ptr(100)
	resp, err = e.describe(req)
	if err != nil || *resp.TotalCount != 5012 || len(resp.AddressSet) != 100 {
		t.Fatalf("listing: %v, TotalCount %d", err, *resp.TotalCount)
	}
	if current, limit := quotaCurrent(t, e, "TOTAL_EIP_QUOTA"); current != 5012 || limit < current {
		t.Fatalf("TOTAL_EIP_QUOTA = %d/%d", current, limit)
	}
}

func TestScaleOutOfRangeIsRefused(t *testing.T) {
	for _, n := range []int{-1, 1000000} {
		opts := emulator.DefaultOptions()
		opts.Scale = n
		if _, err := emulator.New(opts); err == nil {
			t.Errorf("Scale %d was accepted", n)
		}
	}
}

// Concurrent clients and control calls; run with -race. Whatever interleaving happens,
// the world must stay consistent: every EIP ends up bound or unbound, one per private IP.
// The clock moves only when the clients move it, so no wait depends on real time.
func TestConcurrentClientsAndControl(t *testing.T) {
	e := newEnv(t, scaled(16), func(o *emulator.Options) {
		o.TaskDelay = time.Millisecond
		o.RateLimit = emulator.RateLimit{Write: 1000, Read: 1000}
	})
	var wg sync.WaitGroup
	for i := 1; i <= 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			eip, ins := fmt.Sprintf("eip-sc%06d", i), fmt.Sprintf("ins-sc%06d", (i%8)+1) // two EIPs race per instance
			for round := 0; round < 5; round++ {
				_, _ = e.associate(eip, ins)
				_, _ = e.describe(vpc.NewDescribeAddressesRequest())
				e.emu.AdvanceClock(2 * time.Millisecond) // tasks started so far may finish
				_, _ = e.disassociate(eip, round%2 == 0)
			}
		}(i)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 20; i++ {
			_ = e.emu.SetRateLimit(emulator.RateLimit{Write: 1000, Read: float64(1000 + i)})
			e.emu.SetTaskDelay(time.Millisecond)
			_ = e.emu.InjectFault(emulator.Fault{Kind: emulator.FaultTaskFail, Count: 1})
			_ = e.emu.Stats()
			_ = e.emu.Requests("")
			_ = e.emu.Snapshot()
			e.emu.ClearFaults()
		}
	}()
	wg.Wait()
	e.emu.ClearFaults()           // no task hangs
	e.emu.AdvanceClock(time.Hour) // every task started has had its time

	w := e.emu.Snapshot()
	onIP := map[string]string{}
	for _, a := range w.Addresses {
		switch a.Status {
		case "UNBIND":
			if a.InstanceID != "" || a.PrivateIP != "" {
				t.Errorf("%s is UNBIND with a target: %+v", a.AddressID, a)
			}
		case "BIND", "BIND_ENI":
			if other, dup := onIP[a.PrivateIP]; dup {
				t.Errorf("private IP %s holds %s and %s", a.PrivateIP, other, a.AddressID)
			}
			onIP[a.PrivateIP] = a.AddressID
		default:
			t.Errorf("%s is still %s after every task had time to finish", a.AddressID, a.Status)
		}
	}
	if s := e.emu.Stats(); s.Calls["AssociateAddress"] != 80 || s.Calls["DisassociateAddress"] != 80 {
		t.Errorf("calls = %v", s.Calls)
	}
}

// benchEmulator is a 5000-instance world served in-process, rate limits off.
func benchEmulator(b *testing.B) (*emulator.Emulator, string) {
	b.Helper()
	opts := emulator.DefaultOptions()
	opts.RateLimit, opts.Scale, opts.TaskDelay = emulator.RateLimit{}, 5000, 0
	emu, err := emulator.New(opts)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	b.Cleanup(srv.Close)
	return emu, srv.URL
}

func serve(b *testing.B, emu *emulator.Emulator, url string, rr rawRequest) {
	rec := httptest.NewRecorder()
	emu.ServeHTTP(rec, rr.build(b, url))
	if strings.Contains(rec.Body.String(), `"Error"`) {
		b.Fatalf("%s: %s", rr.Action, rec.Body)
	}
}

func BenchmarkDescribeAddresses100IDsScale5000(b *testing.B) {
	emu, url := benchEmulator(b)
	ids := make([]string, 100)
	for i := range ids {
		ids[i] = fmt.Sprintf(`"eip-sc%06d"`, i*50+1)
	}
	body := `{"AddressIds":[` + strings.Join(ids, ",") + `],"Limit":100}`
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		serve(b, emu, url, rawRequest{Action: "DescribeAddresses", Body: body, Timestamp: time.Now()})
	}
}

func BenchmarkAssociateDisassociateScale5000(b *testing.B) {
	emu, url := benchEmulator(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := i%5000 + 1
		serve(b, emu, url, rawRequest{Action: "AssociateAddress", Timestamp: time.Now(),
			Body: fmt.Sprintf(`{"AddressId":"eip-sc%06d","InstanceId":"ins-sc%06d"}`, n, n)})
		serve(b, emu, url, rawRequest{Action: "DisassociateAddress", Timestamp: time.Now(),
			Body: fmt.Sprintf(`{"AddressId":"eip-sc%06d"}`, n)})
	}
}
