package emulator_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	vpc "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc/v20170312"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

func TestHandSignedRequestIsAccepted(t *testing.T) {
	e := newEnv(t)
	r := e.raw(rawRequest{})
	wantReplyCode(t, r, "")
	if _, ok := r.Response["QuotaSet"]; !ok {
		t.Fatalf("no QuotaSet in %s", r.Raw)
	}
}

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
		_, err = unknown.disassociate("eip-demo0002", false)
		wantCode(t, err, "AuthFailure.SecretIdNotFound")
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
		if _, err := c.DescribeAddressQuota(vpc.NewDescribeAddressQuotaRequest()); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("SDK with GET", func(t *testing.T) {
		c := newSDKClient(t, e.srv.URL, sdkConfig{Profile: func(p *profile.ClientProfile) { p.HttpProfile.ReqMethod = "GET" }})
		if _, err := c.DescribeAddressQuota(vpc.NewDescribeAddressQuotaRequest()); err != nil {
			t.Fatal(err)
		}
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
