package emulator_test

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// A key answers its UIN: the account's own, or a sub-user's in the owner's account.
func TestGetCallerIdentityOfAKey(t *testing.T) {
	w := emulator.DefaultWorld()
	w.Keys = append(w.Keys, emulator.Key{SecretID: "AKIDsubUser", SecretKey: "sub-key", AccountID: "100000000001", UIN: "100000000777"})
	e := newEnv(t, func(o *emulator.Options) { o.World, o.Credentials = w, nil })
	for _, tt := range []struct {
		cred common.CredentialIface
		uin  string
	}{{defaultCred(), "100000000001"}, {common.NewCredential("AKIDsubUser", "sub-key"), "100000000777"}} {
		got, err := e.callerOf(tt.cred)
		noError(t, err)
		want := callerIdentity{Arn: "qcs::cam::uin/100000000001:uin/" + tt.uin, AccountId: "100000000001",
			UserId: tt.uin, PrincipalId: tt.uin, Type: "CAMUser"}
		if got != want {
			t.Fatalf("GetCallerIdentity = %+v, want %+v", got, want)
		}
	}
}

func TestAssumeRoleIssuesCredentialsForEveryService(t *testing.T) {
	e := newEnv(t)
	creds := e.mustAssumeRole(map[string]any{"RoleSessionName": "ci-run-1", "DurationSeconds": 3600})
	if creds.ExpiredTime != testEpoch.Unix()+3600 {
		t.Fatalf("ExpiredTime = %d, want now + 3600 = %d", creds.ExpiredTime, testEpoch.Unix()+3600)
	}
	if creds.Expiration != testEpoch.Add(time.Hour).UTC().Format(time.RFC3339) || !strings.HasSuffix(creds.Expiration, "Z") {
		t.Fatalf("Expiration = %q, want RFC 3339 UTC of now + 1h", creds.Expiration)
	}
	c := creds.Credentials
	if c.Token == "" || c.TmpSecretId == "" || c.TmpSecretKey == "" || c.TmpSecretId == emulator.DefaultSecretID {
		t.Fatalf("Credentials = %+v", c)
	}
	e.usableEverywhere(t, creds.credential())

	who, err := e.callerOf(creds.credential())
	noError(t, err)
	want := callerIdentity{Arn: "qcs::sts:100000000001:assumed-role/" + emulator.DefaultRoleID, AccountId: "100000000001",
		UserId: emulator.DefaultRoleID + ":ci-run-1", PrincipalId: "100000000001", Type: "CAMRole"}
	if who != want {
		t.Fatalf("GetCallerIdentity of the role = %+v, want %+v", who, want)
	}

	// Signature v1 carries the token in Token.
	v1 := e.common(creds.credential(), func(p *profile.ClientProfile) { p.SignMethod = "HmacSHA256" })
	if err := call(v1, "vpc", "DescribeAddressQuota", nil, nil); err != nil {
		t.Fatalf("v1 with the temporary credential: %v", err)
	}

	// The default duration is 7200 s; the role name and id forms of the ARN both work.
	d := e.mustAssumeRole(map[string]any{"RoleArn": "qcs::cam::uin/100000000001:role/" + emulator.DefaultRoleID})
	if d.ExpiredTime != testEpoch.Unix()+7200 {
		t.Fatalf("default ExpiredTime = %d, want now + 7200", d.ExpiredTime)
	}
	// A temporary credential may itself call AssumeRole.
	var chained stsCredentials
	if err := call(e.common(creds.credential()), "sts", "AssumeRole", map[string]any{
		"RoleArn": emulator.DefaultRoleArn, "RoleSessionName": "chained"}, &chained); err != nil {
		t.Fatalf("AssumeRole with a temporary credential: %v", err)
	}
	if got := e.emu.Snapshot().Sessions; len(got) != 3 {
		t.Fatalf("the world holds %d sessions, want 3", len(got))
	}
}

