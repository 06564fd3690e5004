package emulator_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestEnvelope(t *testing.T) {
	e := newEnv(t)
	ok := e.raw(rawRequest{})
	bad := e.raw(rawRequest{Action: "DisassociateAddress", Body: `{"AddressId":"eip-zzzzzzzz"}`})
	for name, r := range map[string]apiReply{"success": ok, "error": bad} {
		if r.Status != http.StatusOK || r.ContentType != "application/json" {
			t.Errorf("%s: HTTP %d, Content-Type %q; want 200, application/json", name, r.Status, r.ContentType)
		}
		if !uuidV4.MatchString(r.RequestID) {
			t.Errorf("%s: RequestId %q is not a v4 UUID", name, r.RequestID)
		}
	}
	if ok.RequestID == bad.RequestID {
		t.Error("two replies share a RequestId")
	}
	if _, hasError := ok.Response["Error"]; hasError {
		t.Errorf("a success carries Error: %s", ok.Raw)
	}
	if _, hasQuotas := ok.Response["QuotaSet"]; !hasQuotas { // a hand-signed request is answered
		t.Errorf("no QuotaSet in %s", ok.Raw)
	}
	wantReplyCode(t, bad, "InvalidAddressId.NotFound")
	if len(bad.Response) != 2 {
		t.Errorf("an error reply holds more than Error and RequestId: %s", bad.Raw)
	}
}

// TaskId is a JSON string from Associate/Disassociate and a JSON number in
// DescribeTaskResult, both ways.
func TestTaskIDTypesOnTheWire(t *testing.T) {
	e := newEnv(t)
	r := e.raw(rawRequest{Action: "DisassociateAddress", Body: `{"AddressId":"eip-demo0002"}`})
	wantReplyCode(t, r, "")
	var taskID string
	if err := json.Unmarshal(r.Response["TaskId"], &taskID); err != nil || !digits.MatchString(taskID) {
		t.Fatalf("TaskId = %s, want a JSON string of digits", r.Response["TaskId"])
	}
	r = e.raw(rawRequest{Action: "DescribeTaskResult", Body: `{"TaskId":` + taskID + `}`})
	wantReplyCode(t, r, "")
	if string(r.Response["TaskId"]) != taskID || string(r.Response["Result"]) != `"RUNNING"` {
		t.Fatalf("DescribeTaskResult = %s", r.Raw)
	}
	r = e.raw(rawRequest{Action: "DescribeTaskResult", Body: `{"TaskId":"` + taskID + `"}`})
	wantReplyCode(t, r, "InvalidParameter")
}

func TestRequestRejections(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name     string
		req      rawRequest
		code     string
		mentions string
	}{
		{"unknown action", rawRequest{Action: "AllocateAddresses"}, "InvalidAction", "AllocateAddresses"},
		{"wrong version", rawRequest{Version: "2018-01-01"}, "NoSuchVersion", "2018-01-01"},
		{"missing version", rawRequest{Version: "-"}, "MissingParameter", "X-TC-Version"},
		{"missing region", rawRequest{Region: "-"}, "MissingParameter", "X-TC-Region"},
		{"unknown parameter", rawRequest{Action: "DisassociateAddress", Body: `{"AddressId":"eip-demo0002","Force":true}`}, "UnknownParameter", "Force"},
		{"parameter names are case-sensitive", rawRequest{Action: "DisassociateAddress", Body: `{"addressId":"eip-demo0002"}`}, "UnknownParameter", "addressId"},
		{"unknown filter field", rawRequest{Action: "DescribeAddresses", Body: `{"Filters":[{"Name":"address-id","Value":["x"]}]}`}, "UnknownParameter", "Filters.0.Value"},
		{"not JSON", rawRequest{Action: "DescribeAddresses", Body: `AddressIds=eip-demo0001`}, "InvalidParameter", ""},
		{"JSON array", rawRequest{Action: "DescribeAddresses", Body: `[]`}, "InvalidParameter", ""},
		{"trailing garbage", rawRequest{Action: "DescribeAddresses", Body: `{}}`}, "InvalidParameter", ""},
		{"wrong type", rawRequest{Action: "DescribeAddresses", Body: `{"AddressIds":"eip-demo0001"}`}, "InvalidParameter", "AddressIds"},
		{"wrong element type", rawRequest{Action: "DescribeAddresses", Body: `{"AddressIds":[1]}`}, "InvalidParameter", "AddressIds.0"},
		{"limit as string", rawRequest{Action: "DescribeAddresses", Body: `{"Limit":"10"}`}, "InvalidParameter", "Limit"},
		{"form body on POST", rawRequest{Action: "DescribeAddresses", ContentType: "application/x-www-form-urlencoded", Body: `{}`}, "InvalidParameter", "Content-Type"},
		{"GET unknown parameter", rawRequest{Method: "GET", Action: "DescribeAddresses", URL: "/?Colour=red"}, "UnknownParameter", "Colour"},
		{"GET list with a gap", rawRequest{Method: "GET", Action: "DescribeAddresses", URL: "/?AddressIds.1=eip-demo0001"}, "InvalidParameter", "AddressIds"},
		{"GET non-integer limit", rawRequest{Method: "GET", Action: "DescribeAddresses", URL: "/?Limit=ten"}, "InvalidParameter", "Limit"},
		{"GET bad boolean", rawRequest{Method: "GET", Action: "DisassociateAddress", URL: "/?AddressId=eip-demo0002&ReallocateNormalPublicIp=yes"}, "InvalidParameter", "ReallocateNormalPublicIp"},
		// The seed document shows ReallocateNormalPublicIp as the string TRUE; API 3.0 takes a
		// JSON boolean.
		{"boolean as a string", rawRequest{Action: "DisassociateAddress", Body: `{"AddressId":"eip-demo0002","ReallocateNormalPublicIp":"TRUE"}`}, "InvalidParameter", "ReallocateNormalPublicIp"},
		{"unsupported method", rawRequest{Method: "PUT"}, "UnsupportedProtocol", "PUT"},
		{"task id missing", rawRequest{Action: "DescribeTaskResult", Body: `{}`}, "MissingParameter", "TaskId"},
		{"unknown task", rawRequest{Action: "DescribeTaskResult", Body: `{"TaskId":99999999}`}, "InvalidParameter", "99999999"},
		{"negative task id", rawRequest{Action: "DescribeTaskResult", Body: `{"TaskId":-1}`}, "InvalidParameter", "TaskId"},
		{"fractional task id", rawRequest{Action: "DescribeTaskResult", Body: `{"TaskId":1.5}`}, "InvalidParameter", "TaskId"},
		{"deal name", rawRequest{Action: "DescribeTaskResult", Body: `{"DealName":"20300615"}`}, "InvalidParameter", "20300615"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.HasPrefix(tt.req.URL, "/") {
				tt.req.URL = e.srv.URL + tt.req.URL
			}
			e.unchanged(func() {
				r := e.raw(tt.req)
				wantReplyCode(t, r, tt.code)
				if !strings.Contains(r.Message, tt.mentions) {
					t.Errorf("message %q does not mention %q", r.Message, tt.mentions)
				}
			})
		})
	}
}

