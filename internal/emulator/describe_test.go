package emulator_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	vpc "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc/v20170312"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

func filter(name string, values ...string) *vpc.Filter {
	return &vpc.Filter{Name: common.StringPtr(name), Values: common.StringPtrs(values)}
}

func ids(set []*vpc.Address) []string {
	out := []string{}
	for _, a := range set {
		out = append(out, *a.AddressId)
	}
	return out
}

// many is n strings of the format with 0 … n-1.
func many(n int, format string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(format, i)
	}
	return out
}

// demoIDs are the ids eip-demoNNNN of the default world.
func demoIDs(ns ...int) []string { return numbered("eip-demo%04d", ns) }

// numbered formats each number with the format.
func numbered(format string, ns []int) []string {
	out := []string{}
	for _, n := range ns {
		out = append(out, fmt.Sprintf(format, n))
	}
	return out
}

func TestDescribeAddressesListsEIPsSortedAndPaged(t *testing.T) {
	e := newEnv(t)
	resp, err := e.describe(vpc.NewDescribeAddressesRequest())
	noError(t, err)
	if *resp.TotalCount != 12 || !slices.Equal(ids(resp.AddressSet), demoIDs(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)) {
		t.Fatalf("default listing = %d %v", *resp.TotalCount, ids(resp.AddressSet))
	}
	// By id, in id order; unknown well-formed ids are simply absent.
	if got := ids(e.mustDescribeIDs("eip-demo0003", "eip-zzzzzzzz", "eip-demo0001")); !slices.Equal(got, demoIDs(1, 3)) {
		t.Fatalf("by id = %v", got)
	}
	page := func(offset, limit int64) []string {
		req := vpc.NewDescribeAddressesRequest()
		req.Offset, req.Limit = common.Int64Ptr(offset), common.Int64Ptr(limit)
		resp, err := e.describe(req)
		noError(t, err)
		if *resp.TotalCount != 12 {
			t.Fatalf("TotalCount = %d on a page, want all matches (12)", *resp.TotalCount)
		}
		return ids(resp.AddressSet)
	}
	for offset, want := range map[int64][]string{0: demoIDs(1, 2, 3, 4), 4: demoIDs(5, 6, 7, 8), 8: demoIDs(9, 10, 11, 12),
		10: demoIDs(11, 12), 20: demoIDs()} {
		if got := page(offset, 4); !slices.Equal(got, want) {
			t.Errorf("page %d,4 = %v, want %v", offset, got, want)
		}
	}
}

func TestDescribeAddressesFilters(t *testing.T) {
	tests := []struct {
		name    string
		filters []*vpc.Filter
		want    []string
	}{
		{"address-status", []*vpc.Filter{filter("address-status", "BIND")}, demoIDs(2, 4)},
		{"values are ORed", []*vpc.Filter{filter("address-id", "eip-demo0007", "eip-demo0002")}, demoIDs(2, 7)},
		{"filters are ANDed", []*vpc.Filter{filter("address-status", "UNBIND"), filter("is-arrears", "TRUE")}, demoIDs(3)},
		{"is-arrears FALSE", []*vpc.Filter{filter("is-arrears", "FALSE")}, demoIDs(1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12)},
		{"instance-id", []*vpc.Filter{filter("instance-id", "ins-demo0002", "ins-demo0003")}, demoIDs(2, 4)},
		{"network-interface-id", []*vpc.Filter{filter("network-interface-id", "eni-demo0003")}, demoIDs(4)},
		{"private-ip-address", []*vpc.Filter{filter("private-ip-address", "10.0.0.21")}, demoIDs(2)},
		{"private-ip-address uses only the first value", []*vpc.Filter{filter("private-ip-address", "10.0.0.99", "10.0.0.21")}, nil},
		{"address-ip", []*vpc.Filter{filter("address-ip", "203.0.113.5")}, demoIDs(5)},
		{"address-name", []*vpc.Filter{filter("address-name", "demo-eip-6")}, demoIDs(6)},
		{"address-type EIP", []*vpc.Filter{filter("address-type", "EIP"), filter("address-status", "BIND")}, demoIDs(2, 4)},
		{"address-type WanIP", []*vpc.Filter{filter("address-type", "WanIP")}, demoIDs(13)},
		{"address-name of an unnamed EIP", []*vpc.Filter{filter("address-name", "未命名")}, demoIDs(12)},
		{"instance-type", []*vpc.Filter{filter("instance-type", "CVM")}, demoIDs(2, 4)},
		{"instance-type with WanIP", []*vpc.Filter{filter("instance-type", "CVM"), filter("address-type", "EIP", "WanIP")}, demoIDs(2, 4, 13)},
		{"tags match nothing", []*vpc.Filter{filter("tag:env", "prod")}, nil},
	}
	e := newEnv(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := vpc.NewDescribeAddressesRequest()
			req.Filters = tt.filters
			resp, err := e.describe(req)
			noError(t, err)
			if got := ids(resp.AddressSet); !slices.Equal(got, tt.want) || *resp.TotalCount != int64(len(tt.want)) {
				t.Fatalf("got %v (TotalCount %d), want %v", got, *resp.TotalCount, tt.want)
			}
		})
	}
}

