package emulator_test

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	vpc "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc/v20170312"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

func TestTamperedBodyIsRejected(t *testing.T) {
	e := newEnv(t)
	tampered := `{"AddressId":"eip-demo0004"}`
	e.unchanged(func() {
		r := e.raw(rawRequest{Action: "DisassociateAddress", Body: `{"AddressId":"eip-demo0002"}`, TamperBody: &tampered})
		wantReplyCode(t, r, "AuthFailure.SignatureFailure")
	})
	if s := e.emu.Stats(); s.Calls["DisassociateAddress"] != 0 {
		t.Fatalf("an unauthenticated request was counted: %v", s.Calls)
	}
}

func TestWrongKeyAndUnknownSecretID(t *testing.T) {
	e := newEnv(t)
	e.unchanged(func() {
		wrongKey := &env{t: t, vpc: newSDKClient(t, e.srv.URL, sdkConfig{ID: emulator.DefaultSecretID, Key: "not-the-key"})}
		_, err := wrongKey.disassociate("eip-demo0002", false)
		wantCode(t, err, "AuthFailure.SignatureFailure")
		if strings.Contains(err.Error(), emulator.DefaultSecretKey) {
			t.Fatal("the error echoes the secret key")
		}

		unknown := &env{t: t, vpc: newSDKClient(t, e.srv.URL, sdkConfig{ID: "AKIDnobody", Key: emulator.DefaultSecretKey})}
		wantCode(t, errOf(unknown.disassociate("eip-demo0002", false)), "AuthFailure.SecretIdNotFound")
	})
}

// The skew is judged against the emulator's wall clock, fixed here: the bounds are exact.
func TestTimestampSkew(t *testing.T) {
	e := newEnv(t)
	wall := time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC)
	emulator.SetWallClock(e.emu, func() time.Time { return wall })
	for _, tt := range []struct {
		offset time.Duration
		code   string
	}{
		{-301 * time.Second, "AuthFailure.SignatureExpire"},
		{301 * time.Second, "AuthFailure.SignatureExpire"},
		{-300 * time.Second, ""},
		{300 * time.Second, ""},
	} {
		r := e.raw(rawRequest{Timestamp: wall.Add(tt.offset)})
		if r.Code != tt.code {
			t.Errorf("timestamp %v from now: code %q (%s), want %q", tt.offset, r.Code, r.Message, tt.code)
		}
	}
}

func TestMalformedAuthorization(t *testing.T) {
	e := newEnv(t)
	sig := strings.Repeat("a", 64)
	scope := emulator.DefaultSecretID + "/" + time.Now().UTC().Format("2006-01-02") + "/vpc/tc3_request"
	for name, header := range map[string]string{
		"missing":                  "-",
		"other scheme":             "Bearer abc",
		"v1 style":                 "HmacSHA256 Credential=x",
		"no parts":                 "TC3-HMAC-SHA256",
		"short credential":         "TC3-HMAC-SHA256 Credential=AKID/2030-01-01, SignedHeaders=content-type;host, Signature=" + sig,
		"no signed headers":        "TC3-HMAC-SHA256 Credential=" + scope + ", Signature=" + sig,
		"host not signed":          "TC3-HMAC-SHA256 Credential=" + scope + ", SignedHeaders=content-type, Signature=" + sig,
		"signature not hex":        "TC3-HMAC-SHA256 Credential=" + scope + ", SignedHeaders=content-type;host, Signature=" + strings.Repeat("z", 64),
		"signature too short":      "TC3-HMAC-SHA256 Credential=" + scope + ", SignedHeaders=content-type;host, Signature=abc",
		"bad terminator":           "TC3-HMAC-SHA256 Credential=" + strings.TrimSuffix(scope, "tc3_request") + "aws4_request, SignedHeaders=content-type;host, Signature=" + sig,
		"duplicate part":           "TC3-HMAC-SHA256 Credential=" + scope + ", Credential=" + scope + ", SignedHeaders=content-type;host, Signature=" + sig,
		"bad date in credential":   "TC3-HMAC-SHA256 Credential=AKID/yesterday/vpc/tc3_request, SignedHeaders=content-type;host, Signature=" + sig,
		"part without equals sign": "TC3-HMAC-SHA256 Credential=" + scope + ", SignedHeaders, Signature=" + sig,
	} {
		t.Run(name, func(t *testing.T) {
			wantReplyCode(t, e.raw(rawRequest{Authorization: header}), "AuthFailure.InvalidAuthorization")
		})
	}
}

