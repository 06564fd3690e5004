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

func TestAssociateDanglingENIGivesBindENI(t *testing.T) {
	e := newEnv(t)
	e.mustAssociateENI("eip-demo0001", "eni-demo0005", "10.0.1.5")
	wantAddress(t, e.address("eip-demo0001"), "BINDING", "", "eni-demo0005", "10.0.1.5")
	e.finishTasks()
	wantAddress(t, e.address("eip-demo0001"), "BIND_ENI", "", "eni-demo0005", "10.0.1.5")
	shown := e.mustDescribeIDs("eip-demo0001")[0]
	if shown.InstanceId != nil || *shown.InstanceType != "ENI" {
		t.Fatalf("an EIP on a dangling ENI shows InstanceId %v, InstanceType %v; want null, ENI", shown.InstanceId, *shown.InstanceType)
	}
}

func TestAssociateAttachedENISecondaryIPGivesBind(t *testing.T) {
	e := newEnv(t)
	e.mustAssociateENI("eip-demo0001", "eni-demo0001", "10.0.0.12")
	e.finishTasks()
	wantAddress(t, e.address("eip-demo0001"), "BIND", "ins-demo0001", "eni-demo0001", "10.0.0.12")
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
	if _, err := e.vpc.AssociateAddress(req); err != nil {
		t.Fatal(err)
	}
	wantAddress(t, e.address("eip-demo0001"), "BINDING", "ins-demo0001", "eni-demo0001", "10.0.0.11")
}

func TestAnotherRegionIsEmpty(t *testing.T) {
	e := newEnv(t)
	other := &env{t: t, emu: e.emu, srv: e.srv, vpc: newSDKClient(t, e.srv.URL, sdkConfig{Region: "ap-shanghai"})}
	e.unchanged(func() {
		_, err := other.associate("eip-demo0001", "ins-demo0001")
		wantCode(t, err, "InvalidAddressId.NotFound")
		_, err = other.disassociate("eip-demo0002", false)
		wantCode(t, err, "InvalidAddressId.NotFound")
		resp, err := other.describe(vpc.NewDescribeAddressesRequest())
		if err != nil || *resp.TotalCount != 0 || len(resp.AddressSet) != 0 {
			t.Fatalf("DescribeAddresses in ap-shanghai = %s, %v; want nothing", mustJSON(resp), err)
		}
	})
	// A task of ap-guangzhou is not visible from ap-shanghai either.
	taskID := e.mustAssociate("eip-demo0001", "ins-demo0001")
	_, err := other.taskResult(taskID)
	wantCode(t, err, "InvalidParameter")
}