func TestDescribeAddressesRejections(t *testing.T) {
	tests := []struct {
		name string
		fill func(r *vpc.DescribeAddressesRequest)
		code string
	}{
		{"101 ids", func(r *vpc.DescribeAddressesRequest) { r.AddressIds = common.StringPtrs(many(101, "eip-%08d")) }, "InvalidParameterValue.LimitExceeded"},
		{"malformed id", func(r *vpc.DescribeAddressesRequest) {
			r.AddressIds = common.StringPtrs([]string{"eip-demo0001", "ins-demo0001"})
		}, "InvalidParameterValue.AddressIdMalformed"},
		{"malformed address-id value", func(r *vpc.DescribeAddressesRequest) { r.Filters = []*vpc.Filter{filter("address-id", "EIP-1")} }, "InvalidParameterValue.AddressIdMalformed"},
		{"unknown filter", func(r *vpc.DescribeAddressesRequest) { r.Filters = []*vpc.Filter{filter("address-colour", "red")} }, "InvalidParameter.InvalidFilter"},
		{"11 filters", func(r *vpc.DescribeAddressesRequest) {
			for i := 0; i < 11; i++ {
				r.Filters = append(r.Filters, filter("address-status", "BIND"))
			}
		}, "LimitExceeded.NumberOfFilters"},
		{"101 values", func(r *vpc.DescribeAddressesRequest) {
			r.Filters = []*vpc.Filter{filter("address-ip", many(101, "10.0.0.%d")...)}
		}, "InvalidParameterValue.LimitExceeded"},
		{"ids and address-id", func(r *vpc.DescribeAddressesRequest) {
			r.AddressIds = common.StringPtrs([]string{"eip-demo0001"})
			r.Filters = []*vpc.Filter{filter("address-id", "eip-demo0002")}
		}, "InvalidParameterConflict"},
		{"is-arrears not boolean", func(r *vpc.DescribeAddressesRequest) { r.Filters = []*vpc.Filter{filter("is-arrears", "maybe")} }, "InvalidParameterValue"},
		{"filter without values", func(r *vpc.DescribeAddressesRequest) {
			r.Filters = []*vpc.Filter{{Name: common.StringPtr("address-status")}}
		}, "MissingParameter"},
		{"filter without name", func(r *vpc.DescribeAddressesRequest) {
			r.Filters = []*vpc.Filter{{Values: common.StringPtrs([]string{"BIND"})}}
		}, "MissingParameter"},
		{"limit 101", func(r *vpc.DescribeAddressesRequest) { r.Limit = common.Int64Ptr(101) }, "InvalidParameterValue.LimitExceeded"},
		{"limit -1", func(r *vpc.DescribeAddressesRequest) { r.Limit = common.Int64Ptr(-1) }, "InvalidParameterValue.LimitExceeded"},
		{"offset -1", func(r *vpc.DescribeAddressesRequest) { r.Offset = common.Int64Ptr(-1) }, "InvalidParameterValue"},
	}
	e := newEnv(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := vpc.NewDescribeAddressesRequest()
			tt.fill(req)
			wantCode(t, errOf(e.describe(req)), tt.code)
		})
	}
	// 100 ids and 100 values are allowed.
	req := vpc.NewDescribeAddressesRequest()
	req.AddressIds = common.StringPtrs(append(many(99, "eip-%08d"), "eip-demo0001"))
	req.Limit = common.Int64Ptr(100)
	if resp, err := e.describe(req); err != nil || *resp.TotalCount != 1 {
		t.Fatalf("100 ids: %v %v", err, mustJSON(resp))
	}
}

var createdTimeShape = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

// The wire shape of an address: documented field names, unset strings as null.
func TestDescribeAddressesWireFormat(t *testing.T) {
	e := newEnv(t)
	r := e.raw(rawRequest{Action: "DescribeAddresses", Body: `{"AddressIds":["eip-demo0001","eip-demo0002"]}`})
	wantReplyCode(t, r, "")
	var set []map[string]json.RawMessage
	if err := json.Unmarshal(r.Response["AddressSet"], &set); err != nil || len(set) != 2 {
		t.Fatalf("AddressSet: %v %s", err, r.Raw)
	}
	unbound, bound := set[0], set[1]
	for _, field := range []string{"InstanceId", "NetworkInterfaceId", "PrivateAddressIp", "InstanceType"} {
		if string(unbound[field]) != "null" {
			t.Errorf("unbound %s = %s, want null", field, unbound[field])
		}
	}
	wantJSON := map[string]string{
		"AddressId": `"eip-demo0002"`, "AddressStatus": `"BIND"`, "AddressIp": `"203.0.113.2"`,
		"InstanceId": `"ins-demo0002"`, "NetworkInterfaceId": `"eni-demo0002"`, "PrivateAddressIp": `"10.0.0.21"`,
		"IsArrears": "false", "IsBlocked": "false", "IsEipDirectConnection": "false", "AddressType": `"EIP"`,
		"CascadeRelease": "false", "InternetServiceProvider": `"BGP"`, "InstanceType": `"CVM"`, "AddressName": `"demo-eip-2"`,
	}
	for field, want := range wantJSON {
		if got := string(bound[field]); got != want {
			t.Errorf("%s = %s, want %s", field, got, want)
		}
	}
	var created string
	if err := json.Unmarshal(bound["CreatedTime"], &created); err != nil || !createdTimeShape.MatchString(created) {
		t.Errorf("CreatedTime = %s, want YYYY-MM-DDThh:mm:ssZ", bound["CreatedTime"])
	}
	if string(r.Response["TotalCount"]) != "2" {
		t.Errorf("TotalCount = %s", r.Response["TotalCount"])
	}
}

