package emulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

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
	cred, err := roleArn.GetCredential()
	if err != nil {
		t.Fatalf("RoleArnProvider: %v", err)
	}
	e.usableEverywhere(t, cred)
	if who, err := e.callerOf(cred); err != nil || who.UserId != emulator.DefaultRoleID+":sdk-session" {
		t.Fatalf("GetCallerIdentity = %+v, %v", who, err)
	}

	oidc := common.NewOIDCRoleArnProvider(emulator.DefaultRegion, "OIDC", e.webToken(`{"ttl":"60s"}`), emulator.DefaultRoleArn, "sdk-oidc", 3600)
	oidc.Endpoint = endpoint
	cred, err = oidc.GetCredential()
	if err != nil {
		t.Fatalf("OIDCRoleArnProvider: %v", err)
	}
	e.usableEverywhere(t, cred)
	if who, err := e.callerOf(cred); err != nil || who.UserId != emulator.DefaultRoleID+":sdk-oidc" {
		t.Fatalf("GetCallerIdentity = %+v, %v", who, err)
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
