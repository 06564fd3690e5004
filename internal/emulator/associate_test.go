package emulator_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	vpc "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc/v20170312"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

var digits = regexp.MustCompile(`^[0-9]+$`)

func TestAssociateInstanceLifecycle(t *testing.T) {
	e := newEnv(t)
	taskID := e.mustAssociate("eip-demo0001", "ins-demo0001")
	if !digits.MatchString(taskID) {
		t.Fatalf("TaskId = %q, want digits", taskID)
	}

	// While the task runs the address is BINDING and already shows its target.
	a := e.address("eip-demo0001")
	wantAddress(t, a, "BINDING", "ins-demo0001", "eni-demo0001", "10.0.0.11")
	if a.TaskID == 0 {
		t.Fatal("a BINDING address must name its running task")
	}
	e.wantTask(taskID, "RUNNING")
	shown := e.mustDescribeIDs("eip-demo0001")[0]
	if *shown.AddressStatus != "BINDING" || shown.InstanceId == nil || *shown.InstanceId != "ins-demo0001" {
		t.Fatalf("DescribeAddresses while binding: %s", mustJSON(shown))
	}

	e.emu.AdvanceClock(emulator.DefaultTaskDelay - time.Millisecond)
	e.wantTask(taskID, "RUNNING")
	e.emu.AdvanceClock(time.Millisecond)
	e.wantTask(taskID, "SUCCESS")
	a = e.address("eip-demo0001")
	wantAddress(t, a, "BIND", "ins-demo0001", "eni-demo0001", "10.0.0.11")
	if a.TaskID != 0 {
		t.Fatalf("finished task still owns the address: %d", a.TaskID)
	}
	shown = e.mustDescribeIDs("eip-demo0001")[0]
	if *shown.AddressStatus != "BIND" || *shown.InstanceType != "CVM" || *shown.NetworkInterfaceId != "eni-demo0001" ||
		*shown.PrivateAddressIp != "10.0.0.11" {
		t.Fatalf("DescribeAddresses after binding: %s", mustJSON(shown))
	}
}

// A dangling ENI gives BIND_ENI; unbinding keeps the target until the task is done.
func TestDanglingENIBindAndUnbind(t *testing.T) {
	e := newEnv(t)
	e.mustAssociateENI("eip-demo0001", "eni-demo0005", "10.0.1.5")
	wantAddress(t, e.address("eip-demo0001"), "BINDING", "", "eni-demo0005", "10.0.1.5")
	e.finishTasks()
	wantAddress(t, e.address("eip-demo0001"), "BIND_ENI", "", "eni-demo0005", "10.0.1.5")
	shown := e.mustDescribeIDs("eip-demo0001")[0]
	if shown.InstanceId != nil || *shown.InstanceType != "ENI" {
		t.Fatalf("an EIP on a dangling ENI shows InstanceId %v, InstanceType %v; want null, ENI", shown.InstanceId, *shown.InstanceType)
	}
	e.mustDisassociate("eip-demo0001", false)
	wantAddress(t, e.address("eip-demo0001"), "UNBINDING", "", "eni-demo0005", "10.0.1.5")
	e.finishTasks()
	wantAddress(t, e.address("eip-demo0001"), "UNBIND", "", "", "")
}

// worldWithWanIP is the default world plus a normal public IP on ins-demo0001's primary IP.
func worldWithWanIP() *emulator.World {
	w := emulator.DefaultWorld()
	w.Addresses = append(w.Addresses, emulator.Address{
		AddressID: "eip-wan00001", AddressIP: "198.51.100.1", AddressType: "WanIP", Status: "BIND",
		InstanceID: "ins-demo0001", NetworkInterfaceID: "eni-demo0001", PrivateIP: "10.0.0.11",
	})
	return w
}