func TestSignatureDetails(t *testing.T) {
	e := newEnv(t)
	t.Run("credential scope date must be the timestamp's UTC date", func(t *testing.T) {
		wantReplyCode(t, e.raw(rawRequest{ScopeDate: "2001-01-01"}), "AuthFailure.SignatureFailure")
	})
	t.Run("host is verified as received", func(t *testing.T) {
		req := rawRequest{}.build(t, e.srv.URL)
		req.Host = "vpc.tencentcloudapi.com" // signed for the test server's host:port
		wantReplyCode(t, sendRaw(t, nil, req), "AuthFailure.SignatureFailure")
	})
	t.Run("extra signed headers are verified", func(t *testing.T) {
		signed := []string{"content-type", "host", "x-tc-action"}
		wantReplyCode(t, e.raw(rawRequest{SignedHeaders: signed}), "")
		req := rawRequest{SignedHeaders: signed}.build(t, e.srv.URL)
		req.Header.Set("X-TC-Action", "DescribeAddresses")
		wantReplyCode(t, sendRaw(t, nil, req), "AuthFailure.SignatureFailure")
	})
	t.Run("signed headers in the signer's order", func(t *testing.T) {
		wantReplyCode(t, e.raw(rawRequest{SignedHeaders: []string{"host", "content-type"}}), "")
	})
	t.Run("unsigned payload", func(t *testing.T) {
		other := `{"AddressIds":["eip-demo0001"]}`
		r := e.raw(rawRequest{Action: "DescribeAddresses", Body: `{}`, Unsigned: true, TamperBody: &other})
		wantReplyCode(t, r, "")
		if string(r.Response["TotalCount"]) != "1" {
			t.Fatalf("the unsigned body was not the one used: %s", r.Raw)
		}
	})
	t.Run("SDK with UnsignedPayload", func(t *testing.T) {
		c := newSDKClient(t, e.srv.URL, sdkConfig{Profile: func(p *profile.ClientProfile) { p.UnsignedPayload = true }})
		_, err := c.DescribeAddressQuota(vpc.NewDescribeAddressQuotaRequest())
		noError(t, err)
	})
	t.Run("SDK with GET", func(t *testing.T) {
		c := newSDKClient(t, e.srv.URL, sdkConfig{Profile: func(p *profile.ClientProfile) { p.HttpProfile.ReqMethod = "GET" }})
		_, err := c.DescribeAddressQuota(vpc.NewDescribeAddressQuotaRequest())
		noError(t, err)
	})
	t.Run("tampered GET query", func(t *testing.T) {
		req := rawRequest{Method: "GET", Action: "DescribeAddresses", URL: e.srv.URL + "/?AddressIds.0=eip-demo0001"}.build(t, e.srv.URL)
		req.URL.RawQuery = "AddressIds.0=eip-demo0002"
		wantReplyCode(t, sendRaw(t, nil, req), "AuthFailure.SignatureFailure")
	})
}

func TestSecurityToken(t *testing.T) {
	const token = "session-token-123"
	e := newEnv(t, func(o *emulator.Options) {
		o.Credentials = []emulator.Credential{{SecretID: "AKIDtemporary", SecretKey: "temp-key", Token: token}}
	})
	withToken := func(tok string) error {
		c := newSDKClient(t, e.srv.URL, sdkConfig{ID: "AKIDtemporary", Key: "temp-key", Token: tok})
		_, err := c.DescribeAddressQuota(vpc.NewDescribeAddressQuotaRequest())
		return err
	}
	wantCode(t, withToken(""), "AuthFailure.TokenFailure")
	err := withToken("someone-elses-token")
	wantCode(t, err, "AuthFailure.TokenFailure")
	if strings.Contains(err.Error(), token) {
		t.Fatal("the error echoes the token")
	}
	if err := withToken(token); err != nil {
		t.Fatalf("the right token was refused: %v", err)
	}
}