// Temporary keys are tied to their token and expire on the emulator clock; the
// sessionLifetime setting caps what is granted.
func TestTemporaryCredentialsExpire(t *testing.T) {
	e := newEnv(t, func(o *emulator.Options) { o.Settings.SessionLifetime = "10s" })
	creds := e.mustAssumeRole(map[string]any{"DurationSeconds": 7200})
	if creds.ExpiredTime != testEpoch.Unix()+10 {
		t.Fatalf("ExpiredTime = %d, want now + 10 (capped by sessionLifetime)", creds.ExpiredTime)
	}
	other := e.mustAssumeRole(nil)
	c := creds.Credentials

	e.refusedEverywhere(t, common.NewCredential(c.TmpSecretId, c.TmpSecretKey), "AuthFailure.TokenFailure")
	e.refusedEverywhere(t, common.NewTokenCredential(c.TmpSecretId, c.TmpSecretKey, c.Token+"x"), "AuthFailure.TokenFailure")
	e.refusedEverywhere(t, common.NewTokenCredential(c.TmpSecretId, c.TmpSecretKey, other.Credentials.Token), "AuthFailure.TokenFailure")
	e.refusedEverywhere(t, common.NewTokenCredential(c.TmpSecretId, c.TmpSecretKey+"x", c.Token), "AuthFailure.SignatureFailure")
	e.refusedEverywhere(t, common.NewTokenCredential("AKIDnotIssued", c.TmpSecretKey, c.Token), "AuthFailure.SecretIdNotFound")

	e.emu.AdvanceClock(9 * time.Second)
	e.usableEverywhere(t, creds.credential())
	e.emu.AdvanceClock(time.Second)
	e.refusedEverywhere(t, creds.credential(), "AuthFailure.TokenFailure")
	v1 := e.common(creds.credential(), func(p *profile.ClientProfile) { p.SignMethod = "HmacSHA1" })
	wantCode(t, call(v1, "vpc", "DescribeAddressQuota", nil, nil), "AuthFailure.TokenFailure")

	// Lifting the cap: the requested duration is granted again.
	e.control("POST", "/_emulator/settings", `{"sessionLifetime":"none"}`, 200, nil)
	if got := e.mustAssumeRole(map[string]any{"DurationSeconds": 900}); got.ExpiredTime != e.emu.Now().Unix()+900 {
		t.Fatalf("ExpiredTime = %d, want now + 900", got.ExpiredTime)
	}
}

