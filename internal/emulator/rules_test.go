package emulator_test

import (
	"testing"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	vpc "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc/v20170312"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// One EIP per private IP: an EIP on a secondary IP, or on a secondary ENI, does not
// stop a bind to the instance, which targets the primary IP of the primary ENI.
func TestAssociateOneEIPPerPrivateIP(t *testing.T) {
	e := newEnv(t)
	e.mustAssociateENI("eip-demo0006", "eni-demo0001", "10.0.0.12")
	e.mustAssociateENI("eip-demo0007", "eni-demo0009", "10.0.2.71")
	e.finishTasks()
	e.mustAssociate("eip-demo0001", "ins-demo0001") // despite the EIP on its secondary IP
	e.mustAssociate("eip-demo0008", "ins-demo0007") // despite the EIP on its secondary ENI
	e.finishTasks()
	wantAddress(t, e.address("eip-demo0001"), "BIND", "ins-demo0001", "eni-demo0001", "10.0.0.11")
	wantAddress(t, e.address("eip-demo0008"), "BIND", "ins-demo0007", "eni-demo0008", "10.0.0.71")
	wantAddress(t, e.address("eip-demo0007"), "BIND", "ins-demo0007", "eni-demo0009", "10.0.2.71")
	if on := e.emu.Snapshot().AddressesOn("ins-demo0007"); len(on) != 2 {
		t.Fatalf("ins-demo0007 holds %s, want two EIPs", mustJSON(on))
	}
}

// The instance path and the ENI path to the same private IP agree, whichever came
// first; each answers with its own code.
func TestAssociateInstanceAndENIPathsAgree(t *testing.T) {
	for _, tt := range []struct {
		name, setting string
		first         func(e *env) error
		second        func(e *env) error
		code          string
	}{
		{name: "instance then ENI",
			first:  func(e *env) error { _, err := e.associate("eip-demo0001", "ins-demo0001"); return err },
			second: func(e *env) error { return e.associateENI("eip-demo0006", "eni-demo0001", "10.0.0.11") },
			code:   "InvalidPrivateIpAddress.AlreadyBindEip"},
		{name: "ENI then instance",
			first:  func(e *env) error { return e.associateENI("eip-demo0001", "eni-demo0001", "10.0.0.11") },
			second: func(e *env) error { _, err := e.associate("eip-demo0006", "ins-demo0001"); return err },
			code:   "InvalidInstanceId.AlreadyBindEip"},
		{name: "instance-wide: secondary IP then instance", setting: emulator.AlreadyBindEIPInstance,
			first:  func(e *env) error { return e.associateENI("eip-demo0001", "eni-demo0001", "10.0.0.12") },
			second: func(e *env) error { _, err := e.associate("eip-demo0006", "ins-demo0001"); return err },
			code:   "InvalidInstanceId.AlreadyBindEip"},
		{name: "instance-wide: secondary IP then ENI path to the primary IP", setting: emulator.AlreadyBindEIPInstance,
			first:  func(e *env) error { return e.associateENI("eip-demo0001", "eni-demo0001", "10.0.0.12") },
			second: func(e *env) error { return e.associateENI("eip-demo0006", "eni-demo0001", "10.0.0.11") },
			code:   "InvalidInstanceId.AlreadyBindEip"},
		{name: "instance-wide: secondary ENI then instance", setting: emulator.AlreadyBindEIPInstance,
			first:  func(e *env) error { return e.associateENI("eip-demo0001", "eni-demo0009", "10.0.2.72") },
			second: func(e *env) error { _, err := e.associate("eip-demo0006", "ins-demo0007"); return err },
			code:   "InvalidInstanceId.AlreadyBindEip"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(o *emulator.Options) { o.Settings.AlreadyBindEIP = tt.setting })
			if err := tt.first(e); err != nil {
				t.Fatal(err)
			}
			for _, settled := range []bool{false, true} { // while BINDING, and once BIND
				if settled {
					e.finishTasks()
				}
				e.unchanged(func() { wantCode(t, tt.second(e), tt.code) })
			}
		})
	}
	// Instance-wide, a secondary IP may still take an EIP beside one on the primary IP.
	e := newEnv(t, func(o *emulator.Options) { o.Settings.AlreadyBindEIP = emulator.AlreadyBindEIPInstance })
	e.mustAssociate("eip-demo0001", "ins-demo0001")
	e.mustAssociateENI("eip-demo0006", "eni-demo0001", "10.0.0.12") // the instance-wide rule allows a secondary IP
}

// A STOPPED instance that still charges takes an EIP; one stopped in no-charge mode
// does not (see TestAssociateRejections).
func TestAssociateStoppedInstanceThatCharges(t *testing.T) {
	e := newEnv(t)
	e.mustAssociate("eip-demo0001", "ins-demo0008")
	e.finishTasks()
	wantAddress(t, e.address("eip-demo0001"), "BIND", "ins-demo0008", "eni-demo0010", "10.0.0.81")
}