// A client behind HTTP_PROXY sends absolute-form request URIs; the signature covers the
// Host it meant, not the emulator's address.
func TestAbsoluteFormRequestThroughProxy(t *testing.T) {
	e := newEnv(t)
	proxy, _ := url.Parse(e.srv.URL)
	client := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy)}}
	req := rawRequest{URL: "http://vpc.tencentcloudapi.com/", Action: "DescribeAddresses", Body: `{"AddressIds":["eip-demo0002"]}`}.build(t, e.srv.URL)
	r := sendRaw(t, client, req)
	wantReplyCode(t, r, "")
	if string(r.Response["TotalCount"]) != "1" {
		t.Fatalf("reply %s", r.Raw)
	}

	// The official SDK configured with a proxy does the same.
	sdk := newSDKClient(t, e.srv.URL, sdkConfig{Profile: func(p *profile.ClientProfile) {
		p.HttpProfile.Endpoint = "vpc.tencentcloudapi.com"
		p.HttpProfile.Proxy = e.srv.URL
	}})
	through := &env{t: t, emu: e.emu, vpc: sdk}
	through.mustDisassociate("eip-demo0002", false)
	wantAddress(t, e.address("eip-demo0002"), "UNBINDING", "ins-demo0002", "eni-demo0002", "10.0.0.21")
}

// v1Call is a hand-built request signed with signature v1, written from the documented
// algorithm independently of the emulator's verifier.
type v1Call struct {
	Method          string            // default GET
	Path            string            // default "/"
	Action          string            // default DescribeAddressQuota
	Version         string            // default 2017-03-12
	Params          map[string]string // the action's parameters, flattened
	SignatureMethod string            // "" leaves the parameter out (HmacSHA1 applies)
	SecretKey       string            // default the emulator's
	Token           string
	Timestamp       time.Time
	// Tamper changes a parameter after signing.
	Tamper map[string]string
}

