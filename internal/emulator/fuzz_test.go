package emulator

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzDecodeRequest feeds arbitrary bodies and query strings to the decoder of every
// action, then runs what decodes against a fresh default world: neither may panic, and
// a successful decode must yield a call of the action.
func FuzzDecodeRequest(f *testing.F) {
	seeds := []struct{ action, method, body, query string }{
		{"AssociateAddress", "POST", `{"AddressId":"eip-demo0001","InstanceId":"ins-demo0001"}`, ""},
		{"AssociateAddress", "POST", `{"AddressId":"eip-demo0001","NetworkInterfaceId":"eni-demo0005","PrivateIpAddress":"10.0.1.5","EipDirectConnection":true}`, ""},
		{"AssociateAddress", "GET", "", "AddressId=eip-demo0001&NetworkInterfaceId=eni-demo0001&PrivateIpAddress=10.0.0.12"},
		{"DisassociateAddress", "POST", `{"AddressId":"eip-demo0002","ReallocateNormalPublicIp":true}`, ""},
		{"DisassociateAddress", "POST", `{"AddressId":"eip-demo0002","ReallocateNormalPublicIp":"TRUE"}`, ""},
		{"DisassociateAddress", "GET", "", "AddressId=eip-demo0002&ReallocateNormalPublicIp=false"},
		{"DescribeAddresses", "POST", `{"AddressIds":["eip-demo0001"],"Filters":[{"Name":"address-status","Values":["BIND"]}],"Offset":0,"Limit":100}`, ""},
		{"DescribeAddresses", "POST", `{"Filters":[{"Name":"is-arrears","Values":["TRUE","x"]},{"Name":"tag:k","Values":[""]}]}`, ""},
		{"DescribeAddresses", "GET", "", "AddressIds.0=eip-demo0001&Filters.0.Name=address-id&Filters.0.Values.0=eip-demo0002&Limit=1"},
		{"DescribeAddresses", "GET", "", "Filters.1.Values.3=x&AddressIds.-1=y&Offset=1e3"},
		{"DescribeAddresses", "POST", `{"Offset":-9223372036854775808,"Limit":9223372036854775807}`, ""},
		{"DescribeTaskResult", "POST", `{"TaskId":18446744073709551615}`, ""},
		{"DescribeTaskResult", "POST", `{"TaskId":1e2,"DealName":null}`, ""},
		{"DescribeTaskResult", "GET", "", "TaskId=10000001"},
		{"DescribeAddressQuota", "POST", ``, ""},
		{"DescribeAddressQuota", "POST", `{"x":1}`, ""},
		{"DescribeNetworkInterfaces", "POST", `{"NetworkInterfaceIds":["eni-demo0001","eni-demo0005"],"Offset":0,"Limit":100}`, ""},
		{"DescribeNetworkInterfaces", "POST", `{"Filters":[{"Name":"address-ip","Values":["1"]},{"Name":"ip-exact-match","Values":["TRUE","x"]}]}`, ""},
		{"DescribeNetworkInterfaces", "POST", `{"Filters":[{"Name":"public-address-ip","Values":["203.0.113.2"]}],"Offset":18446744073709551615,"Limit":1}`, ""},
		{"DescribeNetworkInterfaces", "GET", "", "Filters.0.Name=attachment.instance-id&Filters.0.Values.0=ins-demo0001&Limit=1"},
		{"NoSuchAction", "POST", `{}`, ""},
		{"DescribeAddresses", "POST", `{"AddressIds":[` + strings.Repeat(`"eip-00000000",`, 120) + `"eip-00000000"]}`, ""},
		{"DescribeAddresses", "POST", "{\"Filters\":[{\"Name\":\"address-name\",\"Values\":[\"\xff\"]}]}", ""},
		{"DescribeAddresses", "POST", `{} {}`, ""},
		{"ReturnNormalAddresses", "POST", `{"AddressIps":["198.51.100.61","203.0.113.2"]}`, ""},
		{"ReturnNormalAddresses", "GET", "", "AddressIps.0=198.51.100.61"},
	}
	for _, s := range seeds {
		f.Add(s.action, s.method, []byte(s.body), s.query)
	}
	f.Fuzz(func(t *testing.T, action, method string, body []byte, query string) {
		call := tc3Params(action, method, "application/json", body, query)
		if logged := call.logged(); !json.Valid(logged) {
			t.Fatalf("the request log entry is not JSON: %q", logged)
		}
		var run actionCall
		aerr := call.paramsErr
		if aerr == nil {
			run, aerr = decodeParams(action, call.params)
		}
		if aerr != nil {
			if aerr.Code == "" || aerr.Message == "" {
				t.Fatalf("an error without code or message: %+v", aerr)
			}
			return
		}
		if run == nil {
			t.Fatal("no error and no call")
		}
		e, err := New(Options{})
		if err != nil {
			t.Fatal(err)
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		c := actionContext{e: e, w: e.world, now: e.observe(), action: action}
		resp, aerr := run(&c)
		if aerr == nil {
			if _, err := json.Marshal(resp); err != nil {
				t.Fatalf("response does not marshal: %v", err)
			}
		}
		if err := e.world.validate(); err != nil {
			t.Fatalf("the action left an inconsistent world: %v", err)
		}
	})
}

// FuzzVerifySignature feeds arbitrary headers, hosts and bodies to the TC3 verifier. It
// must never panic, and must accept only requests whose signature really matches.
func FuzzVerifySignature(f *testing.F) {
	now := time.Date(2030, 6, 15, 12, 0, 0, 0, time.UTC)
	ts := strconv.FormatInt(now.Unix(), 10)
	creds := mapLookup(map[string]secret{
		DefaultSecretID: {Key: DefaultSecretKey},
		"AKIDtoken":     {Key: "k", Token: "tok"},
		"AKIDexpired":   {Key: "k", Token: "tok", Expired: true},
	})
	valid := signedRequest{Method: "POST", Host: "127.0.0.1:9010", Body: []byte(`{}`),
		Header: http.Header{"Content-Type": {"application/json"}, "X-Tc-Timestamp": {ts}}}
	canonical, _ := canonicalRequest(valid, valid.Host, []string{"content-type", "host"}, false)
	sig := tc3Signature(DefaultSecretKey, "2030-06-15", "vpc", ts, canonical)
	goodAuth := "TC3-HMAC-SHA256 Credential=" + DefaultSecretID + "/2030-06-15/vpc/tc3_request, SignedHeaders=content-type;host, Signature=" + sig

	f.Add("POST", "127.0.0.1:9010", "", goodAuth, "application/json", ts, "", "", []byte(`{}`))
	f.Add("POST", "127.0.0.1:9010", "", goodAuth, "application/json", ts, "", "UNSIGNED-PAYLOAD", []byte(`{"a":1}`))
	f.Add("GET", "vpc.tencentcloudapi.com", "AddressIds.0=eip-1", strings.Replace(goodAuth, "content-type;host", "host;content-type;x-tc-token", 1), "application/x-www-form-urlencoded", ts, "tok", "", []byte{})
	f.Add("POST", "h", "", "TC3-HMAC-SHA256 Credential=AKIDtoken/2030-06-15/vpc/tc3_request, SignedHeaders=content-type;host, Signature="+sig, "application/json", ts, "", "", []byte(`{}`))
	f.Add("POST", "h", "", "TC3-HMAC-SHA256 ,,,", "", "", "", "", []byte(nil))
	f.Add("POST", "h", "", "TC3-HMAC-SHA256 Credential=////, SignedHeaders=;;, Signature=", "x", "-1", "", "", []byte("x"))
	f.Add("POST", "h", "", "TC3-HMAC-SHA256 Credential=a/2030-06-15/vpc/tc3_request, SignedHeaders=content-type;host;CONTENT-TYPE, Signature="+sig, "x", "99999999999999999999", "", "", []byte("x"))

	f.Fuzz(func(t *testing.T, method, host, rawQuery, authorization, contentType, timestamp, token, contentHash string, body []byte) {
		req := signedRequest{Method: method, Host: host, RawQuery: rawQuery, Body: body, Header: http.Header{}}
		req.Header.Set("Authorization", authorization)
		req.Header.Set("Content-Type", contentType)
		req.Header.Set(headerTimestamp, timestamp)
		if token != "" {
			req.Header.Set(headerToken, token)
		}
		if contentHash != "" {
			req.Header.Set(headerContentHash, contentHash)
		}
		_, cred, aerr := verifyTC3(req, creds, now, scopeServices(host, "vpc"))
		if aerr != nil {
			if !strings.HasPrefix(aerr.Code, "AuthFailure.") && aerr.Code != codeMissingParameter && aerr.Code != codeInvalidParameterValue {
				t.Fatalf("unexpected code %s", aerr.Code)
			}
			if strings.Contains(aerr.Message, DefaultSecretKey) {
				t.Fatal("an error message echoes a secret key")
			}
			return
		}
		// Accepted: recomputing the signature independently of the verifier's control
		// flow must give the one in the header.
		auth, perr := parseTC3Authorization(authorization)
		if perr != nil {
			t.Fatalf("accepted an Authorization the parser rejects: %v", perr)
		}
		ok := false
		for _, host := range signedHosts(host) {
			for _, lower := range []bool{false, true} {
				canonical, _ := canonicalRequest(req, host, auth.SignedHeaders, lower)
				if tc3Signature(cred.Key, auth.Date, auth.Service, timestamp, canonical) == auth.Signature {
					ok = true
				}
			}
		}
		if !ok {
			t.Fatal("accepted a request whose signature does not match")
		}
		if cred.Token != "" && req.Header.Get(headerToken) != cred.Token {
			t.Fatal("accepted a temporary credential without its token")
		}
		if cred.Expired {
			t.Fatal("accepted an expired temporary credential")
		}
	})
}

// FuzzVerifyV1 feeds arbitrary queries, hosts and paths to the signature v1 verifier: it
// must never panic, and must accept only requests whose signature really matches.
func FuzzVerifyV1(f *testing.F) {
	now := time.Date(2030, 6, 15, 12, 0, 0, 0, time.UTC)
	creds := mapLookup(map[string]secret{DefaultSecretID: {Key: DefaultSecretKey}})
	ts := strconv.FormatInt(now.Unix(), 10)
	valid := url.Values{"Action": {"DescribeAddressQuota"}, "Nonce": {"1"}, "Timestamp": {ts}, "SecretId": {DefaultSecretID},
		"SignatureMethod": {"HmacSHA256"}, "Version": {APIVersion}, "Region": {DefaultRegion}}
	mac := hmac.New(sha256.New, []byte(DefaultSecretKey))
	mac.Write([]byte(v1StringToSign(v1Request{Method: "GET", Host: "127.0.0.1:9010", Path: "/", Params: valid})))
	valid.Set("Signature", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	f.Add("GET", "127.0.0.1:9010", "/", valid.Encode())
	f.Add("POST", "h", "/v2/index.php", "Signature=%%&SecretId=x")
	f.Add("GET", "", "", "Signature=&SignatureMethod=HmacMD5&Timestamp=-1&Nonce=a")
	f.Fuzz(func(t *testing.T, method, host, path, query string) {
		params, err := url.ParseQuery(query)
		if err != nil || !params.Has("Signature") {
			return
		}
		_, cred, aerr := verifyV1(v1Request{Method: method, Host: host, Path: path, Params: params}, creds, now)
		if aerr != nil {
			if aerr.Code == "" || strings.Contains(aerr.Message, DefaultSecretKey) {
				t.Fatalf("bad error %+v", aerr)
			}
			return
		}
		newHash := sha1.New
		if params.Get("SignatureMethod") == "HmacSHA256" {
			newHash = sha256.New
		}
		m := hmac.New(newHash, []byte(cred.Key))
		m.Write([]byte(v1StringToSign(v1Request{Method: method, Host: host, Path: path, Params: params})))
		if base64.StdEncoding.EncodeToString(m.Sum(nil)) != params.Get("Signature") {
			t.Fatal("accepted a request whose signature does not match")
		}
	})
}

// mapLookup is a secretLookup over a fixed set of secrets.
func mapLookup(m map[string]secret) secretLookup {
	return func(id string) (secret, bool) {
		s, ok := m[id]
		return s, ok
	}
}
