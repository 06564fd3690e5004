package emulator_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	vpc "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc/v20170312"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

func TestDisassociateLifecycle(t *testing.T) {
	e := newEnv(t)
	taskID := e.mustDisassociate("eip-demo0002", false)
	if !digits.MatchString(taskID) {
		t.Fatalf("TaskId = %q, want digits", taskID)
	}
	// UNBINDING keeps the target fields until the task finishes.
	wantAddress(t, e.address("eip-demo0002"), "UNBINDING", "ins-demo0002", "eni-demo0002", "10.0.0.21")
	e.wantTask(taskID, "RUNNING")
	e.finishTasks()
	e.wantTask(taskID, "SUCCESS")
	wantAddress(t, e.address("eip-demo0002"), "UNBIND", "", "", "")
	shown := e.mustDescribeIDs("eip-demo0002")[0]
	if shown.InstanceId != nil || shown.NetworkInterfaceId != nil || shown.PrivateAddressIp != nil || shown.InstanceType != nil {
		t.Fatalf("an unbound EIP must show null targets: %s", mustJSON(shown))
	}
	// No reallocation was asked for: the instance has no public IP now.
	w := e.emu.Snapshot()
	if on := w.AddressesOn("ins-demo0002"); len(on) != 0 {
		t.Fatalf("addresses on ins-demo0002 = %s, want none", mustJSON(on))
	}
}

func TestDisassociateRejections(t *testing.T) {
	disassociate := func(id string, reallocate bool) func(e *env) error {
		return func(e *env) error { _, err := e.disassociate(id, reallocate); return err }
	}
	bindENI := func(e *env, eni, ip string) {
		e.mustAssociateENI("eip-demo0001", eni, ip)
		e.finishTasks()
	}
	runRejections(t, []rejection{
		{name: "missing AddressId", call: func(e *env) error {
			_, err := e.vpc.DisassociateAddress(vpc.NewDisassociateAddressRequest())
			return err
		}, code: "MissingParameter", mentions: "AddressId"},
		{name: "malformed", call: disassociate("eip_demo0002", false), code: "InvalidParameterValue.AddressIdMalformed", mentions: "eip_demo0002"},
		{name: "unknown", call: disassociate("eip-zzzzzzzz", false), code: "InvalidAddressId.NotFound", mentions: "eip-zzzzzzzz"},
		{name: "blocked", call: disassociate("eip-demo0004", false), code: "InvalidAddressId.Blocked", mentions: "eip-demo0004"},
		{name: "task running", setup: func(e *env) { e.mustAssociate("eip-demo0001", "ins-demo0001") }, call: disassociate("eip-demo0001", false), code: "OperationDenied.MutexTaskRunning"},
		{name: "unbinding already", setup: func(e *env) { e.mustDisassociate("eip-demo0002", false) }, call: disassociate("eip-demo0002", false), code: "OperationDenied.MutexTaskRunning"},
		{name: "not bound", call: disassociate("eip-demo0001", false), code: "InvalidAddressIdStatus.NotPermit", mentions: "UNBIND"},
		{name: "reallocate from dangling ENI", setup: func(e *env) { bindENI(e, "eni-demo0005", "10.0.1.5") },
			call: disassociate("eip-demo0001", true), code: "InvalidParameterValue.OnlySupportedForMasterNetworkCard"},
		{name: "reallocate from secondary IP", setup: func(e *env) { bindENI(e, "eni-demo0001", "10.0.0.12") },
			call: disassociate("eip-demo0001", true), code: "InvalidParameterValue.OnlySupportedForMasterNetworkCard", mentions: "10.0.0.12"},
		{name: "reallocate with the daily quota used up", setup: func(e *env) {
			noError(e.t, e.emu.SetQuota("DAILY_PUBLIC_IP_ASSIGN", 10))
		}, call: disassociate("eip-demo0002", true), code: "AddressQuotaLimitExceeded.DailyAllocate"},
		{name: "normal public IP", call: disassociate("eip-demo0013", false),
			code: "InvalidParameterValue.ResourceNotSupport", mentions: "eip-demo0013"},
	})
}