// The SDK in GET mode flattens lists (AddressIds.0, Filters.0.Values.0,
// NetworkInterfaceIds.0) into the query.
func TestGETRequestsThroughTheSDK(t *testing.T) {
	e := newEnv(t)
	get := newSDKClient(t, e.srv.URL, sdkConfig{Profile: func(p *profile.ClientProfile) { p.HttpProfile.ReqMethod = "GET" }})
	viaGET := &env{t: t, vpc: get}
	eniReq := vpc.NewDescribeNetworkInterfacesRequest()
	eniReq.Filters = []*vpc.Filter{filter("attachment.instance-id", "ins-demo0001", "ins-demo0003"), filter("is-primary", "TRUE")}
	eniReq.Limit = common.Uint64Ptr(10)
	if got := eniIDs(viaGET.mustDescribeENIs(eniReq).NetworkInterfaceSet); !slices.Equal(got, demoENIs(1, 3)) {
		t.Fatalf("GET DescribeNetworkInterfaces with filters = %v", got)
	}
	eniReq = vpc.NewDescribeNetworkInterfacesRequest()
	eniReq.NetworkInterfaceIds = common.StringPtrs([]string{"eni-demo0004", "eni-demo0002"})
	if got := eniIDs(viaGET.mustDescribeENIs(eniReq).NetworkInterfaceSet); !slices.Equal(got, demoENIs(2, 4)) {
		t.Fatalf("GET DescribeNetworkInterfaces with ids = %v", got)
	}

	req := vpc.NewDescribeAddressesRequest()
	req.AddressIds = common.StringPtrs([]string{"eip-demo0001", "eip-demo0002", "eip-demo0004"})
	req.Filters = []*vpc.Filter{filter("address-status", "BIND", "BINDING")}
	req.Limit = common.Int64Ptr(10)
	resp, err := get.DescribeAddresses(req)
	noError(t, err)
	if got := ids(resp.Response.AddressSet); !slices.Equal(got, demoIDs(2, 4)) {
		t.Fatalf("GET DescribeAddresses = %v", got)
	}

	dis := vpc.NewDisassociateAddressRequest()
	dis.AddressId, dis.ReallocateNormalPublicIp = common.StringPtr("eip-demo0002"), common.BoolPtr(true)
	_, err = get.DisassociateAddress(dis)
	noError(t, err)
	e.finishTasks()
	w := e.emu.Snapshot()
	if on := w.AddressesOn("ins-demo0002"); len(on) != 1 || on[0].AddressType != "WanIP" {
		t.Fatalf("GET reallocation did not happen: %s", mustJSON(on))
	}
	reqs := e.emu.Requests("DisassociateAddress")
	if len(reqs) != 1 || !strings.Contains(string(reqs[0].Body), `"ReallocateNormalPublicIp":true`) {
		t.Fatalf("request log of a GET = %s", mustJSON(reqs))
	}

	task := vpc.NewDescribeTaskResultRequest()
	task.TaskId = common.Uint64Ptr(10000001)
	if resp, err := get.DescribeTaskResult(task); err != nil || *resp.Response.Result != "SUCCESS" {
		t.Fatalf("GET DescribeTaskResult: %v", err)
	}
}

func (e *env) describeENIs(req *vpc.DescribeNetworkInterfacesRequest) (*vpc.DescribeNetworkInterfacesResponseParams, error) {
	resp, err := e.vpc.DescribeNetworkInterfacesWithContext(context.Background(), req)
	if err != nil {
		return nil, err
	}
	return resp.Response, nil
}

func (e *env) mustDescribeENIs(req *vpc.DescribeNetworkInterfacesRequest) *vpc.DescribeNetworkInterfacesResponseParams {
	e.t.Helper()
	resp, err := e.describeENIs(req)
	if err != nil {
		e.t.Fatalf("DescribeNetworkInterfaces: %v", err)
	}
	return resp
}

// eniByID describes one ENI by id.
func (e *env) eniByID(id string) *vpc.NetworkInterface {
	e.t.Helper()
	req := vpc.NewDescribeNetworkInterfacesRequest()
	req.NetworkInterfaceIds = common.StringPtrs([]string{id})
	resp := e.mustDescribeENIs(req)
	if len(resp.NetworkInterfaceSet) != 1 {
		e.t.Fatalf("DescribeNetworkInterfaces(%s) = %s", id, mustJSON(resp))
	}
	return resp.NetworkInterfaceSet[0]
}

func eniIDs(set []*vpc.NetworkInterface) []string {
	out := []string{}
	for _, eni := range set {
		out = append(out, *eni.NetworkInterfaceId)
	}
	return out
}

// demoENIs are the ids eni-demoNNNN of the default world.
func demoENIs(ns ...int) []string { return numbered("eni-demo%04d", ns) }

// privateIP is the private IP entry of an ENI, or fails the test.
func privateIP(t *testing.T, eni *vpc.NetworkInterface, ip string) *vpc.PrivateIpAddressSpecification {
	t.Helper()
	for _, p := range eni.PrivateIpAddressSet {
		if p.PrivateIpAddress != nil && *p.PrivateIpAddress == ip {
			return p
		}
	}
	t.Fatalf("%s has no private IP %s: %s", *eni.NetworkInterfaceId, ip, mustJSON(eni))
	return nil
}

// wantPublic checks the public IP shown on a private IP ("" = none).
func wantPublic(t *testing.T, eni *vpc.NetworkInterface, ip, addressID, publicIP string) {
	t.Helper()
	p := privateIP(t, eni, ip)
	got := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	if got(p.AddressId) != addressID || got(p.PublicIpAddress) != publicIP {
		t.Fatalf("%s %s: AddressId %q PublicIpAddress %q, want %q %q", *eni.NetworkInterfaceId, ip,
			got(p.AddressId), got(p.PublicIpAddress), addressID, publicIP)
	}
	if addressID == "" && (p.AddressId == nil || p.PublicIpAddress == nil || p.Description == nil) {
		t.Fatalf("%s %s: AddressId/PublicIpAddress/Description should be \"\", not null: %s", *eni.NetworkInterfaceId, ip, mustJSON(p))
	}
}