func TestAssumeRoleRules(t *testing.T) {
	shortRole := emulator.DefaultWorld()
	shortRole.Roles[0].SessionDuration = 3600
	policy := func(doc string) string { return url.QueryEscape(doc) }
	tags := func(n int) []map[string]string {
		out := make([]map[string]string, n)
		for i := range out {
			out[i] = map[string]string{"Key": fmt.Sprintf("k%d", i), "Value": "v"}
		}
		return out
	}
	valid := `{"version":"2.0","statement":[{"effect":"allow","action":["vpc:Describe*"],"resource":"*"}]}`
	for _, tt := range []struct {
		name   string
		world  *emulator.World
		params map[string]any
		code   string
	}{
		{"no RoleArn", nil, map[string]any{"RoleArn": ""}, "MissingParameter"},
		{"no RoleSessionName", nil, map[string]any{"RoleSessionName": ""}, "MissingParameter"},
		{"session name too short", nil, map[string]any{"RoleSessionName": "a"}, "InvalidParameter.ParamError"},
		{"session name too long", nil, map[string]any{"RoleSessionName": strings.Repeat("a", 129)}, "InvalidParameter.ParamError"},
		{"session name with a space", nil, map[string]any{"RoleSessionName": "ci run"}, "InvalidParameter.ParamError"},
		{"not a role ARN", nil, map[string]any{"RoleArn": "arn:aws:iam::123456789012:role/x"}, "InvalidParameter.ParamError"},
		{"role id not a number", nil, map[string]any{"RoleArn": "qcs::cam::uin/100000000001:role/terraform-ci"}, "InvalidParameter.ParamError"},
		{"unknown role name", nil, map[string]any{"RoleArn": "qcs::cam::uin/100000000001:roleName/nobody"}, "ResourceNotFound.RoleNotFound"},
		{"unknown role id", nil, map[string]any{"RoleArn": "qcs::cam::uin/100000000001:role/12345"}, "ResourceNotFound.RoleNotFound"},
		{"another account", nil, map[string]any{"RoleArn": "qcs::cam::uin/100000000002:roleName/terraform-ci"}, "ResourceNotFound.RoleNotFound"},
		{"service role form of a plain role", nil, map[string]any{
			"RoleArn": "qcs::cam::uin/100000000001:role/tencentcloudServiceRoleName/terraform-ci"}, "ResourceNotFound.RoleNotFound"},
		{"duration over 43200", nil, map[string]any{"DurationSeconds": 43201}, "InvalidParameter.OverTimeError"},
		{"duration zero", nil, map[string]any{"DurationSeconds": 0}, "InvalidParameter.ParamError"},
		{"duration negative", nil, map[string]any{"DurationSeconds": -1}, "InvalidParameter"},
		{"duration over the role's", shortRole, map[string]any{"DurationSeconds": 3601}, "InvalidParameter.OverTimeError"},
		{"external id malformed", nil, map[string]any{"ExternalId": "x"}, "InvalidParameter.ParamError"},
		{"external id missing", nil, map[string]any{"RoleArn": "qcs::cam::uin/100000000001:roleName/terraform-ci-external"}, "UnauthorizedOperation"},
		{"external id wrong", nil, map[string]any{"RoleArn": "qcs::cam::uin/100000000001:roleName/terraform-ci-external",
			"ExternalId": "someone-else"}, "UnauthorizedOperation"},
		{"role does not trust the account", nil, map[string]any{"RoleArn": "qcs::cam::uin/100000000001:roleName/cvm-terraform"}, "UnauthorizedOperation"},
		{"policy not URL-encoded", nil, map[string]any{"Policy": "%zz"}, "InvalidParameter.StrategyFormatError"},
		{"policy not JSON", nil, map[string]any{"Policy": policy("allow everything")}, "InvalidParameter.StrategyFormatError"},
		{"policy without version", nil, map[string]any{"Policy": policy(`{"statement":[{"effect":"allow","action":"*","resource":"*"}]}`)}, "InvalidParameter.StrategyFormatError"},
		{"policy statement without effect", nil, map[string]any{"Policy": policy(`{"version":"2.0","statement":{"action":"*","resource":"*"}}`)}, "InvalidParameter.StrategyFormatError"},
		{"policy with a principal", nil, map[string]any{"Policy": policy(`{"version":"2.0","statement":[{"effect":"allow","action":"*","resource":"*","principal":{"qcs":["*"]}}]}`)}, "InvalidParameter.StrategyInvalid"},
		{"policy too long", nil, map[string]any{"Policy": policy(`{"version":"2.0","statement":[{"effect":"allow","action":"*","resource":"` + strings.Repeat("x", 7000) + `"}]}`)}, "InvalidParameter.PolicyTooLong"},
		{"51 tags", nil, map[string]any{"Tags": tags(51)}, "InvalidParameter.ParamError"},
		{"duplicate tag keys", nil, map[string]any{"Tags": []map[string]string{{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}}}, "InvalidParameter.ParamError"},
		{"tag key too long", nil, map[string]any{"Tags": []map[string]string{{"Key": strings.Repeat("k", 129), "Value": "1"}}}, "InvalidParameter.ParamError"},
		{"tag without value", nil, map[string]any{"Tags": []map[string]string{{"Key": "a"}}}, "InvalidParameter.ParamError"},
		{"tag with another field", nil, map[string]any{"Tags": []map[string]string{{"Key": "a", "Value": "1", "Color": "red"}}}, "UnknownParameter"},
		{"MFA of another type", nil, map[string]any{"SerialNumber": "qcs::cam:uin/100000000001::mfa/hardToken", "TokenCode": "123456"}, "FailedOperation.MFATypeNotSupported"},
		{"MFA check", nil, map[string]any{"SerialNumber": "qcs::cam:uin/100000000001::mfa/softToken", "TokenCode": "123456"}, "FailedOperation.CheckMFAError"},
		{"unknown parameter", nil, map[string]any{"Color": "red"}, "UnknownParameter"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(o *emulator.Options) { o.World = tt.world })
			e.unchanged(func() { wantCode(t, errOf(e.assumeRole(tt.params)), tt.code) })
		})
	}

	e := newEnv(t)
	for name, params := range map[string]map[string]any{
		"external id":       {"RoleArn": "qcs::cam::uin/100000000001:roleName/terraform-ci-external", "ExternalId": emulator.DefaultExternalID},
		"valid policy":      {"Policy": policy(valid)},
		"50 tags":           {"Tags": tags(50)},
		"every name rune":   {"RoleSessionName": "a+b=c,d.e@f_g-h"},
		"43200 seconds":     {"DurationSeconds": 43200},
		"source identity":   {"SourceIdentity": "100000000001"},
		"the role's length": {"DurationSeconds": 3600},
	} {
		if _, err := e.assumeRole(params); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// AssumeRole also comes as a TC3 GET and as signature v1 (GET and form POST); Tags are
// flattened as Tags.N.Key. (The SDK's common client sends JSON POST only.)
func TestAssumeRoleOverEveryTransport(t *testing.T) {
	e := newEnv(t)
	params := map[string]string{"RoleArn": emulator.DefaultRoleArn, "RoleSessionName": "transport",
		"DurationSeconds": "900", "Tags.0.Key": "team", "Tags.0.Value": "infra"}
	query := url.Values{}
	for k, v := range params {
		query.Set(k, v)
	}
	replies := map[string]apiReply{
		"TC3 GET": e.raw(rawRequest{Method: "GET", Action: "AssumeRole", Version: "2018-08-13", Service: "sts",
			URL: e.srv.URL + "/?" + query.Encode()}),
		"v1 GET":  e.v1(v1Call{Action: "AssumeRole", Version: "2018-08-13", Params: params}),
		"v1 POST": e.v1(v1Call{Method: "POST", Action: "AssumeRole", Version: "2018-08-13", Params: params, SignatureMethod: "HmacSHA256"}),
	}
	for name, r := range replies {
		wantReplyCode(t, r, "")
		var expired int64
		mustUnmarshal(t, r.Response["ExpiredTime"], &expired)
		if expired != testEpoch.Unix()+900 {
			t.Fatalf("%s: ExpiredTime %d", name, expired)
		}
	}
	query.Set("Tags.0.Colour", "red")
	bad := e.raw(rawRequest{Method: "GET", Action: "AssumeRole", Version: "2018-08-13", Service: "sts", URL: e.srv.URL + "/?" + query.Encode()})
	wantReplyCode(t, bad, "UnknownParameter")
}

func TestAssumeRoleWithWebIdentity(t *testing.T) {
	e := newEnv(t)
	token := e.webToken(`{"ttl":"60s"}`)

	// Unsigned, as the SDK sends it: Authorization SKIP, no credential, no token.
	var creds stsCredentials
	if err := callUnsigned(e.common(nil), "sts", "AssumeRoleWithWebIdentity", webIdentityParams(token), &creds); err != nil {
		t.Fatalf("unsigned AssumeRoleWithWebIdentity: %v", err)
	}
	if creds.ExpiredTime != testEpoch.Unix()+7200 || creds.Expiration != testEpoch.Add(2*time.Hour).Format(time.RFC3339) {
		t.Fatalf("ExpiredTime %d, Expiration %q", creds.ExpiredTime, creds.Expiration)
	}
	e.usableEverywhere(t, creds.credential())
	who, err := e.callerOf(creds.credential())
	noError(t, err)
	if who.Type != "CAMRole" || who.UserId != emulator.DefaultRoleID+":ci-oidc" || who.AccountId != emulator.DefaultAccountID {
		t.Fatalf("GetCallerIdentity = %+v", who)
	}

	// A signed request is verified and accepted too (the Node.js SDK's typed client signs it).
	if err := call(e.common(defaultCred()), "sts", "AssumeRoleWithWebIdentity", webIdentityParams(token), nil); err != nil {
		t.Fatalf("signed AssumeRoleWithWebIdentity: %v", err)
	}
	// Signature v1 without any signature parameter.
	r := e.raw(rawRequest{Method: "GET", Authorization: "-", Action: "-", Version: "-", Region: "-", URL: e.srv.URL + "/?" + url.Values{
		"Action": {"AssumeRoleWithWebIdentity"}, "Version": {"2018-08-13"}, "Region": {"ap-guangzhou"},
		"ProviderId": {"OIDC"}, "WebIdentityToken": {token}, "RoleArn": {emulator.DefaultRoleArn}, "RoleSessionName": {"v1"},
	}.Encode()})
	wantReplyCode(t, r, "")

	// The token never shows in the request log.
	for _, rec := range e.emu.Requests("AssumeRoleWithWebIdentity") {
		if strings.Contains(string(rec.Body), token) || !strings.Contains(string(rec.Body), "redacted") {
			t.Fatalf("the request log shows %s", rec.Body)
		}
	}

	// Only the documented unsigned actions go without a signature.
	wantCode(t, callUnsigned(e.common(nil), "sts", "AssumeRole", map[string]any{"RoleArn": emulator.DefaultRoleArn, "RoleSessionName": "x1"}, nil),
		"AuthFailure.InvalidAuthorization")
	wantCode(t, callUnsigned(e.common(nil), "sts", "GetCallerIdentity", nil, nil), "AuthFailure.InvalidAuthorization")
	wantCode(t, callUnsigned(e.common(nil), "vpc", "DescribeAddresses", nil, nil), "AuthFailure.InvalidAuthorization")
}

func TestAssumeRoleWithWebIdentityRules(t *testing.T) {
	other := emulator.DefaultWorld()
	other.OIDCProviders = append(other.OIDCProviders, emulator.OIDCProvider{ProviderID: "OTHER", AccountID: "100000000001",
		Issuer: "https://other.example", SigningKey: "another-key"})
	// Each case mints a token with tokenBody ("{}" if empty), which token may change, and
	// sets the parameters of override (nil removes one).
	for _, tt := range []struct {
		name      string
		world     *emulator.World
		tokenBody string
		token     func(e *env, minted string) string
		override  map[string]any
		code      string
	}{
		{name: "expired token", tokenBody: `{"ttl":"60s"}`, token: func(e *env, minted string) string {
			e.emu.AdvanceClock(time.Minute)
			return minted
		}, code: "InvalidParameter.WebIdentityTokenError"},
		{name: "tampered token", tokenBody: `{"ttl":"60s"}`, token: func(_ *env, minted string) string {
			parts := strings.Split(minted, ".")
			return parts[0] + "." + parts[1] + "x." + parts[2]
		}, code: "InvalidParameter.WebIdentityTokenError"},
		{name: "tampered signature", tokenBody: `{"ttl":"60s"}`, token: func(_ *env, minted string) string { return minted[:len(minted)-2] + "AA" },
			code: "InvalidParameter.WebIdentityTokenError"},
		{name: "not a JWT", override: map[string]any{"WebIdentityToken": "opaque"}, code: "InvalidParameter.WebIdentityTokenError"},
		{name: "token of another provider", world: other, tokenBody: `{"ttl":"60s","provider":"OTHER"}`, code: "InvalidParameter.WebIdentityTokenError"},
		{name: "another audience", tokenBody: `{"audience":"someone-else"}`, code: "InvalidParameter.WebIdentityTokenError"},
		{name: "unknown provider", override: map[string]any{"ProviderId": "NOPE"}, code: "InvalidParameter.WebIdentityTokenError"},
		{name: "unknown role", override: map[string]any{"RoleArn": "qcs::cam::uin/100000000001:roleName/nobody"}, code: "InternalError.GetRoleError"},
		{name: "role does not trust the provider", override: map[string]any{"RoleArn": "qcs::cam::uin/100000000001:roleName/terraform-ci-external"},
			code: "UnauthorizedOperation"},
		{name: "duration over 43200", override: map[string]any{"DurationSeconds": 43201}, code: "InvalidParameter.ParamError"},
		{name: "malformed role ARN", override: map[string]any{"RoleArn": "terraform-ci"}, code: "InvalidParameter.ParamError"},
		{name: "no token", override: map[string]any{"WebIdentityToken": ""}, code: "MissingParameter"},
		{name: "no session name", override: map[string]any{"RoleSessionName": nil}, code: "MissingParameter"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(o *emulator.Options) { o.World = tt.world })
			tt.tokenBody = cmp.Or(tt.tokenBody, "{}")
			token := e.webToken(tt.tokenBody)
			if tt.token != nil {
				token = tt.token(e, token)
			}
			params := webIdentityParams(token)
			for name, value := range tt.override {
				if value == nil {
					delete(params, name)
				} else {
					params[name] = value
				}
			}
			e.unchanged(func() {
				wantCode(t, callUnsigned(e.common(nil), "sts", "AssumeRoleWithWebIdentity", params, nil), tt.code)
			})
		})
	}
}