func quotaCurrent(t *testing.T, e *env, id string) (current, limit int64) {
	t.Helper()
	resp, err := e.vpc.DescribeAddressQuota(vpc.NewDescribeAddressQuotaRequest())
	noError(t, err)
	for _, q := range resp.Response.QuotaSet {
		if *q.QuotaId == id {
			return *q.QuotaCurrent, *q.QuotaLimit
		}
	}
	t.Fatalf("quota %s missing from %s", id, mustJSON(resp.Response.QuotaSet))
	return 0, 0
}

var addressIDShape = regexp.MustCompile(`^eip-[a-z0-9]{8}$`)

func TestReallocationCreatesNormalPublicIP(t *testing.T) {
	e := newEnv(t)
	taskID := e.mustDisassociate("eip-demo0002", true)
	if current, _ := quotaCurrent(t, e, "DAILY_PUBLIC_IP_ASSIGN"); current != 1 {
		t.Fatalf("DAILY_PUBLIC_IP_ASSIGN = %d right after the call, want 1", current)
	}
	w := e.emu.Snapshot()
	if on := w.AddressesOn("ins-demo0002"); len(on) != 1 {
		t.Fatalf("the normal public IP appeared before the task finished: %s", mustJSON(on))
	}
	e.finishTasks()
	e.wantTask(taskID, "SUCCESS")
	wantAddress(t, e.address("eip-demo0002"), "UNBIND", "", "", "")

	w = e.emu.Snapshot()
	on := w.AddressesOn("ins-demo0002")
	if len(on) != 1 || on[0].AddressType != "WanIP" {
		t.Fatalf("addresses on ins-demo0002 = %s, want one WanIP", mustJSON(on))
	}
	wan := on[0]
	wantAddress(t, wan, "BIND", "ins-demo0002", "eni-demo0002", "10.0.0.21")
	if !addressIDShape.MatchString(wan.AddressID) {
		t.Fatalf("WanIP id %q is not eip- + 8 [a-z0-9]", wan.AddressID)
	}

	// Hidden by default, shown with address-type=WanIP or by id.
	all, err := e.describe(vpc.NewDescribeAddressesRequest())
	noError(t, err)
	for _, a := range all.AddressSet {
		if *a.AddressId == wan.AddressID {
			t.Fatal("a WanIP is listed without an address-type filter")
		}
	}
	req := vpc.NewDescribeAddressesRequest()
	req.Filters = []*vpc.Filter{{Name: common.StringPtr("address-type"), Values: common.StringPtrs([]string{"WanIP"})}}
	byType, err := e.describe(req)
	noError(t, err)
	if *byType.TotalCount != 2 || *byType.AddressSet[1].AddressId != wan.AddressID || *byType.AddressSet[1].AddressType != "WanIP" ||
		*byType.AddressSet[1].InstanceId != "ins-demo0002" || *byType.AddressSet[1].AddressStatus != "BIND" {
		t.Fatalf("address-type=WanIP gives %s (want eip-demo0013 and %s)", mustJSON(byType), wan.AddressID)
	}
	if got := e.mustDescribeIDs(wan.AddressID); len(got) != 1 || *got[0].AddressType != "WanIP" {
		t.Fatalf("WanIP by id gives %s", mustJSON(got))
	}

	// Binding an EIP to the instance again is refused while the normal public IP is
	// there (the default WanIPOnBind setting); returning it first lets the bind through.
	e.unchanged(func() {
		wantCode(t, errOf(e.associate("eip-demo0002", "ins-demo0002")), "InvalidParameterValue.InstanceHasWanIP")
	})
	e.returnNormal(wan.AddressIP)
	e.mustAssociate("eip-demo0002", "ins-demo0002")
	e.finishTasks()
	wantAddress(t, e.address("eip-demo0002"), "BIND", "ins-demo0002", "eni-demo0002", "10.0.0.21")
}

