package emulator_test

import (
	"net/url"
	"reflect"
	"testing"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

type cvmInstance struct {
	Placement struct {
		Zone      string
		ProjectId int64
	}
	InstanceId, InstanceName, InstanceState, StopChargingMode, CamRoleName string
	PrivateIpAddresses, PublicIpAddresses                                  []string
}

type describeInstancesReply struct {
	TotalCount  int64
	InstanceSet []cvmInstance
}

func (e *env) describeInstances(params map[string]any) (describeInstancesReply, error) {
	var out describeInstancesReply
	err := call(e.common(defaultCred()), "cvm", "DescribeInstances", params, &out)
	return out, err
}

func (e *env) mustDescribeInstances(params map[string]any) describeInstancesReply {
	e.t.Helper()
	out, err := e.describeInstances(params)
	if err != nil {
		e.t.Fatalf("DescribeInstances: %v", err)
	}
	return out
}

func instanceIDs(r describeInstancesReply) []string {
	ids := []string{}
	for _, ins := range r.InstanceSet {
		ids = append(ids, ins.InstanceId)
	}
	return ids
}

func stateFilter(states ...string) map[string]any {
	return map[string]any{"Filters": []map[string]any{{"Name": "instance-state", "Values": states}}}
}

func TestDescribeInstances(t *testing.T) {
	e := newEnv(t)
	all := e.mustDescribeInstances(nil)
	if all.TotalCount != 8 || len(all.InstanceSet) != 8 {
		t.Fatalf("TotalCount %d, %d in the set, want the 8 instances", all.TotalCount, len(all.InstanceSet))
	}
	first := all.InstanceSet[0]
	if first.InstanceId != "ins-demo0001" || first.InstanceState != "RUNNING" || first.StopChargingMode != "NOT_APPLICABLE" ||
		first.Placement.Zone != "ap-guangzhou-3" || first.InstanceName != "demo-0001" || first.CamRoleName != "cvm-terraform" ||
		!reflect.DeepEqual(first.PrivateIpAddresses, []string{"10.0.0.11", "10.0.0.12"}) || first.PublicIpAddresses != nil {
		t.Fatalf("ins-demo0001 = %+v", first)
	}

	// Ids: an unknown well-formed id is left out (no not-found error is documented).
	got := e.mustDescribeInstances(map[string]any{"InstanceIds": []string{"ins-demo0006", "ins-zzzzzzzz", "ins-demo0004"}})
	if ids := instanceIDs(got); !reflect.DeepEqual(ids, []string{"ins-demo0004", "ins-demo0006"}) || got.TotalCount != 2 {
		t.Fatalf("by ids: %v (%d)", ids, got.TotalCount)
	}
	if wan := got.InstanceSet[1]; !reflect.DeepEqual(wan.PublicIpAddresses, []string{"198.51.100.61"}) {
		t.Fatalf("ins-demo0006 public IPs = %v, want its normal public IP", wan.PublicIpAddresses)
	}
	if got.InstanceSet[0].InstanceState != "LAUNCH_FAILED" {
		t.Fatalf("ins-demo0004 = %+v", got.InstanceSet[0])
	}

	// Stopped instances show their stop-charging mode.
	stopped := e.mustDescribeInstances(stateFilter("STOPPED"))
	modes := map[string]string{}
	for _, ins := range stopped.InstanceSet {
		modes[ins.InstanceId] = ins.StopChargingMode
	}
	if !reflect.DeepEqual(modes, map[string]string{"ins-demo0005": "STOP_CHARGING", "ins-demo0008": "KEEP_CHARGING"}) {
		t.Fatalf("stopped = %v", modes)
	}
	if r := e.mustDescribeInstances(stateFilter("RUNNING", "LAUNCH_FAILED")); r.TotalCount != 6 {
		t.Fatalf("RUNNING or LAUNCH_FAILED: %d", r.TotalCount)
	}
	byID := e.mustDescribeInstances(map[string]any{"Filters": []map[string]any{
		{"Name": "instance-id", "Values": []string{"ins-demo0002", "ins-demo0005"}},
		{"Name": "instance-state", "Values": []string{"RUNNING"}},
	}})
	if ids := instanceIDs(byID); !reflect.DeepEqual(ids, []string{"ins-demo0002"}) {
		t.Fatalf("filters are ANDed: %v", ids)
	}
	if r := e.mustDescribeInstances(map[string]any{"Filters": []map[string]any{{"Name": "public-ip-address", "Values": []string{"203.0.113.2"}}}}); !reflect.DeepEqual(instanceIDs(r), []string{"ins-demo0002"}) {
		t.Fatalf("by public IP: %v", instanceIDs(r))
	}
	if r := e.mustDescribeInstances(map[string]any{"Filters": []map[string]any{{"Name": "vpc-id", "Values": []string{"vpc-12345678"}}}}); r.TotalCount != 0 {
		t.Fatalf("an unmodelled filter matched %v", instanceIDs(r))
	}

	// Paging.
	page := e.mustDescribeInstances(map[string]any{"Offset": 6, "Limit": 5})
	if page.TotalCount != 8 || !reflect.DeepEqual(instanceIDs(page), []string{"ins-demo0007", "ins-demo0008"}) {
		t.Fatalf("page = %v of %d", instanceIDs(page), page.TotalCount)
	}
	// Another region of the list is empty.
	var other describeInstancesReply
	if err := call(e.commonIn("ap-shanghai"), "cvm", "DescribeInstances", nil, &other); err != nil || other.TotalCount != 0 || other.InstanceSet == nil {
		t.Fatalf("ap-shanghai: %v %+v", err, other)
	}
}

// A newly bound EIP shows in PublicIpAddresses once its bind task is done.
func TestDescribeInstancesFollowsBinds(t *testing.T) {
	e := newEnv(t)
	publicIPs := func() []string {
		return e.mustDescribeInstances(map[string]any{"InstanceIds": []string{"ins-demo0001"}}).InstanceSet[0].PublicIpAddresses
	}
	e.mustAssociate("eip-demo0001", "ins-demo0001")
	if ips := publicIPs(); ips != nil {
		t.Fatalf("while BINDING: %v", ips)
	}
	e.finishTasks()
	if ips := publicIPs(); !reflect.DeepEqual(ips, []string{"203.0.113.1"}) {
		t.Fatalf("after the bind: %v", ips)
	}
	// A bind to the secondary IP of the primary ENI shows too.
	e.mustAssociateENI("eip-demo0006", "eni-demo0001", "10.0.0.12")
	e.finishTasks()
	if ips := publicIPs(); !reflect.DeepEqual(ips, []string{"203.0.113.1", "203.0.113.6"}) {
		t.Fatalf("with a second EIP: %v", ips)
	}
	e.mustDisassociate("eip-demo0001", false)
	e.finishTasks()
	if ips := publicIPs(); !reflect.DeepEqual(ips, []string{"203.0.113.6"}) {
		t.Fatalf("after the unbind: %v", ips)
	}
}

func TestDescribeInstancesRules(t *testing.T) {
	filters := func(n int) []map[string]any {
		out := make([]map[string]any, n)
		for i := range out {
			out[i] = map[string]any{"Name": "zone", "Values": []string{"ap-guangzhou-3"}}
		}
		return out
	}
	e := newEnv(t)
	for name, tt := range map[string]struct {
		params map[string]any
		code   string
	}{
		"malformed id":           {map[string]any{"InstanceIds": []string{"ins-1"}}, "InvalidInstanceId.Malformed"},
		"malformed filter id":    {map[string]any{"Filters": []map[string]any{{"Name": "instance-id", "Values": []string{"i-1"}}}}, "InvalidInstanceId.Malformed"},
		"ids and filters":        {map[string]any{"InstanceIds": []string{"ins-demo0001"}, "Filters": filters(1)}, "InvalidParameter"},
		"101 ids":                {map[string]any{"InstanceIds": many(101, "ins-x%07d")}, "InvalidParameterValue.LimitExceeded"},
		"Limit 101":              {map[string]any{"Limit": 101}, "InvalidParameterValue.LimitExceeded"},
		"negative Offset":        {map[string]any{"Offset": -1}, "InvalidParameterValue"},
		"11 filters":             {map[string]any{"Filters": filters(11)}, "InvalidParameterValue.LimitExceeded"},
		"6 values":               {stateFilter("RUNNING", "STOPPED", "PENDING", "STARTING", "STOPPING", "REBOOTING"), "InvalidFilterValue.LimitExceeded"},
		"unknown filter":         {map[string]any{"Filters": []map[string]any{{"Name": "colour", "Values": []string{"red"}}}}, "InvalidFilter"},
		"filter without values":  {map[string]any{"Filters": []map[string]any{{"Name": "zone", "Values": []string{}}}}, "InvalidFilter"},
		"unknown state":          {stateFilter("SLEEPING"), "InvalidParameterValue"},
		"malformed private IP":   {map[string]any{"Filters": []map[string]any{{"Name": "private-ip-address", "Values": []string{"10.0.0"}}}}, "InvalidParameterValue.IPAddressMalformed"},
		"unknown parameter":      {map[string]any{"InstanceId": "ins-demo0001"}, "UnknownParameter"},
		"ids of the wrong shape": {map[string]any{"InstanceIds": "ins-demo0001"}, "InvalidParameter"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := e.describeInstances(tt.params)
			wantCode(t, err, tt.code)
		})
	}
	if s := e.emu.Stats(); s.Calls["DescribeInstances"] != 14 {
		t.Fatalf("stats = %s", mustJSON(s))
	}
}