func TestOIDCTokenControl(t *testing.T) {
	e := newEnv(t)
	e.control("POST", "/_emulator/oidc/token", `{"provider":"NOPE"}`, 404, nil)
	e.control("POST", "/_emulator/oidc/token", `{"ttl":"-1s"}`, 400, nil)
	e.control("POST", "/_emulator/oidc/token", `{"ttl":"soon"}`, 400, nil)
	e.control("POST", "/_emulator/oidc/token", `{"colour":"red"}`, 400, nil)
	_, err := e.emu.WebIdentityToken(emulator.WebIdentityTokenRequest{Provider: "OIDC", Subject: "repo:x"})
	noError(t, err)
}

// The credential scope must name the service of the action; the version must be that
// service's.
func TestServicesShareOneAddress(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct {
		name string
		rr   rawRequest
		code string
	}{
		{"sts signed for sts", rawRequest{Action: "GetCallerIdentity", Version: "2018-08-13", Service: "sts"}, ""},
		{"sts signed as the Node.js SDK on loopback", rawRequest{Action: "GetCallerIdentity", Version: "2018-08-13", Service: "127"}, ""},
		{"sts signed for vpc", rawRequest{Action: "GetCallerIdentity", Version: "2018-08-13", Service: "vpc"}, "AuthFailure.SignatureFailure"},
		{"vpc signed for sts", rawRequest{Action: "DescribeAddressQuota", Service: "sts"}, "AuthFailure.SignatureFailure"},
		{"cvm signed for cvm", rawRequest{Action: "DescribeInstances", Service: "cvm"}, ""},
		{"cvm signed for vpc", rawRequest{Action: "DescribeInstances", Service: "vpc"}, "AuthFailure.SignatureFailure"},
		{"sts with the VPC version", rawRequest{Action: "GetCallerIdentity", Service: "sts"}, "NoSuchVersion"},
		{"vpc with the STS version", rawRequest{Version: "2018-08-13"}, "NoSuchVersion"},
		{"unknown action, any service", rawRequest{Action: "CreateRole", Version: "2018-08-13", Service: "sts"}, "InvalidAction"},
		{"sts without a region", rawRequest{Action: "GetCallerIdentity", Version: "2018-08-13", Service: "sts", Region: "-"}, "MissingParameter"},
	} {
		t.Run(tt.name, func(t *testing.T) { wantReplyCode(t, e.raw(tt.rr), tt.code) })
	}
	s := e.emu.Stats()
	if s.Calls["GetCallerIdentity"] != 4 || s.Errors["GetCallerIdentity"]["NoSuchVersion"] != 1 || s.Calls["DescribeInstances"] != 1 || s.Calls["CreateRole"] != 1 {
		t.Fatalf("stats = %s", mustJSON(s))
	}
}