func TestDescribeNetworkInterfacesDefaultWorld(t *testing.T) {
	e := newEnv(t)
	resp := e.mustDescribeENIs(vpc.NewDescribeNetworkInterfacesRequest())
	if *resp.TotalCount != 10 || !slices.Equal(eniIDs(resp.NetworkInterfaceSet), demoENIs(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)) {
		t.Fatalf("listing = %d %v", *resp.TotalCount, eniIDs(resp.NetworkInterfaceSet))
	}
	byID := map[string]*vpc.NetworkInterface{}
	for _, eni := range resp.NetworkInterfaceSet {
		byID[*eni.NetworkInterfaceId] = eni
		if eni.State == nil || *eni.State != "AVAILABLE" {
			t.Errorf("%s State = %v, want AVAILABLE", *eni.NetworkInterfaceId, eni.State)
		}
	}

	primary := byID["eni-demo0001"]
	if primary.Primary == nil || !*primary.Primary {
		t.Fatalf("eni-demo0001 is not Primary: %s", mustJSON(primary))
	}
	if primary.Attachment == nil || primary.Attachment.InstanceId == nil || *primary.Attachment.InstanceId != "ins-demo0001" {
		t.Fatalf("eni-demo0001 Attachment = %s, want ins-demo0001", mustJSON(primary.Attachment))
	}
	if primary.Attachment.DeviceIndex == nil || *primary.Attachment.DeviceIndex != 0 {
		t.Errorf("primary ENI DeviceIndex = %s, want 0", mustJSON(primary.Attachment.DeviceIndex))
	}
	if primary.EniType == nil || *primary.EniType != 1 {
		t.Errorf("primary ENI EniType = %v, want 1", primary.EniType)
	}
	if len(primary.PrivateIpAddressSet) != 2 {
		t.Fatalf("eni-demo0001 private IPs = %s", mustJSON(primary.PrivateIpAddressSet))
	}
	for ip, wantPrimary := range map[string]bool{"10.0.0.11": true, "10.0.0.12": false} {
		p := privateIP(t, primary, ip)
		if p.Primary == nil || *p.Primary != wantPrimary {
			t.Errorf("%s Primary = %v, want %v", ip, p.Primary, wantPrimary)
		}
		if p.State == nil || *p.State != "AVAILABLE" {
			t.Errorf("%s State = %v, want AVAILABLE", ip, p.State)
		}
		wantPublic(t, primary, ip, "", "")
	}
	if *primary.PrivateIpAddressSet[0].PrivateIpAddress != "10.0.0.11" {
		t.Errorf("private IPs are not in the world's order: %s", mustJSON(primary.PrivateIpAddressSet))
	}

	// The EIPs bound in the default world show on their private IPs, with IsWanIpBlocked.
	// (TestDescribeNetworkInterfacesWireFormat checks eni-demo0002 and the dangling
	// eni-demo0005 field by field.)
	wantPublic(t, byID["eni-demo0003"], "10.0.0.31", "eip-demo0004", "203.0.113.4")
	if p := privateIP(t, byID["eni-demo0003"], "10.0.0.31"); p.IsWanIpBlocked == nil || !*p.IsWanIpBlocked {
		t.Errorf("the blocked eip-demo0004 is not IsWanIpBlocked: %s", mustJSON(p))
	}
	wantPublic(t, byID["eni-demo0004"], "10.0.0.41", "", "")
}

// The wire shape: the SDK's field names, unmodelled strings as null, Attachment null on a
// dangling ENI.
func TestDescribeNetworkInterfacesWireFormat(t *testing.T) {
	e := newEnv(t)
	r := e.raw(rawRequest{Action: "DescribeNetworkInterfaces", Body: `{"NetworkInterfaceIds":["eni-demo0005","eni-demo0002"]}`})
	wantReplyCode(t, r, "")
	if string(r.Response["TotalCount"]) != "2" {
		t.Errorf("TotalCount = %s, want 2", r.Response["TotalCount"])
	}
	var set []map[string]json.RawMessage
	if err := json.Unmarshal(r.Response["NetworkInterfaceSet"], &set); err != nil || len(set) != 2 {
		t.Fatalf("NetworkInterfaceSet: %v %s", err, r.Raw)
	}
	attached, dangling := set[0], set[1]
	wantFields := func(name string, got map[string]json.RawMessage, want map[string]string) {
		t.Helper()
		for field, w := range want {
			if g := string(got[field]); g != w {
				t.Errorf("%s %s = %s, want %s", name, field, g, w)
			}
		}
	}
	wantFields("eni-demo0002", attached, map[string]string{
		"NetworkInterfaceId": `"eni-demo0002"`, "Primary": "true", "State": `"AVAILABLE"`,
		"VpcId": "null", "SubnetId": "null", "NetworkInterfaceName": "null", "EniType": "1",
		"Attachment": `{"DeviceIndex":0,"InstanceAccountId":null,"AttachTime":null,"InstanceId":"ins-demo0002"}`,
		"QosLevel":   `"DEFAULT"`,
		"PrivateIpAddressSet": `[{"PrivateIpAddress":"10.0.0.21","Primary":true,"PublicIpAddress":"203.0.113.2",` +
			`"AddressId":"eip-demo0002","Description":"","IsWanIpBlocked":false,"State":"AVAILABLE","QosLevel":"DEFAULT"}]`,
	})
	wantFields("eni-demo0005", dangling, map[string]string{
		"NetworkInterfaceId": `"eni-demo0005"`, "Primary": "false", "Attachment": "null", "EniType": "0",
		"PrivateIpAddressSet": `[{"PrivateIpAddress":"10.0.1.5","Primary":true,"PublicIpAddress":"",` +
			`"AddressId":"","Description":"","IsWanIpBlocked":false,"State":"AVAILABLE","QosLevel":"DEFAULT"}]`,
	})
}

