package emulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"

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
	if err := call(common.NewCommonClient(defaultCred(), "ap-shanghai", clientProfile(e.srv.URL)), "cvm", "DescribeInstances", nil, &other); err != nil || other.TotalCount != 0 || other.InstanceSet == nil {
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
			wantCode(t, errOf(e.describeInstances(tt.params)), tt.code)
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

const rolePath = "/latest/meta-data/cam/security-credentials/"

// metadata GETs a metadata path and returns the status and body.
func (e *env) metadata(path string) (int, string) {
	e.t.Helper()
	resp, err := http.Get(e.srv.URL + path)
	noError(e.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

type metadataCreds struct {
	TmpSecretId, TmpSecretKey, Token, Expiration, Code string
	ExpiredTime                                        int64
}

// metadataCredentials fetches the credentials of the default instance role.
func (e *env) metadataCredentials() metadataCreds {
	e.t.Helper()
	status, body := e.metadata(rolePath + emulator.DefaultCVMRoleName)
	if status != 200 {
		e.t.Fatalf("GET %s%s: %d %s", rolePath, emulator.DefaultCVMRoleName, status, body)
	}
	var raw map[string]any
	mustUnmarshal(e.t, []byte(body), &raw)
	if _, isNumber := raw["ExpiredTime"].(float64); !isNumber {
		e.t.Fatalf("ExpiredTime is not a JSON number: %s", body)
	}
	var c metadataCreds
	mustUnmarshal(e.t, []byte(body), &c)
	return c
}

func (c metadataCreds) credential() common.CredentialIface {
	return common.NewTokenCredential(c.TmpSecretId, c.TmpSecretKey, c.Token)
}

func TestCVMMetadataRoleCredentials(t *testing.T) {
	e := newEnv(t)
	if status, body := e.metadata(rolePath); status != 200 || body != "cvm-terraform" {
		t.Fatalf("role listing = %d %q, want the bare name cvm-terraform", status, body)
	}
	if status, body := e.metadata("/latest/meta-data/instance-id"); status != 200 || body != "ins-demo0001" {
		t.Fatalf("instance-id = %d %q", status, body)
	}
	c := e.metadataCredentials()
	if c.Code != "Success" || c.ExpiredTime != testEpoch.Unix()+7200 || c.Expiration != testEpoch.Add(2*time.Hour).Format(time.RFC3339) ||
		c.Token == "" || c.TmpSecretId == "" || c.TmpSecretKey == "" {
		t.Fatalf("credentials = %+v", c)
	}
	e.usableEverywhere(t, c.credential())
	who, err := e.callerOf(c.credential())
	noError(t, err)
	if who.Type != "CAMRole" || who.UserId != emulator.DefaultCVMRoleID+":ins-demo0001" || who.AccountId != emulator.DefaultAccountID {
		t.Fatalf("GetCallerIdentity = %+v", who)
	}

	for _, path := range []string{rolePath + "terraform-ci", rolePath + "cvm-terraform/x", "/latest/meta-data/", "/latest/meta-data/placement/zone"} {
		if status, _ := e.metadata(path); status != 404 {
			t.Errorf("GET %s = %d, want 404", path, status)
		}
	}

	// The same credential until less than half of it is left, then a new one; the
	// old one works until it expires.
	if again := e.metadataCredentials(); again != c {
		t.Fatalf("a second fetch gave another credential")
	}
	e.emu.AdvanceClock(3601 * time.Second)
	rotated := e.metadataCredentials()
	if rotated.TmpSecretId == c.TmpSecretId || rotated.ExpiredTime != testEpoch.Unix()+3601+7200 {
		t.Fatalf("after half its life: %+v", rotated)
	}
	e.usableEverywhere(t, c.credential())
	e.emu.AdvanceClock(3599 * time.Second)
	e.refusedEverywhere(t, c.credential(), "AuthFailure.TokenFailure")
	e.usableEverywhere(t, rotated.credential())
}

func TestCVMMetadataSettings(t *testing.T) {
	e := newEnv(t, func(o *emulator.Options) { o.Settings.SessionLifetime = "10s" })
	c := e.metadataCredentials()
	if c.ExpiredTime != testEpoch.Unix()+10 {
		t.Fatalf("ExpiredTime = %d, want now + 10 (sessionLifetime)", c.ExpiredTime)
	}
	e.emu.AdvanceClock(10 * time.Second)
	e.refusedEverywhere(t, c.credential(), "AuthFailure.TokenFailure")
	if renewed := e.metadataCredentials(); renewed.TmpSecretId == c.TmpSecretId {
		t.Fatal("an expired credential was served again")
	}

	// Another instance: ins-demo0002 has no role.
	e.control("POST", "/_emulator/settings", `{"metadataInstance":"ins-demo0002"}`, 200, nil)
	for _, path := range []string{rolePath, rolePath + "cvm-terraform"} {
		if status, _ := e.metadata(path); status != 404 {
			t.Errorf("GET %s for an instance without a role = %d, want 404", path, status)
		}
	}
	e.control("POST", "/_emulator/settings", `{"metadataInstance":"ins-zzzzzzzz"}`, 200, nil)
	if status, _ := e.metadata("/latest/meta-data/instance-id"); status != 404 {
		t.Errorf("an instance that does not exist answered %d", status)
	}
	e.control("POST", "/_emulator/settings", `{"metadataInstance":"i-1"}`, 400, nil)
	e.control("POST", "/_emulator/settings", `{"sessionLifetime":"1.5s"}`, 400, nil)
	e.control("POST", "/_emulator/settings", `{"sessionLifetime":"0s"}`, 400, nil)

	// Loopback clients only, like the control surface.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", rolePath, nil)
	req.RemoteAddr = "192.0.2.10:40000"
	e.emu.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Fatalf("a remote client got %d", rec.Code)
	}
}

// metadataTransport sends the SDK's requests for the metadata host to the emulator,
// as the SDK's own tests replace http.DefaultTransport: the metadata URL is a constant.
type metadataTransport struct {
	emulatorHost string
	base         http.RoundTripper
}

func (m metadataTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host == "metadata.tencentyun.com" {
		r = r.Clone(r.Context())
		r.URL.Host, r.Host = m.emulatorHost, ""
	}
	return m.base.RoundTrip(r)
}

// The official SDK's CVM role provider against the emulator's metadata service.
func TestSDKCvmRoleProvider(t *testing.T) {
	e := newEnv(t)
	base := http.DefaultTransport
	http.DefaultTransport = metadataTransport{emulatorHost: strings.TrimPrefix(e.srv.URL, "http://"), base: base}
	t.Cleanup(func() { http.DefaultTransport = base })

	cred, err := common.DefaultCvmRoleProvider().GetCredential()
	if err != nil {
		t.Fatalf("DefaultCvmRoleProvider: %v", err)
	}
	id, key, token := cred.GetCredential()
	if token == "" || !strings.HasPrefix(id, "AKID") || key == "" {
		t.Fatalf("credential = %q %q %q", id, key, token)
	}
	e.usableEverywhere(t, cred)
	client := newSDKClient(t, e.srv.URL, sdkConfig{ID: id, Key: key, Token: token})
	if _, err := client.DescribeAddressQuota(nil); err != nil {
		t.Fatalf("the VPC client with the role's credential: %v", err)
	}

	// Without a role the provider says so (the chain skips it).
	e.control("POST", "/_emulator/settings", `{"metadataInstance":"ins-demo0002"}`, 200, nil)
	if _, err := common.DefaultCvmRoleProvider().GetCredential(); err == nil {
		t.Fatal("a provider found a role on an instance without one")
	}
}

// The official SDK's STS providers against the emulator over HTTPS (their scheme is
// fixed), trusted through common.DefaultHttpClient.
func TestSDKRoleArnProviders(t *testing.T) {
	e := newEnv(t)
	tlsSrv := httptest.NewTLSServer(e.emu)
	t.Cleanup(tlsSrv.Close)
	common.DefaultHttpClient = tlsSrv.Client()
	t.Cleanup(func() { common.DefaultHttpClient = nil })
	endpoint := strings.TrimPrefix(tlsSrv.URL, "https://")

	roleArn := common.NewRoleArnProvider(emulator.DefaultSecretID, emulator.DefaultSecretKey, emulator.DefaultRoleArn, "sdk-session", 3600)
	roleArn.Endpoint = endpoint
	oidc := common.NewOIDCRoleArnProvider(emulator.DefaultRegion, "OIDC", e.webToken(`{"ttl":"60s"}`), emulator.DefaultRoleArn, "sdk-oidc", 3600)
	oidc.Endpoint = endpoint
	for _, p := range []struct {
		provider common.Provider
		session  string
	}{{roleArn, "sdk-session"}, {oidc, "sdk-oidc"}} {
		cred, err := p.provider.GetCredential()
		if err != nil {
			t.Fatalf("the provider of %s: %v", p.session, err)
		}
		e.usableEverywhere(t, cred)
		if who, err := e.callerOf(cred); err != nil || who.UserId != emulator.DefaultRoleID+":"+p.session {
			t.Fatalf("GetCallerIdentity = %+v, %v", who, err)
		}
	}
	// The unsigned request carried no credential.
	for _, rec := range e.emu.Requests("AssumeRoleWithWebIdentity") {
		var body map[string]any
		mustUnmarshal(t, rec.Body, &body)
		if body["WebIdentityToken"] != "(redacted)" {
			t.Fatalf("logged %s", rec.Body)
		}
	}
	b, _ := json.Marshal(e.emu.Stats().Calls)
	if !strings.Contains(string(b), `"AssumeRole":1`) || !strings.Contains(string(b), `"AssumeRoleWithWebIdentity":1`) {
		t.Fatalf("calls = %s", b)
	}
}