// With RebindSameTarget "tolerate", binding a bound EIP to its own target is a task that
// changes nothing, and another target is refused with the *NotMatch codes.
func TestRebindSameTargetTolerated(t *testing.T) {
	e := newEnv(t, func(o *emulator.Options) { o.Settings.RebindSameTarget = emulator.RebindSameTargetTolerate })
	before := e.emu.Snapshot()
	taskID := e.mustAssociate("eip-demo0002", "ins-demo0002")
	wantAddress(t, e.address("eip-demo0002"), "BIND", "ins-demo0002", "eni-demo0002", "10.0.0.21")
	e.finishTasks()
	e.wantTask(taskID, "SUCCESS")
	after := e.emu.Snapshot()
	if a, b := mustJSON(before.Addresses), mustJSON(after.Addresses); a != b {
		t.Fatalf("a tolerated rebind changed the addresses:\n%s\n%s", a, b)
	}
	e.mustAssociateENI("eip-demo0002", "eni-demo0002", "10.0.0.21") // the ENI path to the same target

	e.unchanged(func() {
		_, err := e.associate("eip-demo0002", "ins-demo0001")
		wantCode(t, err, "InvalidParameterValue.NetworkInterfaceIdNotMatch")
	})
	// Same ENI, another private IP.
	e.mustAssociateENI("eip-demo0001", "eni-demo0001", "10.0.0.12")
	e.finishTasks()
	e.unchanged(func() {
		wantCode(t, e.associateENI("eip-demo0001", "eni-demo0001", "10.0.0.11"), "InvalidParameterValue.PrivateIpAddressNotMatch")
	})
	// A status other than BIND/BIND_ENI is still refused.
	e.mustDisassociate("eip-demo0001", false)
	wantCode(t, e.associateENI("eip-demo0001", "eni-demo0001", "10.0.0.12"), "OperationDenied.MutexTaskRunning")
}

// With BlockedUnbind "allow" (the China site since 2023-11), a blocked EIP unbinds.
func TestBlockedUnbindAllowed(t *testing.T) {
	e := newEnv(t, func(o *emulator.Options) { o.Settings.BlockedUnbind = emulator.BlockedUnbindAllow })
	e.mustDisassociate("eip-demo0004", false)
	e.finishTasks()
	wantAddress(t, e.address("eip-demo0004"), "UNBIND", "", "", "")
	if a := e.address("eip-demo0004"); !a.Blocked {
		t.Fatal("unbinding unblocked the EIP")
	}
	// Binding a blocked EIP is refused whatever the setting.
	_, err := e.associate("eip-demo0004", "ins-demo0001")
	wantCode(t, err, "InvalidAddressId.Blocked")
}

// A task-error fault makes the task fail, and DescribeTaskResult answer the error
// FailedOperation.TaskFailed instead of Result FAILED.
func TestFaultTaskErrorAnswersTaskFailed(t *testing.T) {
	e := newEnv(t)
	mustInject(t, e, emulator.Fault{Action: "AssociateAddress", Kind: emulator.FaultTaskError, Count: 1})
	taskID := e.mustAssociate("eip-demo0001", "ins-demo0001")
	e.wantTask(taskID, "RUNNING")
	e.finishTasks()
	_, err := e.taskResult(taskID)
	wantCode(t, err, "FailedOperation.TaskFailed")
	wantAddress(t, e.address("eip-demo0001"), "UNBIND", "", "", "")

	// The next task is not affected.
	taskID = e.mustAssociate("eip-demo0001", "ins-demo0001")
	e.finishTasks()
	e.wantTask(taskID, "SUCCESS")
	if err := e.emu.InjectFault(emulator.Fault{Action: "DescribeAddresses", Kind: emulator.FaultTaskError}); err == nil {
		t.Fatal("a task fault on an action without tasks was accepted")
	}
}

// DescribeAddresses and DescribeAddressQuota response details.
func TestAddressNameAndQuotaGroup(t *testing.T) {
	e := newEnv(t)
	r := e.raw(rawRequest{Action: "DescribeAddresses", Body: `{"AddressIds":["eip-demo0012","eip-demo0001"]}`})
	wantReplyCode(t, r, "")
	var set []struct{ AddressId, AddressName string }
	mustUnmarshal(t, r.Response["AddressSet"], &set)
	if len(set) != 2 || set[0].AddressName != "demo-eip-1" || set[1].AddressName != "未命名" {
		t.Fatalf("names = %+v, want demo-eip-1 and 未命名", set)
	}
	resp, err := e.vpc.DescribeAddressQuota(vpc.NewDescribeAddressQuotaRequest())
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Response.QuotaSet) < 10 {
		t.Fatalf("%d quotas, want the documented ids", len(resp.Response.QuotaSet))
	}
	for _, q := range resp.Response.QuotaSet {
		if q.QuotaGroup == nil || *q.QuotaGroup != "ap-guangzhou" {
			t.Fatalf("quota %s QuotaGroup = %v, want the region", *q.QuotaId, q.QuotaGroup)
		}
	}
}