// An EIP shows on the private IP it is bound to once its task is done, and until the
// disassociate task is done; a normal public IP shows the same way.
func TestDescribeNetworkInterfacesShowsBoundPublicIPs(t *testing.T) {
	e := newEnv(t, func(o *emulator.Options) { o.Settings.WanIPOnBind = emulator.WanIPOnBindRelease })
	e.mustAssociateENI("eip-demo0001", "eni-demo0001", "10.0.0.12")
	wantPublic(t, e.eniByID("eni-demo0001"), "10.0.0.12", "", "") // BINDING: not there yet
	e.finishTasks()
	eni := e.eniByID("eni-demo0001")
	wantPublic(t, eni, "10.0.0.12", "eip-demo0001", "203.0.113.1")
	wantPublic(t, eni, "10.0.0.11", "", "")

	// An EIP on a dangling ENI.
	e.mustAssociateENI("eip-demo0006", "eni-demo0005", "10.0.1.5")
	e.finishTasks()
	wantPublic(t, e.eniByID("eni-demo0005"), "10.0.1.5", "eip-demo0006", "203.0.113.6")

	e.mustDisassociate("eip-demo0001", false)
	wantPublic(t, e.eniByID("eni-demo0001"), "10.0.0.12", "eip-demo0001", "203.0.113.1") // UNBINDING: still there
	e.finishTasks()
	wantPublic(t, e.eniByID("eni-demo0001"), "10.0.0.12", "", "")

	// Reallocation puts a normal public IP (WanIP) on the primary IP.
	e.mustDisassociate("eip-demo0002", true)
	e.finishTasks()
	on := e.emu.Snapshot().AddressesOn("ins-demo0002")
	if len(on) != 1 || on[0].AddressType != "WanIP" {
		t.Fatalf("no normal public IP after reallocation: %s", mustJSON(on))
	}
	wantPublic(t, e.eniByID("eni-demo0002"), "10.0.0.21", on[0].AddressID, on[0].AddressIP)

	// Binding an EIP there replaces the normal public IP once the task is done.
	e.mustAssociate("eip-demo0007", "ins-demo0002")
	wantPublic(t, e.eniByID("eni-demo0002"), "10.0.0.21", on[0].AddressID, on[0].AddressIP)
	e.finishTasks()
	wantPublic(t, e.eniByID("eni-demo0002"), "10.0.0.21", "eip-demo0007", "203.0.113.7")
}

func TestDescribeNetworkInterfacesByID(t *testing.T) {
	e := newEnv(t)
	req := vpc.NewDescribeNetworkInterfacesRequest()
	// Duplicates count once; order is by id.
	req.NetworkInterfaceIds = common.StringPtrs([]string{"eni-demo0005", "eni-demo0001", "eni-demo0005"})
	resp := e.mustDescribeENIs(req)
	if got := eniIDs(resp.NetworkInterfaceSet); !slices.Equal(got, demoENIs(1, 5)) || *resp.TotalCount != 2 {
		t.Fatalf("by id = %v (TotalCount %d), want %v", got, *resp.TotalCount, demoENIs(1, 5))
	}
	// An unknown id is ResourceNotFound (the default UnknownENI setting), among others too.
	e.unchanged(func() {
		req.NetworkInterfaceIds = common.StringPtrs([]string{"eni-demo0001", "eni-zzzzzzzz"})
		_, err := e.describeENIs(req)
		wantCode(t, err, "ResourceNotFound")
		if !strings.Contains(err.Error(), "eni-zzzzzzzz") {
			t.Errorf("the error does not name the unknown ENI: %v", err)
		}
	})
}

// With UnknownENI "empty", unknown well-formed ids are simply absent; another region has
// no ENIs.
func TestDescribeNetworkInterfacesUnknownIDLeftOut(t *testing.T) {
	e := newEnv(t, func(o *emulator.Options) { o.Settings.UnknownENI = emulator.UnknownENIEmpty })
	req := vpc.NewDescribeNetworkInterfacesRequest()
	req.NetworkInterfaceIds = common.StringPtrs([]string{"eni-demo0005", "eni-zzzzzzzz", "eni-demo0001"})
	resp := e.mustDescribeENIs(req)
	if got := eniIDs(resp.NetworkInterfaceSet); !slices.Equal(got, demoENIs(1, 5)) || *resp.TotalCount != 2 {
		t.Fatalf("by id = %v (TotalCount %d), want %v", got, *resp.TotalCount, demoENIs(1, 5))
	}
	req.NetworkInterfaceIds = common.StringPtrs([]string{"eni-zzzzzzzz"})
	if resp := e.mustDescribeENIs(req); len(resp.NetworkInterfaceSet) != 0 || *resp.TotalCount != 0 {
		t.Fatalf("unknown id = %s, want nothing", mustJSON(resp))
	}

	// Another region has no ENIs.
	other := &env{t: t, vpc: newSDKClient(t, e.srv.URL, sdkConfig{Region: "ap-shanghai"})}
	if resp := other.mustDescribeENIs(vpc.NewDescribeNetworkInterfacesRequest()); *resp.TotalCount != 0 || len(resp.NetworkInterfaceSet) != 0 {
		t.Fatalf("ap-shanghai sees %s", mustJSON(resp))
	}
	req.NetworkInterfaceIds = common.StringPtrs([]string{"eni-demo0001"})
	if resp := other.mustDescribeENIs(req); len(resp.NetworkInterfaceSet) != 0 {
		t.Fatalf("ap-shanghai sees eni-demo0001: %s", mustJSON(resp))
	}
}