// With WanIPOnBind "release" (the international site's wording), the bind goes through
// and the normal public IP goes when it completes.
func TestAssociateReleasesNormalPublicIPWhenTheBindCompletes(t *testing.T) {
	e := newEnv(t, func(o *emulator.Options) {
		o.World = worldWithWanIP()
		o.Settings.WanIPOnBind = emulator.WanIPOnBindRelease
	})
	e.mustAssociate("eip-demo0001", "ins-demo0001")
	w := e.emu.Snapshot()
	if _, ok := w.Address("eip-wan00001"); !ok {
		t.Fatal("the normal public IP went before the bind completed")
	}
	e.finishTasks()
	w = e.emu.Snapshot()
	if _, ok := w.Address("eip-wan00001"); ok {
		t.Fatal("the normal public IP is still there after the EIP took its private IP")
	}
	on := w.AddressesOn("ins-demo0001")
	if len(on) != 1 || on[0].AddressID != "eip-demo0001" {
		t.Fatalf("addresses on ins-demo0001 = %s, want only eip-demo0001", mustJSON(on))
	}
}

func TestAssociateRejections(t *testing.T) {
	associate := func(fill func(r *vpc.AssociateAddressRequest)) func(e *env) error {
		return func(e *env) error {
			req := vpc.NewAssociateAddressRequest()
			fill(req)
			_, err := e.vpc.AssociateAddress(req)
			return err
		}
	}
	toInstance := func(addressID, instanceID string) func(e *env) error {
		return func(e *env) error { _, err := e.associate(addressID, instanceID); return err }
	}
	toENI := func(addressID, eniID, ip string) func(e *env) error {
		return func(e *env) error { return e.associateENI(addressID, eniID, ip) }
	}
	runRejections(t, []rejection{
		{name: "missing AddressId", call: associate(func(r *vpc.AssociateAddressRequest) { r.InstanceId = common.StringPtr("ins-demo0001") }),
			code: "MissingParameter", mentions: "AddressId"},
		{name: "malformed address id", call: toInstance("eip-ABCDEFGH", "ins-demo0001"), code: "InvalidParameterValue.AddressIdMalformed", mentions: "eip-ABCDEFGH"},
		{name: "short address id", call: toInstance("eip-1234567", "ins-demo0001"), code: "InvalidParameterValue.AddressIdMalformed"},
		{name: "unknown address", call: toInstance("eip-zzzzzzzz", "ins-demo0001"), code: "InvalidAddressId.NotFound", mentions: "eip-zzzzzzzz"},
		{name: "blocked", call: toInstance("eip-demo0005", "ins-demo0001"), code: "InvalidAddressId.Blocked", mentions: "eip-demo0005"},
		{name: "bound and blocked", call: toInstance("eip-demo0004", "ins-demo0001"), code: "InvalidAddressId.Blocked"},
		{name: "in arrears", call: toInstance("eip-demo0003", "ins-demo0001"), code: "OperationDenied.AddressInArrears", mentions: "eip-demo0003"},
		{name: "task running", setup: func(e *env) { e.mustAssociate("eip-demo0001", "ins-demo0001") }, call: toENI("eip-demo0001", "eni-demo0005", "10.0.1.5"), code: "OperationDenied.MutexTaskRunning", mentions: "eip-demo0001"},
		{name: "already bound", call: toInstance("eip-demo0002", "ins-demo0001"), code: "UnsupportedOperation.AddressStatusNotPermit", mentions: "BIND"},
		{name: "already bound, to its own target", call: toInstance("eip-demo0002", "ins-demo0002"), code: "UnsupportedOperation.AddressStatusNotPermit"},
		{name: "instance and ENI", call: associate(func(r *vpc.AssociateAddressRequest) {
			r.AddressId, r.InstanceId = common.StringPtr("eip-demo0001"), common.StringPtr("ins-demo0001")
			r.NetworkInterfaceId, r.PrivateIpAddress = common.StringPtr("eni-demo0001"), common.StringPtr("10.0.0.11")
		}), code: "InvalidParameterConflict"},
		{name: "no target", call: associate(func(r *vpc.AssociateAddressRequest) { r.AddressId = common.StringPtr("eip-demo0001") }),
			code: "InvalidParameterValue.MissingAssociateEntity"},
		{name: "ENI without private IP", call: associate(func(r *vpc.AssociateAddressRequest) {
			r.AddressId, r.NetworkInterfaceId = common.StringPtr("eip-demo0001"), common.StringPtr("eni-demo0005")
		}), code: "MissingParameter", mentions: "PrivateIpAddress"},
		{name: "malformed instance id", call: toInstance("eip-demo0001", "ins-BAD"), code: "InvalidParameterValue.InstanceIdMalformed", mentions: "ins-BAD"},
		{name: "unknown instance", call: toInstance("eip-demo0001", "ins-zzzzzzzz"), code: "InvalidInstanceId.NotFound", mentions: "ins-zzzzzzzz"},
		{name: "instance launch failed", call: toInstance("eip-demo0001", "ins-demo0004"), code: "InvalidParameterValue.InvalidInstanceState", mentions: "LAUNCH_FAILED"},
		{name: "ENI of a launch-failed instance", call: toENI("eip-demo0001", "eni-demo0004", "10.0.0.41"), code: "InvalidParameterValue.InvalidInstanceState"},
		{name: "instance stopped in no-charge mode", call: toInstance("eip-demo0001", "ins-demo0005"), code: "UnsupportedOperation.InstanceStatusNotPermit", mentions: "ins-demo0005"},
		{name: "ENI of an instance stopped in no-charge mode", call: toENI("eip-demo0001", "eni-demo0006", "10.0.0.51"), code: "UnsupportedOperation.InstanceStatusNotPermit"},
		{name: "instance holds a normal public IP", call: toInstance("eip-demo0001", "ins-demo0006"), code: "InvalidParameterValue.InstanceHasWanIP", mentions: "198.51.100.61"},
		{name: "ENI path to a normal public IP", call: toENI("eip-demo0001", "eni-demo0007", "10.0.0.61"), code: "InvalidParameterValue.InstanceHasWanIP"},
		{name: "unknown CLB", call: toInstance("eip-demo0001", "lb-zzzzzzzz"), code: "InvalidInstanceId.NotFound", mentions: "lb-zzzzzzzz"},
		{name: "instance holds an EIP", call: toInstance("eip-demo0001", "ins-demo0002"), code: "InvalidInstanceId.AlreadyBindEip", mentions: "eip-demo0002"},
		{name: "instance gets an EIP in flight", setup: func(e *env) { e.mustAssociate("eip-demo0006", "ins-demo0001") }, call: toInstance("eip-demo0001", "ins-demo0001"), code: "InvalidInstanceId.AlreadyBindEip"},
		{name: "unknown ENI", call: toENI("eip-demo0001", "eni-zzzzzzzz", "10.0.0.11"), code: "InvalidNetworkInterfaceId.NotFound", mentions: "eni-zzzzzzzz"},
		{name: "private IP not on ENI", call: toENI("eip-demo0001", "eni-demo0001", "10.0.0.99"), code: "InvalidNetworkInterfaceId.NotFound", mentions: "10.0.0.99"},
		{name: "private IP of another ENI", call: toENI("eip-demo0001", "eni-demo0008", "10.0.2.71"), code: "InvalidNetworkInterfaceId.NotFound", mentions: "10.0.2.71"},
		{name: "private IP holds an EIP", call: toENI("eip-demo0001", "eni-demo0002", "10.0.0.21"), code: "InvalidPrivateIpAddress.AlreadyBindEip", mentions: "eip-demo0002"},
		{name: "normal public IP is not an EIP", world: worldWithWanIP(), call: toENI("eip-wan00001", "eni-demo0005", "10.0.1.5"),
			code: "UnsupportedOperation.IncorrectAddressResourceType"},
	})
}