// AddNormalPublicIP gives an instance a normal public IP, as a CVM created with one has;
// the bind is then refused until it is returned.
func TestAddNormalPublicIP(t *testing.T) {
	e := newEnv(t)
	wan, err := e.emu.AddNormalPublicIP("ins-demo0001")
	if err != nil {
		t.Fatal(err)
	}
	wantAddress(t, wan, "BIND", "ins-demo0001", "eni-demo0001", "10.0.0.11")
	if wan.AddressType != "WanIP" {
		t.Fatalf("type = %s", wan.AddressType)
	}
	got, err := e.emu.NormalPublicIPs("ins-demo0001")
	if err != nil || len(got) != 1 || got[0].AddressID != wan.AddressID {
		t.Fatalf("NormalPublicIPs = %s, %v", mustJSON(got), err)
	}
	e.unchanged(func() {
		_, err := e.associate("eip-demo0001", "ins-demo0001")
		wantCode(t, err, "InvalidParameterValue.InstanceHasWanIP")
	})
	if _, err := e.emu.AddNormalPublicIP("ins-demo0001"); err == nil {
		t.Fatal("a second normal public IP on the same private IP was accepted")
	}
	if _, err := e.emu.AddNormalPublicIP("ins-demo0002"); err == nil {
		t.Fatal("a normal public IP was put where an EIP sits")
	}
	if _, err := e.emu.AddNormalPublicIP("ins-zzzzzzzz"); err == nil {
		t.Fatal("an unknown instance was accepted")
	}

	// Over HTTP.
	var a emulator.Address
	e.control("POST", "/_emulator/instances/ins-demo0003/normal-public-ip", "", 400, nil) // holds eip-demo0004
	e.control("POST", "/_emulator/instances/ins-demo0007/normal-public-ip", "", 200, &a)
	wantAddress(t, a, "BIND", "ins-demo0007", "eni-demo0008", "10.0.0.71")
	var list []emulator.Address
	e.control("GET", "/_emulator/instances/ins-demo0006/normal-public-ips", "", 200, &list)
	if len(list) != 1 || list[0].AddressID != "eip-demo0013" {
		t.Fatalf("normal public IPs of ins-demo0006 = %s", mustJSON(list))
	}
	e.control("GET", "/_emulator/instances/ins-demo0001/normal-public-ips", "", 200, &list)
	if len(list) != 1 {
		t.Fatalf("normal public IPs of ins-demo0001 = %s", mustJSON(list))
	}
	e.control("GET", "/_emulator/instances/ins-zzzzzzzz/normal-public-ips", "", 404, nil)
}

func TestReturnNormalAddresses(t *testing.T) {
	e := newEnv(t)
	ret := func(ips ...string) error {
		req := vpc.NewReturnNormalAddressesRequest()
		req.AddressIps = common.StringPtrs(ips)
		_, err := e.vpc.ReturnNormalAddresses(req)
		return err
	}
	second, err := e.emu.AddNormalPublicIP("ins-demo0001")
	if err != nil {
		t.Fatal(err)
	}
	e.unchanged(func() {
		wantCode(t, ret(), "MissingParameter")
		wantCode(t, ret("198.51.100.61", "not-an-ip"), "InvalidParameterValue.Illegal")
		wantCode(t, ret("198.51.100.61", "192.0.2.99"), "InvalidParameterValue.AddressIpsNotFound")
		wantCode(t, ret("198.51.100.61", "203.0.113.2"), "UnsupportedOperation.NotSupportedAddressIpsChargeType")
	})
	if err := ret("198.51.100.61", second.AddressIP); err != nil {
		t.Fatal(err)
	}
	w := e.emu.Snapshot()
	if len(w.NormalPublicIPs("ins-demo0006")) != 0 || len(w.NormalPublicIPs("ins-demo0001")) != 0 {
		t.Fatal("the normal public IPs are still there")
	}
	// The refusal is resolved: the bind goes through.
	e.mustAssociate("eip-demo0001", "ins-demo0006")
	e.finishTasks()
	wantAddress(t, e.address("eip-demo0001"), "BIND", "ins-demo0006", "eni-demo0007", "10.0.0.61")
	// Another region does not see them.
	other := &env{t: t, vpc: newSDKClient(t, e.srv.URL, sdkConfig{Region: "ap-shanghai"})}
	req := vpc.NewReturnNormalAddressesRequest()
	req.AddressIps = common.StringPtrs([]string{"198.51.100.61"})
	_, err = other.vpc.ReturnNormalAddresses(req)
	wantCode(t, err, "InvalidParameterValue.AddressIpsNotFound")
}