func TestDescribeNetworkInterfacesFilters(t *testing.T) {
	tests := []struct {
		name    string
		filters []*vpc.Filter
		want    []string
	}{
		{"network-interface-id", []*vpc.Filter{filter("network-interface-id", "eni-demo0003", "eni-demo0005", "eni-zzzzzzzz")}, demoENIs(3, 5)},
		{"attachment.instance-id", []*vpc.Filter{filter("attachment.instance-id", "ins-demo0004", "ins-demo0002")}, demoENIs(2, 4)},
		{"attachment.instance-id unknown", []*vpc.Filter{filter("attachment.instance-id", "ins-zzzzzzzz")}, nil},
		{"attachment.instance-id with a secondary ENI", []*vpc.Filter{filter("attachment.instance-id", "ins-demo0007")}, demoENIs(8, 9)},
		{"is-primary TRUE", []*vpc.Filter{filter("is-primary", "TRUE")}, demoENIs(1, 2, 3, 4, 6, 7, 8, 10)},
		{"is-primary false", []*vpc.Filter{filter("is-primary", "false")}, demoENIs(5, 9)},
		{"eni-type 1", []*vpc.Filter{filter("eni-type", "1")}, demoENIs(1, 2, 3, 4, 6, 7, 8, 10)},
		{"eni-type 0", []*vpc.Filter{filter("eni-type", "0")}, demoENIs(5, 9)},
		{"address-ip single value is a suffix match", []*vpc.Filter{filter("address-ip", "0.12")}, demoENIs(1)},
		{"address-ip suffix over several ENIs", []*vpc.Filter{filter("address-ip", "1")}, demoENIs(1, 2, 3, 4, 6, 7, 8, 9, 10)},
		{"address-ip with ip-exact-match", []*vpc.Filter{filter("address-ip", "0.12"), filter("ip-exact-match", "TRUE")}, nil},
		{"address-ip exact with ip-exact-match", []*vpc.Filter{filter("address-ip", "10.0.0.12"), filter("ip-exact-match", "TRUE")}, demoENIs(1)},
		{"address-ip several values match exactly", []*vpc.Filter{filter("address-ip", "1", "10.0.1.5")}, demoENIs(5)},
		{"public-address-ip", []*vpc.Filter{filter("public-address-ip", "203.0.113.4", "203.0.113.1")}, demoENIs(3)},
		{"public-address-ip of a normal public IP", []*vpc.Filter{filter("public-address-ip", "198.51.100.61")}, demoENIs(7)},
		{"eni-qos DEFAULT", []*vpc.Filter{filter("eni-qos", "DEFAULT"), filter("is-primary", "false")}, demoENIs(5, 9)},
		{"eni-qos PT", []*vpc.Filter{filter("eni-qos", "PT", "AU")}, nil},
		{"address-ipv6 matches nothing", []*vpc.Filter{filter("address-ipv6", "2402:4e00::1")}, nil},
		{"address-type matches nothing", []*vpc.Filter{filter("address-type", "GUA")}, nil},
		{"termination-protection false", []*vpc.Filter{filter("termination-protection", "false"), filter("is-primary", "false")}, demoENIs(5, 9)},
		{"traffic-protection true", []*vpc.Filter{filter("traffic-protection", "true")}, nil},
		{"filters are ANDed", []*vpc.Filter{filter("attachment.instance-id", "ins-demo0001", "ins-demo0002"), filter("address-ip", "10.0.0.21", "10.0.1.5")}, demoENIs(2)},
		{"vpc-id matches nothing", []*vpc.Filter{filter("vpc-id", "vpc-12345678")}, nil},
		{"tags match nothing", []*vpc.Filter{filter("tag:env", "prod")}, nil},
	}
	e := newEnv(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := vpc.NewDescribeNetworkInterfacesRequest()
			req.Filters = tt.filters
			resp := e.mustDescribeENIs(req)
			if got := eniIDs(resp.NetworkInterfaceSet); !slices.Equal(got, tt.want) || *resp.TotalCount != uint64(len(tt.want)) {
				t.Fatalf("got %v (TotalCount %d), want %v", got, *resp.TotalCount, tt.want)
			}
		})
	}
}

