package emulator_test

import (
	"testing"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	vpc "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc/v20170312"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

func scaled(n int) func(*emulator.Options) {
	return func(o *emulator.Options) { o.Scale = n }
}

// How fast a large world is built and served is measured by the benchmarks
// (bench_test.go), not asserted here: a loaded machine must not fail a test.
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
