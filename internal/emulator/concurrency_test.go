package emulator_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	vpc "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc/v20170312"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

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