func TestDescribeNetworkInterfacesPaging(t *testing.T) {
	e := newEnv(t)
	page := func(offset, limit uint64) []string {
		req := vpc.NewDescribeNetworkInterfacesRequest()
		req.Offset, req.Limit = common.Uint64Ptr(offset), common.Uint64Ptr(limit)
		resp := e.mustDescribeENIs(req)
		if *resp.TotalCount != 10 {
			t.Fatalf("TotalCount = %d on page %d,%d, want all matches (10)", *resp.TotalCount, offset, limit)
		}
		return eniIDs(resp.NetworkInterfaceSet)
	}
	for _, tt := range []struct {
		offset, limit uint64
		want          []string
	}{
		{0, 2, demoENIs(1, 2)},
		{2, 2, demoENIs(3, 4)},
		{4, 2, demoENIs(5, 6)},
		{8, 4, demoENIs(9, 10)},
		{10, 2, demoENIs()},
		{0, 0, demoENIs()},
		{18446744073709551615, 100, demoENIs()},
	} {
		if got := page(tt.offset, tt.limit); !slices.Equal(got, tt.want) {
			t.Errorf("page %d,%d = %v, want %v", tt.offset, tt.limit, got, tt.want)
		}
	}

	// Filters apply before paging, and TotalCount counts the matches.
	req := vpc.NewDescribeNetworkInterfacesRequest()
	req.Filters = []*vpc.Filter{filter("is-primary", "TRUE")}
	req.Offset, req.Limit = common.Uint64Ptr(1), common.Uint64Ptr(2)
	resp := e.mustDescribeENIs(req)
	if got := eniIDs(resp.NetworkInterfaceSet); !slices.Equal(got, demoENIs(2, 3)) || *resp.TotalCount != 8 {
		t.Fatalf("filtered page = %v (TotalCount %d), want [2 3] of 8", got, *resp.TotalCount)
	}
}

func TestDescribeDefaultLimitIs20(t *testing.T) {
	e := newEnv(t, scaled(30))
	addresses, err := e.describe(vpc.NewDescribeAddressesRequest())
	noError(t, err)
	if *addresses.TotalCount != 42 || len(addresses.AddressSet) != 20 {
		t.Fatalf("DescribeAddresses: TotalCount %d, %d shown; want 42, 20", *addresses.TotalCount, len(addresses.AddressSet))
	}
	resp := e.mustDescribeENIs(vpc.NewDescribeNetworkInterfacesRequest())
	if *resp.TotalCount != 40 || len(resp.NetworkInterfaceSet) != 20 {
		t.Fatalf("TotalCount %d, %d shown; want 40, 20", *resp.TotalCount, len(resp.NetworkInterfaceSet))
	}
	req := vpc.NewDescribeNetworkInterfacesRequest()
	req.Limit = common.Uint64Ptr(100)
	if resp := e.mustDescribeENIs(req); len(resp.NetworkInterfaceSet) != 40 {
		t.Fatalf("Limit 100 showed %d of 40", len(resp.NetworkInterfaceSet))
	}
}

func TestDescribeNetworkInterfacesRejections(t *testing.T) {
	type request = vpc.DescribeNetworkInterfacesRequest
	var rejections []rejection
	for _, tt := range []struct {
		name           string
		fill           func(r *request)
		code, mentions string
	}{
		{"101 ids", func(r *request) { r.NetworkInterfaceIds = common.StringPtrs(many(101, "eni-%08d")) },
			"InvalidParameterValue.LimitExceeded", "NetworkInterfaceIds"},
		{"malformed id", func(r *request) { r.NetworkInterfaceIds = common.StringPtrs([]string{"eni-demo0001", "eni-DEMO0002"}) },
			"InvalidParameterValue.Malformed", "eni-DEMO0002"},
		{"malformed network-interface-id value", func(r *request) { r.Filters = []*vpc.Filter{filter("network-interface-id", "ins-demo0001")} },
			"InvalidParameterValue.Malformed", "ins-demo0001"},
		{"ids and the network-interface-id filter", func(r *request) {
			r.NetworkInterfaceIds = common.StringPtrs([]string{"eni-demo0001"})
			r.Filters = []*vpc.Filter{filter("network-interface-id", "eni-demo0002")}
		}, "InvalidParameter.Coexist", "Filters"},
		{"ids and any filter", func(r *request) {
			r.NetworkInterfaceIds = common.StringPtrs([]string{"eni-demo0001"})
			r.Filters = []*vpc.Filter{filter("attachment.instance-id", "ins-demo0001")}
		}, "InvalidParameter.Coexist", "NetworkInterfaceIds"},
		{"unknown filter", func(r *request) { r.Filters = []*vpc.Filter{filter("attachment.device-index", "0")} },
			"InvalidParameter.FilterInvalidKey", "attachment.device-index"},
		{"DescribeAddresses filter", func(r *request) { r.Filters = []*vpc.Filter{filter("instance-id", "ins-demo0001")} },
			"InvalidParameter.FilterInvalidKey", "instance-id"},
		{"11 filters", func(r *request) {
			for i := 0; i < 11; i++ {
				r.Filters = append(r.Filters, filter("is-primary", "TRUE"))
			}
		}, "InvalidParameterValue.LimitExceeded", "11 filters"},
		{"101 values", func(r *request) {
			r.Filters = []*vpc.Filter{filter("attachment.instance-id", many(101, "ins-%08d")...)}
		},
			"InvalidParameterValue.LimitExceeded", "101 values"},
		{"is-primary not boolean", func(r *request) { r.Filters = []*vpc.Filter{filter("is-primary", "yes")} },
			"InvalidParameterValue.Malformed", "yes"},
		{"filter without values", func(r *request) { r.Filters = []*vpc.Filter{{Name: common.StringPtr("is-primary")}} },
			"MissingParameter", "Filters.0.Values"},
		{"filter without name", func(r *request) { r.Filters = []*vpc.Filter{{Values: common.StringPtrs([]string{"TRUE"})}} },
			"MissingParameter", "Filters.0.Name"},
		{"limit 101", func(r *request) { r.Limit = common.Uint64Ptr(101) }, "InvalidParameterValue.LimitExceeded", "Limit"},
	} {
		rejections = append(rejections, rejection{name: tt.name, code: tt.code, mentions: tt.mentions, call: func(e *env) error {
			req := vpc.NewDescribeNetworkInterfacesRequest()
			tt.fill(req)
			_, err := e.describeENIs(req)
			return err
		}})
	}
	runRejections(t, rejections)

	// What the SDK cannot send: unknown parameters, wrong types, negative numbers.
	for _, tt := range []struct {
		name, body, code, mentions string
	}{
		{"unknown parameter", `{"InstanceId":"ins-demo0001"}`, "UnknownParameter", "InstanceId"},
		{"DescribeAddresses parameter", `{"AddressIds":["eip-demo0001"]}`, "UnknownParameter", "AddressIds"},
		{"negative offset", `{"Offset":-1}`, "InvalidParameter", "Offset"},
		{"limit as string", `{"Limit":"10"}`, "InvalidParameter", "Limit"},
		{"ids not a list", `{"NetworkInterfaceIds":"eni-demo0001"}`, "InvalidParameter", "NetworkInterfaceIds"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.unchanged(func() {
				r := e.raw(rawRequest{Action: "DescribeNetworkInterfaces", Body: tt.body})
				wantReplyCode(t, r, tt.code)
				if !strings.Contains(r.Message, tt.mentions) {
					t.Errorf("message %q does not mention %q", r.Message, tt.mentions)
				}
			})
			if got := e.emu.Stats().Errors["DescribeNetworkInterfaces"][tt.code]; got != 1 {
				t.Errorf("the rejection is counted %d times, want 1", got)
			}
		})
	}

	// 100 ids are allowed.
	e := newEnv(t, func(o *emulator.Options) { o.Settings.UnknownENI = emulator.UnknownENIEmpty })
	req := vpc.NewDescribeNetworkInterfacesRequest()
	req.NetworkInterfaceIds = common.StringPtrs(append(many(99, "eni-%08d"), "eni-demo0001"))
	if resp, err := e.describeENIs(req); err != nil || *resp.TotalCount != 1 {
		t.Fatalf("100 ids: %v %s", err, mustJSON(resp))
	}
}