// DescribeInstances over GET and signature v1: Filters.N.Values.M flattening.
func TestDescribeInstancesOverGETAndV1(t *testing.T) {
	e := newEnv(t)
	q := url.Values{"Filters.0.Name": {"instance-state"}, "Filters.0.Values.0": {"STOPPED"}, "Limit": {"1"}}
	for name, r := range map[string]apiReply{
		"TC3 GET": e.raw(rawRequest{Method: "GET", Action: "DescribeInstances", Service: "cvm", URL: e.srv.URL + "/?" + q.Encode()}),
		"v1 GET": e.v1(v1Call{Action: "DescribeInstances", Params: map[string]string{
			"Filters.0.Name": "instance-state", "Filters.0.Values.0": "STOPPED", "Limit": "1"}}),
	} {
		wantReplyCode(t, r, "")
		var total int64
		var set []cvmInstance
		mustUnmarshal(t, r.Response["TotalCount"], &total)
		mustUnmarshal(t, r.Response["InstanceSet"], &set)
		if total != 2 || len(set) != 1 || set[0].InstanceId != "ins-demo0005" {
			t.Fatalf("%s: %d %+v", name, total, set)
		}
	}
}

// An instance created without a name shows 未命名; one without a zone, the region's
// zone 3.
func TestDescribeInstancesDefaults(t *testing.T) {
	w := emulator.DefaultWorld()
	w.Instances[1].InstanceName, w.Instances[1].Zone = "", ""
	e := newEnv(t, func(o *emulator.Options) { o.World = w })
	got := e.mustDescribeInstances(map[string]any{"InstanceIds": []string{w.Instances[1].InstanceID}}).InstanceSet[0]
	if got.InstanceName != "未命名" || got.Placement.Zone != "ap-guangzhou-3" || got.CamRoleName != "" {
		t.Fatalf("instance = %+v", got)
	}
}