func TestDailyReallocationQuota(t *testing.T) {
	e := newEnv(t)
	cycle := func() error {
		t.Helper()
		for _, wan := range e.emu.Snapshot().NormalPublicIPs("ins-demo0001") {
			e.returnNormal(wan.AddressIP) // the previous cycle's reallocation
		}
		e.mustAssociate("eip-demo0001", "ins-demo0001")
		e.finishTasks()
		_, err := e.disassociate("eip-demo0001", true)
		if err == nil {
			e.finishTasks()
		}
		return err
	}
	for i := 1; i <= 10; i++ {
		if err := cycle(); err != nil {
			t.Fatalf("reallocation %d: %v", i, err)
		}
	}
	if current, limit := quotaCurrent(t, e, "DAILY_PUBLIC_IP_ASSIGN"); current != 10 || limit != 10 {
		t.Fatalf("DAILY_PUBLIC_IP_ASSIGN = %d/%d, want 10/10", current, limit)
	}
	// The 11th is refused and changes nothing.
	e.returnNormal(e.emu.Snapshot().NormalPublicIPs("ins-demo0001")[0].AddressIP)
	e.mustAssociate("eip-demo0001", "ins-demo0001")
	e.finishTasks()
	e.unchanged(func() {
		wantCode(t, errOf(e.disassociate("eip-demo0001", true)), "AddressQuotaLimitExceeded.DailyAllocate")
	})
	wantAddress(t, e.address("eip-demo0001"), "BIND", "ins-demo0001", "eni-demo0001", "10.0.0.11")

	// testEpoch is 20:00 in UTC+8; 3h59m later it is still the same day there.
	e.emu.AdvanceClock(3*time.Hour + 59*time.Minute)
	wantCode(t, errOf(e.disassociate("eip-demo0001", true)), "AddressQuotaLimitExceeded.DailyAllocate")
	// Past midnight UTC+8 (16:00 UTC) the quota is fresh.
	e.emu.AdvanceClock(time.Minute)
	if current, _ := quotaCurrent(t, e, "DAILY_PUBLIC_IP_ASSIGN"); current != 0 {
		t.Fatalf("DAILY_PUBLIC_IP_ASSIGN = %d after midnight UTC+8, want 0", current)
	}
	e.mustDisassociate("eip-demo0001", true) // a new day
	if current, _ := quotaCurrent(t, e, "DAILY_PUBLIC_IP_ASSIGN"); current != 1 {
		t.Fatalf("DAILY_PUBLIC_IP_ASSIGN = %d, want 1", current)
	}
}

func TestDescribeAddressQuota(t *testing.T) {
	e := newEnv(t)
	resp, err := e.vpc.DescribeAddressQuota(vpc.NewDescribeAddressQuotaRequest())
	noError(t, err)
	got := map[string][2]int64{}
	for _, q := range resp.Response.QuotaSet {
		got[*q.QuotaId] = [2]int64{*q.QuotaCurrent, *q.QuotaLimit}
	}
	want := map[string][2]int64{
		"TOTAL_EIP_QUOTA":        {12, 20}, // eip-demo0001 … eip-demo0012; the normal public IP eip-demo0013 is no EIP
		"DAILY_EIP_APPLY":        {0, 40},
		"DAILY_PUBLIC_IP_ASSIGN": {0, 10},
		"MONTHLY_RECOVER_QUOTA":  {0, 5},
		"TOTAL_EIP6_QUOTA":       {0, 20},
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s = %v, want %v", id, got[id], w)
		}
	}
	// TOTAL_EIP_QUOTA follows the world.
	e.mustPatch("eip-demo0009", emulator.AddressPatch{Delete: true})
	if current, _ := quotaCurrent(t, e, "TOTAL_EIP_QUOTA"); current != 11 {
		t.Fatalf("TOTAL_EIP_QUOTA = %d after a release, want 11", current)
	}
	if err := e.emu.SetQuota("TOTAL_EIP_QUOTA", 3); err == nil {
		t.Fatal("SetQuota(TOTAL_EIP_QUOTA) must be refused: it is derived from the world")
	}
	if err := e.emu.SetQuota("NO_SUCH_QUOTA", 3); err == nil {
		t.Fatal("SetQuota of an unknown quota must fail")
	}
}
