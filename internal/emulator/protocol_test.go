package emulator_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
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

func TestDescribeTaskResultRejections(t *testing.T) {
	e := newEnv(t)
	for body, code := range map[string]string{
		`{}`:                      "MissingParameter",
		`{"TaskId":99999999}`:     "InvalidParameter",
		`{"TaskId":-1}`:           "InvalidParameter",
		`{"TaskId":1.5}`:          "InvalidParameter",
		`{"DealName":"20300615"}`: "InvalidParameter",
	} {
		if r := e.raw(rawRequest{Action: "DescribeTaskResult", Body: body}); r.Code != code {
			t.Errorf("%s: code %q (%s), want %q", body, r.Code, r.Message, code)
		}
	}
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

func TestUnsupportedMethod(t *testing.T) {
	e := newEnv(t)
	req, _ := http.NewRequest(http.MethodPut, e.srv.URL+"/", strings.NewReader("{}"))
	wantReplyCode(t, sendRaw(t, nil, req), "UnsupportedProtocol")
}