func TestSTSAndCVMFaultsAndRateLimits(t *testing.T) {
	e := newEnv(t, func(o *emulator.Options) { o.RateLimit = emulator.DocumentedRateLimit() })
	mustInject(t, e, emulator.Fault{Action: "GetCallerIdentity", Kind: emulator.FaultError, Code: "InternalError.GetSeedTokenError", Count: 1})
	wantCode(t, errOf(e.callerOf(defaultCred())), "InternalError.GetSeedTokenError")
	mustInject(t, e, emulator.Fault{Action: "AssumeRole", Kind: emulator.FaultThrottle, Count: 1})
	wantCode(t, errOf(e.assumeRole(nil)), "InvalidParameter.OverLimit")
	mustInject(t, e, emulator.Fault{Action: "DescribeInstances", Kind: emulator.FaultError, Code: "InternalServerError", Count: 1})
	wantCode(t, call(e.common(defaultCred()), "cvm", "DescribeInstances", nil, nil), "InternalServerError")

	// Documented rates on a frozen clock: GetCallerIdentity 20/s, DescribeInstances 40/s.
	for i := 0; i < 20; i++ {
		if _, err := e.callerOf(defaultCred()); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	wantCode(t, errOf(e.callerOf(defaultCred())), "RequestLimitExceeded")
	for i := 0; i < 40; i++ {
		if err := call(e.common(defaultCred()), "cvm", "DescribeInstances", nil, nil); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	wantCode(t, call(e.common(defaultCred()), "cvm", "DescribeInstances", nil, nil), "RequestLimitExceeded")
	// AssumeRole answers its own throttling code.
	noError(t, e.emu.SetRateLimit(emulator.RateLimit{Actions: map[string]float64{"AssumeRole": 1}}))
	e.mustAssumeRole(nil)
	wantCode(t, errOf(e.assumeRole(nil)), "InvalidParameter.OverLimit")
	s := e.emu.Stats()
	if s.Errors["AssumeRole"]["InvalidParameter.OverLimit"] != 2 || s.Errors["GetCallerIdentity"]["RequestLimitExceeded"] != 1 {
		t.Fatalf("stats = %s", mustJSON(s))
	}
}

// Issued credentials persist with -state: they still work after a restart.
func TestSessionsPersist(t *testing.T) {
	path := t.TempDir() + "/state.json"
	e := newEnv(t, func(o *emulator.Options) { o.StatePath = path })
	creds := e.mustAssumeRole(nil)
	again := newEnv(t, func(o *emulator.Options) { o.StatePath = path })
	again.usableEverywhere(t, creds.credential())
	if !reflect.DeepEqual(e.emu.Snapshot().Sessions, again.emu.Snapshot().Sessions) {
		t.Fatal("the sessions differ after a restart")
	}
	// Reset forgets them: the key is unknown again.
	again.emu.Reset()
	again.refusedEverywhere(t, creds.credential(), "AuthFailure.SecretIdNotFound")
}

func TestDefaultWorldIdentities(t *testing.T) {
	w := emulator.DefaultWorld()
	if len(w.Accounts) != 1 || w.Accounts[0].AccountID != "100000000001" {
		t.Fatalf("accounts = %+v", w.Accounts)
	}
	if len(w.Keys) != 1 || w.Keys[0] != (emulator.Key{SecretID: "AKIDqcloudEmulator", SecretKey: "qcloud-emulator-secret", AccountID: "100000000001"}) {
		t.Fatalf("keys = %+v", w.Keys)
	}
	roles := map[string]emulator.Role{}
	for _, r := range w.Roles {
		roles[r.RoleName] = r
	}
	if r := roles["terraform-ci"]; r.ExternalID != "" || len(r.TrustedOIDCProviders) != 1 || r.TrustedOIDCProviders[0] != "OIDC" {
		t.Fatalf("terraform-ci = %+v", r)
	}
	if r := roles["terraform-ci-external"]; r.ExternalID != "qcloud-emulator-external" {
		t.Fatalf("terraform-ci-external = %+v", r)
	}
	if _, ok := roles["cvm-terraform"]; !ok || w.Instances[0].CamRoleName != "cvm-terraform" {
		t.Fatal("cvm-terraform is not attached to ins-demo0001")
	}
	if len(w.OIDCProviders) != 1 || w.OIDCProviders[0].ProviderID != "OIDC" {
		t.Fatalf("providers = %+v", w.OIDCProviders)
	}
}

// World files written before accounts existed get the default account and key.
func TestWorldFileWithoutIdentities(t *testing.T) {
	const file = `{"region":"ap-guangzhou","instances":[{"instanceId":"ins-aaaa0001","state":"RUNNING","primaryNetworkInterfaceId":"eni-aaaa0001"}],
		"networkInterfaces":[{"networkInterfaceId":"eni-aaaa0001","instanceId":"ins-aaaa0001","primary":true,"privateIps":[{"address":"10.1.0.1","primary":true}]}],
		"addresses":[],"quotas":[]}`
	w, err := emulator.ParseWorld([]byte(file))
	noError(t, err)
	if len(w.Accounts) != 1 || len(w.Keys) != 1 || w.Keys[0].SecretID != emulator.DefaultSecretID || len(w.Roles) != 0 {
		t.Fatalf("identities = %+v %+v %+v", w.Accounts, w.Keys, w.Roles)
	}
	e := newEnv(t, func(o *emulator.Options) { o.World, o.Credentials = w, nil })
	if who, err := e.callerOf(defaultCred()); err != nil || who.AccountId != emulator.DefaultAccountID {
		t.Fatalf("GetCallerIdentity = %+v, %v", who, err)
	}
	// No role attached to the metadata instance: nothing to serve.
	if status, _ := e.metadata(rolePath); status != 404 {
		t.Fatalf("listing = %d", status)
	}
}

// The world's keys are the credentials, unless Options.Credentials replaces them.
func TestKeysFromTheWorldOrTheOptions(t *testing.T) {
	w := emulator.DefaultWorld()
	w.Accounts = append(w.Accounts, emulator.Account{AccountID: "200000000002"})
	w.Keys = append(w.Keys, emulator.Key{SecretID: "AKIDsecond", SecretKey: "second-key", AccountID: "200000000002"})
	e := newEnv(t, func(o *emulator.Options) { o.World, o.Credentials = w, nil })
	if who, err := e.callerOf(common.NewCredential("AKIDsecond", "second-key")); err != nil || who.AccountId != "200000000002" {
		t.Fatalf("GetCallerIdentity = %+v, %v", who, err)
	}
	// A role of account 100000000001 does not trust account 200000000002.
	var out stsCredentials
	err := call(e.common(common.NewCredential("AKIDsecond", "second-key")), "sts", "AssumeRole",
		map[string]any{"RoleArn": emulator.DefaultRoleArn, "RoleSessionName": "cross"}, &out)
	wantCode(t, err, "UnauthorizedOperation")

	e = newEnv(t, func(o *emulator.Options) {
		o.World = w
		o.Credentials = []emulator.Credential{{SecretID: "AKIDfromOptions", SecretKey: "k"}}
	})
	wantCode(t, errOf(e.callerOf(defaultCred())), "AuthFailure.SecretIdNotFound")
	if who, err := e.callerOf(common.NewCredential("AKIDfromOptions", "k")); err != nil || who.AccountId != emulator.DefaultAccountID {
		t.Fatalf("GetCallerIdentity = %+v, %v", who, err)
	}
	// A fixed token makes the key temporary.
	e = newEnv(t, func(o *emulator.Options) {
		o.Credentials = []emulator.Credential{{SecretID: "AKIDfixed", SecretKey: "k", Token: "fixed-token"}}
	})
	wantCode(t, errOf(e.callerOf(common.NewCredential("AKIDfixed", "k"))), "AuthFailure.TokenFailure")
	e.usableEverywhere(t, common.NewTokenCredential("AKIDfixed", "k", "fixed-token"))
}

func TestWorldIdentitiesAreChecked(t *testing.T) {
	for name, mutate := range map[string]func(w *emulator.World){
		"account not a UIN":       func(w *emulator.World) { w.Accounts[0].AccountID = "acct" },
		"account twice":           func(w *emulator.World) { w.Accounts = append(w.Accounts, w.Accounts[0]) },
		"key of no account":       func(w *emulator.World) { w.Keys[0].AccountID = "100000000009" },
		"key without a secret":    func(w *emulator.World) { w.Keys[0].SecretKey = "" },
		"key id with a slash":     func(w *emulator.World) { w.Keys[0].SecretID = "AKID/x" },
		"key twice":               func(w *emulator.World) { w.Keys = append(w.Keys, w.Keys[0]) },
		"role id not a number":    func(w *emulator.World) { w.Roles[0].RoleID = "role-1" },
		"role name with a space":  func(w *emulator.World) { w.Roles[0].RoleName = "terraform ci" },
		"role of no account":      func(w *emulator.World) { w.Roles[0].AccountID = "100000000009" },
		"role name twice":         func(w *emulator.World) { w.Roles[1].RoleName = w.Roles[0].RoleName },
		"role trusts no provider": func(w *emulator.World) { w.Roles[0].TrustedOIDCProviders = []string{"NOPE"} },
		"role session too long":   func(w *emulator.World) { w.Roles[0].SessionDuration = 43201 },
		"external id malformed":   func(w *emulator.World) { w.Roles[1].ExternalID = "x" },
		"provider without a key":  func(w *emulator.World) { w.OIDCProviders[0].SigningKey = "" },
		"instance role unknown":   func(w *emulator.World) { w.Instances[0].CamRoleName = "nobody" },
		"instance state unknown":  func(w *emulator.World) { w.Instances[0].State = "SLEEPING" },
		"session without a token": func(w *emulator.World) { w.Sessions = []emulator.Session{{TmpSecretID: "AKIDx", TmpSecretKey: "k"}} },
		"session expiring at issue": func(w *emulator.World) {
			w.Sessions = []emulator.Session{{TmpSecretID: "AKIDx", TmpSecretKey: "k", Token: "t"}}
		},
		"setting sessionLifetime":  func(w *emulator.World) { w.Settings.SessionLifetime = "soon" },
		"setting metadataInstance": func(w *emulator.World) { w.Settings.MetadataInstance = "i-1" },
	} {
		t.Run(name, func(t *testing.T) {
			w := emulator.DefaultWorld()
			mutate(w)
			b, _ := json.Marshal(w)
			if _, err := emulator.ParseWorld(b); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	// A session the world file carries works.
	w := emulator.DefaultWorld()
	w.Sessions = []emulator.Session{{TmpSecretID: "AKIDfromFile", TmpSecretKey: "k", Token: "t", Kind: "assume-role",
		AccountID: "100000000001", RoleID: emulator.DefaultRoleID, RoleName: "terraform-ci", SessionName: "file",
		PrincipalID: "100000000001", IssuedAt: testEpoch, ExpiresAt: testEpoch.Add(time.Hour)}}
	b, _ := json.Marshal(w)
	parsed, err := emulator.ParseWorld(b)
	noError(t, err)
	e := newEnv(t, func(o *emulator.Options) { o.World = parsed })
	who, err := e.callerOf(common.NewTokenCredential("AKIDfromFile", "k", "t"))
	if err != nil || !strings.HasSuffix(who.UserId, ":file") {
		t.Fatalf("GetCallerIdentity = %+v, %v", who, err)
	}
}