func TestAssociateAcceptsDocumentedOptionalParameters(t *testing.T) {
	e := newEnv(t)
	req := vpc.NewAssociateAddressRequest()
	req.AddressId, req.InstanceId = common.StringPtr("eip-demo0001"), common.StringPtr("ins-demo0001")
	req.EipDirectConnection, req.InstanceRegion = common.BoolPtr(false), common.StringPtr("ap-guangzhou")
	_, err := e.vpc.AssociateAddress(req)
	noError(t, err)
	wantAddress(t, e.address("eip-demo0001"), "BINDING", "ins-demo0001", "eni-demo0001", "10.0.0.11")
}

func TestAnotherRegionIsEmpty(t *testing.T) {
	e := newEnv(t)
	other := &env{t: t, emu: e.emu, srv: e.srv, vpc: newSDKClient(t, e.srv.URL, sdkConfig{Region: "ap-shanghai"})}
	e.unchanged(func() {
		wantCode(t, errOf(other.associate("eip-demo0001", "ins-demo0001")), "InvalidAddressId.NotFound")
		wantCode(t, errOf(other.disassociate("eip-demo0002", false)), "InvalidAddressId.NotFound")
		resp, err := other.describe(vpc.NewDescribeAddressesRequest())
		if err != nil || *resp.TotalCount != 0 || len(resp.AddressSet) != 0 {
			t.Fatalf("DescribeAddresses in ap-shanghai = %s, %v; want nothing", mustJSON(resp), err)
		}
	})
	// A task of ap-guangzhou is not visible from ap-shanghai either.
	taskID := e.mustAssociate("eip-demo0001", "ins-demo0001")
	wantCode(t, errOf(other.taskResult(taskID)), "InvalidParameter")
}

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
	wantAddress(t, e.address("eip-demo0006"), "BIND", "ins-demo0001", "eni-demo0001", "10.0.0.12") // a secondary IP of an attached ENI
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
			noError(t, tt.first(e))
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
		wantCode(t, errOf(e.associate("eip-demo0002", "ins-demo0001")), "InvalidParameterValue.NetworkInterfaceIdNotMatch")
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
	wantCode(t, errOf(e.associate("eip-demo0004", "ins-demo0001")), "InvalidAddressId.Blocked")
}