// DescribeNetworkInterfaces is a read action: the read rate limit applies to it, in its
// own bucket, and the write limit does not.
func TestDescribeNetworkInterfacesIsRateLimitedAsARead(t *testing.T) {
	e := newEnv(t, func(o *emulator.Options) { o.RateLimit = emulator.RateLimit{Write: 1, Read: 2} })
	for i := 1; i <= 2; i++ {
		if _, err := e.describeENIs(vpc.NewDescribeNetworkInterfacesRequest()); err != nil {
			t.Fatalf("read %d of 2: %v", i, err)
		}
	}
	wantCode(t, errOf(e.describeENIs(vpc.NewDescribeNetworkInterfacesRequest())), "RequestLimitExceeded")
	if _, err := e.describe(vpc.NewDescribeAddressesRequest()); err != nil {
		t.Fatalf("DescribeAddresses shares the bucket: %v", err)
	}
	e.emu.AdvanceClock(time.Second)
	if _, err := e.describeENIs(vpc.NewDescribeNetworkInterfacesRequest()); err != nil {
		t.Fatalf("the bucket did not refill: %v", err)
	}

	s := e.emu.Stats()
	if s.Calls["DescribeNetworkInterfaces"] != 4 || s.Errors["DescribeNetworkInterfaces"]["RequestLimitExceeded"] != 1 {
		t.Fatalf("stats = %s", mustJSON(s))
	}

	// With only a write limit, reads are never throttled.
	w := newEnv(t, func(o *emulator.Options) { o.RateLimit = emulator.RateLimit{Write: 1} })
	for i := 0; i < 5; i++ {
		if _, err := w.describeENIs(vpc.NewDescribeNetworkInterfacesRequest()); err != nil {
			t.Fatalf("read %d under a write-only limit: %v", i, err)
		}
	}
}

// Faults apply to it by name, and the request log records it.
func TestDescribeNetworkInterfacesFaultsAndRequestLog(t *testing.T) {
	e := newEnv(t)
	e.control("POST", "/_emulator/faults", `{"action":"DescribeNetworkInterfaces","kind":"error","code":"InternalError","count":1}`, 200, nil)
	if err := e.emu.InjectFault(emulator.Fault{Action: "DescribeNetworkInterfaces", Kind: emulator.FaultTaskFail}); err == nil {
		t.Fatal("a task fault on DescribeNetworkInterfaces, which creates no tasks, was accepted")
	}
	if _, err := e.describe(vpc.NewDescribeAddressesRequest()); err != nil {
		t.Fatalf("the fault hit another action: %v", err)
	}
	wantCode(t, errOf(e.describeENIs(vpc.NewDescribeNetworkInterfacesRequest())), "InternalError")
	req := vpc.NewDescribeNetworkInterfacesRequest()
	req.NetworkInterfaceIds = common.StringPtrs([]string{"eni-demo0001"})
	if _, err := e.describeENIs(req); err != nil {
		t.Fatalf("the fault outlived its count: %v", err)
	}

	log := e.emu.Requests("DescribeNetworkInterfaces")
	if len(log) != 2 || log[0].ErrorCode != "InternalError" || log[1].ErrorCode != "" ||
		string(log[1].Body) != `{"NetworkInterfaceIds":["eni-demo0001"]}` {
		t.Fatalf("request log = %s", mustJSON(log))
	}
	if s := e.emu.Stats(); s.Calls["DescribeNetworkInterfaces"] != 2 || s.Errors["DescribeNetworkInterfaces"]["InternalError"] != 1 {
		t.Fatalf("stats = %s", mustJSON(s))
	}
}
