package emulator_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	vpc "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc/v20170312"
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

func TestDescribeAddressesByID(t *testing.T) {
	e := newEnv(t)
	// Unknown well-formed ids are simply absent.
	got := ids(e.mustDescribeIDs("eip-demo0003", "eip-zzzzzzzz", "eip-demo0001"))
	if !slices.Equal(got, demoIDs(1, 3)) {
		t.Fatalf("by id = %v", got)
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

// The SDK in GET mode flattens lists (AddressIds.0, Filters.0.Values.0) into the query.
func TestGETRequestsThroughTheSDK(t *testing.T) {
	e := newEnv(t)
	get := newSDKClient(t, e.srv.URL, sdkConfig{Profile: func(p *profile.ClientProfile) { p.HttpProfile.ReqMethod = "GET" }})
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
