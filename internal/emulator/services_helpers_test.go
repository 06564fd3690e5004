package emulator_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// versions of the services, as the SDKs send them.
var versions = map[string]string{"vpc": "2017-03-12", "cvm": "2017-03-12", "sts": "2018-08-13"}

// common is the official SDK's common client on the emulator, signing with cred (nil:
// no credential, for unsigned requests).
func (e *env) common(cred common.CredentialIface, mutate ...func(*profile.ClientProfile)) *common.Client {
	cpf := profile.NewClientProfile()
	cpf.HttpProfile.Endpoint = strings.TrimPrefix(e.srv.URL, "http://")
	cpf.HttpProfile.Scheme = "http"
	cpf.HttpProfile.ReqTimeout = 10
	for _, m := range mutate {
		m(cpf)
	}
	return common.NewCommonClient(cred, emulator.DefaultRegion, cpf)
}

// commonIn is the common client with the default key, for another region.
func (e *env) commonIn(region string) *common.Client {
	cpf := profile.NewClientProfile()
	cpf.HttpProfile.Endpoint = strings.TrimPrefix(e.srv.URL, "http://")
	cpf.HttpProfile.Scheme = "http"
	return common.NewCommonClient(defaultCred(), region, cpf)
}

// defaultCred is the default world's key.
func defaultCred() common.CredentialIface {
	return common.NewCredential(emulator.DefaultSecretID, emulator.DefaultSecretKey)
}

// call sends an action of the service with the common client and decodes the Response
// object into out (if not nil).
func call(c *common.Client, service, action string, params map[string]any, out any) error {
	return send(c, tchttp.NewCommonRequest(service, versions[service], action), params, out)
}

// callUnsigned sends the action as the SDK sends unsigned actions: Authorization: SKIP.
func callUnsigned(c *common.Client, service, action string, params map[string]any, out any) error {
	req := tchttp.NewCommonRequest(service, versions[service], action)
	req.SetSkipSign(true)
	return send(c, req, params, out)
}

func send(c *common.Client, req *tchttp.CommonRequest, params map[string]any, out any) error {
	if params == nil {
		params = map[string]any{}
	}
	if err := req.SetActionParameters(params); err != nil {
		return err
	}
	resp := tchttp.NewCommonResponse()
	if err := c.Send(req, resp); err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	var env struct{ Response json.RawMessage }
	if err := json.Unmarshal(resp.GetBody(), &env); err != nil {
		return err
	}
	return json.Unmarshal(env.Response, out)
}

// stsCredentials is the response of AssumeRole and AssumeRoleWithWebIdentity.
type stsCredentials struct {
	Credentials struct{ Token, TmpSecretId, TmpSecretKey string }
	ExpiredTime int64
	Expiration  string
	RequestId   string
}

// credential is the temporary credential as the SDK takes it.
func (s stsCredentials) credential() common.CredentialIface {
	return common.NewTokenCredential(s.Credentials.TmpSecretId, s.Credentials.TmpSecretKey, s.Credentials.Token)
}

type callerIdentity struct {
	Arn, AccountId, UserId, PrincipalId, Type string
}

// assumeRole calls AssumeRole with the default key; params default to the default role.
func (e *env) assumeRole(params map[string]any) (stsCredentials, error) {
	if params == nil {
		params = map[string]any{}
	}
	if _, ok := params["RoleArn"]; !ok {
		params["RoleArn"] = emulator.DefaultRoleArn
	}
	if _, ok := params["RoleSessionName"]; !ok {
		params["RoleSessionName"] = "ci-session"
	}
	var out stsCredentials
	err := call(e.common(defaultCred()), "sts", "AssumeRole", params, &out)
	return out, err
}

func (e *env) mustAssumeRole(params map[string]any) stsCredentials {
	e.t.Helper()
	out, err := e.assumeRole(params)
	if err != nil {
		e.t.Fatalf("AssumeRole: %v", err)
	}
	return out
}

// callerOf calls GetCallerIdentity with cred.
func (e *env) callerOf(cred common.CredentialIface) (callerIdentity, error) {
	var out callerIdentity
	err := call(e.common(cred), "sts", "GetCallerIdentity", nil, &out)
	return out, err
}

// webToken mints a web identity token on the control surface.
func (e *env) webToken(body string) string {
	e.t.Helper()
	var out struct{ Token string }
	e.control("POST", "/_emulator/oidc/token", body, 200, &out)
	if out.Token == "" {
		e.t.Fatal("no token")
	}
	return out.Token
}

// webIdentityParams are AssumeRoleWithWebIdentity parameters for the default role.
func webIdentityParams(token string) map[string]any {
	return map[string]any{"ProviderId": "OIDC", "WebIdentityToken": token, "RoleArn": emulator.DefaultRoleArn,
		"RoleSessionName": "ci-oidc"}
}

// usableEverywhere checks that cred works on every service.
func (e *env) usableEverywhere(t *testing.T, cred common.CredentialIface) {
	t.Helper()
	c := e.common(cred)
	for _, sa := range [][2]string{{"vpc", "DescribeAddressQuota"}, {"cvm", "DescribeInstances"}, {"sts", "GetCallerIdentity"}} {
		if err := call(c, sa[0], sa[1], nil, nil); err != nil {
			t.Fatalf("%s %s with the credential: %v", sa[0], sa[1], err)
		}
	}
}

// refusedEverywhere checks that every service refuses cred with code.
func (e *env) refusedEverywhere(t *testing.T, cred common.CredentialIface, code string) {
	t.Helper()
	c := e.common(cred)
	for _, sa := range [][2]string{{"vpc", "DescribeAddressQuota"}, {"cvm", "DescribeInstances"}, {"sts", "GetCallerIdentity"}} {
		wantCode(t, call(c, sa[0], sa[1], nil, nil), code)
	}
}