// Bodies are read through a 10 MB cap, before authentication.
func TestBodyOverTenMegabytes(t *testing.T) {
	e := newEnv(t)
	body := bytes.Repeat([]byte(" "), 10<<20+1)
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	wantReplyCode(t, sendRaw(t, nil, req), "RequestSizeLimitExceeded")

	// Exactly 10 MB is read and then judged on its merits (here: unsigned).
	req, _ = http.NewRequest(http.MethodPost, e.srv.URL+"/", bytes.NewReader(body[:10<<20]))
	req.Header.Set("Content-Type", "application/json")
	wantReplyCode(t, sendRaw(t, nil, req), "AuthFailure.InvalidAuthorization")
}

// everyAction is one well-formed request per action, as raw JSON bodies.
var everyAction = map[string]string{
	"AssociateAddress":          `{"AddressId":"eip-demo0001","InstanceId":"ins-demo0001"}`,
	"DisassociateAddress":       `{"AddressId":"eip-demo0002"}`,
	"DescribeAddresses":         `{}`,
	"DescribeTaskResult":        `{"TaskId":10000001}`,
	"DescribeAddressQuota":      `{}`,
	"DescribeNetworkInterfaces": `{}`,
	"ReturnNormalAddresses":     `{"AddressIps":["198.51.100.61"]}`,
}

// A region that does not exist is an error for every action, never an empty world.
func TestUnknownRegionIsAnError(t *testing.T) {
	for _, tt := range []struct {
		setting, code string
	}{
		{"", "InvalidParameterValue"},
		{emulator.UnknownRegionUnsupportedRegion, "UnsupportedRegion"},
	} {
		e := newEnv(t, func(o *emulator.Options) { o.Settings.UnknownRegion = tt.setting })
		e.unchanged(func() {
			for action, body := range everyAction {
				r := e.raw(rawRequest{Action: action, Region: "ap-guangzhuo", Body: body})
				wantReplyCode(t, r, tt.code)
				if !strings.Contains(r.Message, "ap-guangzhuo") {
					t.Errorf("%s: message %q does not name the region", action, r.Message)
				}
			}
		})
		if got := e.emu.Stats().Errors["DescribeAddresses"][tt.code]; got != 1 {
			t.Errorf("the refusal is counted %d times, want 1", got)
		}
	}
}

// A known region without resources is legitimately empty; a world file may list its
// own regions.
func TestKnownRegionsOfTheWorld(t *testing.T) {
	e := newEnv(t)
	w := e.emu.Snapshot()
	for _, r := range []string{"ap-guangzhou", "ap-shanghai", "na-siliconvalley"} {
		if !slices.Contains(w.Regions, r) {
			t.Fatalf("the default world does not list %s: %v", r, w.Regions)
		}
	}
	wantReplyCode(t, e.raw(rawRequest{Action: "DescribeAddresses", Region: "ap-shanghai"}), "")

	custom := emulator.DefaultWorld()
	custom.Region, custom.Regions = "xx-test-1", []string{"xx-test-2"}
	c := newEnv(t, func(o *emulator.Options) { o.World = custom })
	if got := c.emu.Snapshot().Regions; strings.Join(got, ",") != "xx-test-1,xx-test-2" {
		t.Fatalf("regions = %v, want the world's own and its region", got)
	}
	r := c.raw(rawRequest{Action: "DescribeAddresses", Region: "xx-test-1", Body: `{"AddressIds":["eip-demo0002"]}`})
	wantReplyCode(t, r, "")
	if string(r.Response["TotalCount"]) != "1" {
		t.Fatalf("the world's region: %s", r.Raw)
	}
	r = c.raw(rawRequest{Action: "DescribeAddresses", Region: "xx-test-2"})
	wantReplyCode(t, r, "")
	if string(r.Response["TotalCount"]) != "0" {
		t.Fatalf("another known region: %s", r.Raw)
	}
	wantReplyCode(t, c.raw(rawRequest{Action: "DescribeAddresses", Region: "ap-guangzhou"}), "InvalidParameterValue")
}