func (c v1Call) build(t *testing.T, serverURL string) *http.Request {
	t.Helper()
	c.Method = cmp.Or(c.Method, http.MethodGet)
	c.Path = cmp.Or(c.Path, "/")
	c.Action = cmp.Or(c.Action, "DescribeAddressQuota")
	c.SecretKey = cmp.Or(c.SecretKey, emulator.DefaultSecretKey)
	c.Version = cmp.Or(c.Version, emulator.APIVersion)
	c.Timestamp = cmp.Or(c.Timestamp, time.Now())
	params := url.Values{}
	for k, v := range c.Params {
		params.Set(k, v)
	}
	params.Set("Action", c.Action)
	params.Set("Version", c.Version)
	params.Set("Region", emulator.DefaultRegion)
	params.Set("Timestamp", strconv.FormatInt(c.Timestamp.Unix(), 10))
	params.Set("Nonce", "11886")
	params.Set("SecretId", emulator.DefaultSecretID)
	if c.SignatureMethod != "" {
		params.Set("SignatureMethod", c.SignatureMethod)
	}
	if c.Token != "" {
		params.Set("Token", c.Token)
	}
	host := strings.TrimPrefix(serverURL, "http://")
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	slices.Sort(names)
	pairs := make([]string, 0, len(names))
	for _, k := range names {
		pairs = append(pairs, k+"="+params.Get(k))
	}
	plain := c.Method + host + c.Path + "?" + strings.Join(pairs, "&")
	newHash := func() hash.Hash { return sha1.New() }
	if c.SignatureMethod == "HmacSHA256" {
		newHash = sha256.New
	}
	mac := hmac.New(newHash, []byte(c.SecretKey))
	mac.Write([]byte(plain))
	params.Set("Signature", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	for k, v := range c.Tamper {
		params.Set(k, v)
	}
	var req *http.Request
	var err error
	if c.Method == http.MethodGet {
		req, err = http.NewRequest(c.Method, serverURL+c.Path+"?"+params.Encode(), nil)
	} else {
		req, err = http.NewRequest(c.Method, serverURL+c.Path, strings.NewReader(params.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	noError(t, err)
	return req
}

func (e *env) v1(c v1Call) apiReply {
	e.t.Helper()
	return sendRaw(e.t, nil, c.build(e.t, e.srv.URL))
}

// The official Go SDK signing with v1, both methods, GET and POST.
func TestSignatureV1ThroughTheSDK(t *testing.T) {
	for _, method := range []string{"HmacSHA1", "HmacSHA256"} {
		for _, verb := range []string{"GET", "POST"} {
			t.Run(method+" "+verb, func(t *testing.T) {
				e := newEnv(t)
				sdk := &env{t: t, emu: e.emu, vpc: newSDKClient(t, e.srv.URL, sdkConfig{Profile: func(p *profile.ClientProfile) {
					p.SignMethod = method
					p.HttpProfile.ReqMethod = verb
				}})}
				got := sdk.mustDescribeIDs("eip-demo0002", "eip-demo0001")
				if len(got) != 2 || *got[1].AddressStatus != "BIND" {
					t.Fatalf("DescribeAddresses = %s", mustJSON(got))
				}
				sdk.mustDisassociate("eip-demo0002", true)
				wantAddress(t, e.address("eip-demo0002"), "UNBINDING", "ins-demo0002", "eni-demo0002", "10.0.0.21")
				log := e.emu.Requests("DisassociateAddress")
				if len(log) != 1 || string(log[0].Body) != `{"AddressId":"eip-demo0002","ReallocateNormalPublicIp":true}` {
					t.Fatalf("request log = %s (common parameters must not be logged)", mustJSON(log))
				}
			})
		}
	}
}

// The seed document's own request form: v1, GET on its path, the boolean as TRUE.
func TestSignatureV1SeedForm(t *testing.T) {
	for _, verb := range []string{"GET", "POST"} {
		t.Run(verb, func(t *testing.T) {
			e := newEnv(t)
			r := e.v1(v1Call{Method: verb, Path: "/v2/index.php", Action: "DisassociateAddress",
				Params: map[string]string{"AddressId": "eip-demo0002", "ReallocateNormalPublicIp": "TRUE"}})
			wantReplyCode(t, r, "")
			if _, ok := r.Response["TaskId"]; !ok {
				t.Fatalf("no TaskId: %s", r.Raw)
			}
			e.finishTasks()
			if wan := e.emu.Snapshot().NormalPublicIPs("ins-demo0002"); len(wan) != 1 {
				t.Fatalf("ReallocateNormalPublicIp=TRUE did not reallocate: %s", mustJSON(wan))
			}
			r = e.v1(v1Call{Method: verb, Action: "DisassociateAddress",
				Params: map[string]string{"AddressId": "eip-demo0004", "ReallocateNormalPublicIp": "FALSE"}})
			wantReplyCode(t, r, "InvalidAddressId.Blocked") // decoded, authenticated, refused by the rules
		})
	}
}

func TestSignatureV1Rejections(t *testing.T) {
	e := newEnv(t, func(o *emulator.Options) {
		o.Credentials = append(o.Credentials, emulator.Credential{SecretID: "AKIDtemporary", SecretKey: "temp-key", Token: "tok"})
	})
	wall := time.Now()
	emulator.SetWallClock(e.emu, func() time.Time { return wall })
	lists := map[string]string{"AddressIds.0": "eip-demo0001"}
	e.unchanged(func() {
		for name, tt := range map[string]struct {
			call v1Call
			code string
		}{
			"wrong key":               {v1Call{SecretKey: "nope"}, "AuthFailure.SignatureFailure"},
			"tampered parameter":      {v1Call{Action: "DescribeAddresses", Params: lists, Tamper: map[string]string{"AddressIds.0": "eip-demo0002"}}, "AuthFailure.SignatureFailure"},
			"signed as HmacSHA256":    {v1Call{SignatureMethod: "HmacSHA256", Tamper: map[string]string{"SignatureMethod": "HmacSHA1"}}, "AuthFailure.SignatureFailure"},
			"unknown method":          {v1Call{SignatureMethod: "HmacMD5"}, "InvalidParameterValue"},
			"expired":                 {v1Call{Timestamp: wall.Add(-301 * time.Second)}, "AuthFailure.SignatureExpire"},
			"from the future":         {v1Call{Timestamp: wall.Add(301 * time.Second)}, "AuthFailure.SignatureExpire"},
			"unknown SecretId":        {v1Call{Tamper: map[string]string{"SecretId": "AKIDnobody"}}, "AuthFailure.SecretIdNotFound"},
			"missing Nonce":           {v1Call{Tamper: map[string]string{"Nonce": ""}}, "MissingParameter"},
			"unknown action param":    {v1Call{Params: map[string]string{"Foo": "1"}}, "UnknownParameter"},
			"unsupported version":     {v1Call{Tamper: map[string]string{"Version": "2016-01-01"}}, "AuthFailure.SignatureFailure"},
			"POST to the signed path": {v1Call{Method: "POST", Path: "/a"}, ""},
		} {
			r := e.v1(tt.call)
			if r.Code != tt.code {
				t.Errorf("%s: code %q (%s), want %q", name, r.Code, r.Message, tt.code)
			}
		}
		// A path other than the signed one.
		req := v1Call{Path: "/a"}.build(t, e.srv.URL)
		req.URL.Path = "/b"
		wantReplyCode(t, sendRaw(t, nil, req), "AuthFailure.SignatureFailure")
		// The Host is part of what is signed.
		req = v1Call{}.build(t, e.srv.URL)
		req.Host = "vpc.tencentcloudapi.com"
		wantReplyCode(t, sendRaw(t, nil, req), "AuthFailure.SignatureFailure")
	})

	// Temporary credentials carry their token in the Token parameter.
	sdk := func(token string) error {
		c := newSDKClient(t, e.srv.URL, sdkConfig{ID: "AKIDtemporary", Key: "temp-key", Token: token,
			Profile: func(p *profile.ClientProfile) { p.SignMethod = "HmacSHA256" }})
		_, err := c.DescribeAddressQuota(vpc.NewDescribeAddressQuotaRequest())
		return err
	}
	wantCode(t, sdk(""), "AuthFailure.TokenFailure")
	wantCode(t, sdk("other"), "AuthFailure.TokenFailure")
	noError(t, sdk("tok"))
}

// A v1 POST may carry at most 1 MB; TC3 allows 10 MB.
func TestSignatureV1PostLimit(t *testing.T) {
	e := newEnv(t)
	big := strings.Repeat("x", 1<<20)
	r := e.v1(v1Call{Method: "POST", Action: "DescribeAddresses", Params: map[string]string{"Filters.0.Name": "address-name", "Filters.0.Values.0": big}})
	wantReplyCode(t, r, "RequestSizeLimitExceeded")
	r = e.v1(v1Call{Method: "POST", Action: "DescribeAddresses", Params: map[string]string{"Filters.0.Name": "address-name", "Filters.0.Values.0": big[:1000]}})
	wantReplyCode(t, r, "")
}

// TC3 on POST signs an empty canonical query, whatever the URL carries.
func TestTC3PostSignsAnEmptyQuery(t *testing.T) {
	e := newEnv(t)
	req := rawRequest{URL: e.srv.URL + "/?x=y"}.build(t, e.srv.URL) // tc3Sign uses the raw query
	wantReplyCode(t, sendRaw(t, nil, req), "AuthFailure.SignatureFailure")
	req = rawRequest{}.build(t, e.srv.URL) // signed over the empty query
	req.URL.RawQuery = "x=y"
	wantReplyCode(t, sendRaw(t, nil, req), "")
}

// What the Node.js SDK signs when its endpoint is 127.0.0.1:PORT: service "127" (the
// first label of the endpoint) and the host without its port.
func TestTC3AsTheNodeSDKSigns(t *testing.T) {
	e := newEnv(t)
	port := e.srv.URL[strings.LastIndex(e.srv.URL, ":")+1:]
	for _, tt := range []struct {
		name, service, host, code string
	}{
		{"Node.js SDK", "127", "127.0.0.1", ""},
		{"host with port, service 127", "127", "127.0.0.1:" + port, ""},
		{"host without port, service vpc", "vpc", "127.0.0.1", ""},
		{"another service", "cvm", "127.0.0.1", "AuthFailure.SignatureFailure"},
		{"another host", "127", "127.0.0.2", "AuthFailure.SignatureFailure"},
		{"another port", "vpc", "127.0.0.1:1", "AuthFailure.SignatureFailure"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantReplyCode(t, e.raw(rawRequest{Service: tt.service, SignedHost: tt.host}), tt.code)
		})
	}
	// Under a Tencent Cloud name the host names the service: the scope must be it, and
	// the action must be one of its.
	viaName := func(host, service string) apiReply {
		req := rawRequest{URL: "http://" + host + "/", Service: service}.build(t, e.srv.URL)
		req.URL.Scheme, req.URL.Host = "http", strings.TrimPrefix(e.srv.URL, "http://")
		req.Host = host
		return sendRaw(t, nil, req)
	}
	wantReplyCode(t, viaName("vpc.tencentcloudapi.com", "vpc"), "")
	wantReplyCode(t, viaName("vpc.tencentcloudapi.com", "cvm"), "AuthFailure.SignatureFailure")
	wantReplyCode(t, viaName("vpc.tencentcloudapi.com", "vpc-x"), "AuthFailure.SignatureFailure")
	wantReplyCode(t, viaName("cvm.tencentcloudapi.com", "cvm"), "InvalidAction") // a VPC action sent to CVM
}