// A task-error fault makes the task fail, and DescribeTaskResult answer the error
// FailedOperation.TaskFailed instead of Result FAILED.
func TestFaultTaskErrorAnswersTaskFailed(t *testing.T) {
	e := newEnv(t)
	mustInject(t, e, emulator.Fault{Action: "AssociateAddress", Kind: emulator.FaultTaskError, Count: 1})
	taskID := e.mustAssociate("eip-demo0001", "ins-demo0001")
	e.wantTask(taskID, "RUNNING")
	e.finishTasks()
	wantCode(t, errOf(e.taskResult(taskID)), "FailedOperation.TaskFailed")
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
	noError(t, err)
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
	noError(t, err)
	wantAddress(t, wan, "BIND", "ins-demo0001", "eni-demo0001", "10.0.0.11")
	if wan.AddressType != "WanIP" {
		t.Fatalf("type = %s", wan.AddressType)
	}
	got, err := e.emu.NormalPublicIPs("ins-demo0001")
	if err != nil || len(got) != 1 || got[0].AddressID != wan.AddressID {
		t.Fatalf("NormalPublicIPs = %s, %v", mustJSON(got), err)
	}
	e.unchanged(func() {
		wantCode(t, errOf(e.associate("eip-demo0001", "ins-demo0001")), "InvalidParameterValue.InstanceHasWanIP")
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
	noError(t, err)
	e.unchanged(func() {
		wantCode(t, ret(), "MissingParameter")
		wantCode(t, ret("198.51.100.61", "not-an-ip"), "InvalidParameterValue.Illegal")
		wantCode(t, ret("198.51.100.61", "192.0.2.99"), "InvalidParameterValue.AddressIpsNotFound")
		wantCode(t, ret("198.51.100.61", "203.0.113.2"), "UnsupportedOperation.NotSupportedAddressIpsChargeType")
	})
	noError(t, ret("198.51.100.61", second.AddressIP))
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
	wantCode(t, errOf(other.vpc.ReturnNormalAddresses(req)), "InvalidParameterValue.AddressIpsNotFound")
}

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
