package emulator_test

import (
	"bytes"
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	vpc "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc/v20170312"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// testEpoch is the frozen base of the emulator clock in most tests: 20:00 in UTC+8, so a
// few hours of AdvanceClock cross the daily-quota midnight.
var testEpoch = time.Date(2030, 6, 15, 12, 0, 0, 0, time.UTC)

// env is an emulator behind an httptest server, with an official SDK client on it.
type env struct {
	t   *testing.T
	emu *emulator.Emulator
	srv *httptest.Server
	vpc *vpc.Client
}

// newEnv starts an emulator with the default options, but no rate limits and a frozen
// clock (tasks finish only when the test advances it), then applies the mutators. It
// stops when the test ends.
func newEnv(t *testing.T, mutate ...func(*emulator.Options)) *env {
	t.Helper()
	e, stop := startEnv(t, mutate...)
	t.Cleanup(stop)
	return e
}

// startEnv is newEnv that the test stops itself (stop closes the emulator, which writes
// its state file a last time), as a restart needs.
func startEnv(t *testing.T, mutate ...func(*emulator.Options)) (e *env, stop func()) {
	t.Helper()
	opts := emulator.DefaultOptions()
	opts.RateLimit = emulator.RateLimit{}
	opts.Now = func() time.Time { return testEpoch }
	for _, m := range mutate {
		m(&opts)
	}
	emu, err := emulator.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(emu)
	return &env{t: t, emu: emu, srv: srv, vpc: newSDKClient(t, srv.URL, sdkConfig{})}, func() {
		srv.Close()
		if err := emu.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
}

// savedWorld reads the world from a state file.
func savedWorld(t *testing.T, path string) *emulator.World {
	t.Helper()
	b, err := os.ReadFile(path)
	noError(t, err)
	w, err := emulator.ParseWorld(b)
	noError(t, err)
	return w
}

// sdkConfig varies the SDK client; zero values mean the emulator defaults.
type sdkConfig struct {
	ID, Key, Token, Region string
	Profile                func(*profile.ClientProfile)
}

// newSDKClient is the official SDK client, configured as the reference file says.
func newSDKClient(t *testing.T, serverURL string, c sdkConfig) *vpc.Client {
	t.Helper()
	if c.ID == "" {
		c.ID, c.Key = emulator.DefaultSecretID, emulator.DefaultSecretKey
	}
	c.Region = cmp.Or(c.Region, emulator.DefaultRegion)
	cpf := clientProfile(serverURL)
	if c.Profile != nil {
		c.Profile(cpf)
	}
	var cred common.CredentialIface = common.NewCredential(c.ID, c.Key)
	if c.Token != "" {
		cred = common.NewTokenCredential(c.ID, c.Key, c.Token)
	}
	client, err := vpc.NewClient(cred, c.Region, cpf)
	if err != nil {
		t.Fatalf("vpc.NewClient: %v", err)
	}
	return client
}

// codeOf is the Tencent error code of an SDK error ("" for nil).
func codeOf(err error) string {
	if err == nil {
		return ""
	}
	var sdkErr *tcerr.TencentCloudSDKError
	if errors.As(err, &sdkErr) {
		return sdkErr.GetCode()
	}
	return "not an SDK error: " + err.Error()
}

// noError fails the test at once on an error.
func noError(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// errOf is the error of a call that also returns a value.
func errOf[T any](_ T, err error) error { return err }

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := codeOf(err); got != code {
		t.Fatalf("error code = %q, want %q (err: %v)", got, code, err)
	}
}

func (e *env) associate(addressID, instanceID string) (string, error) {
	req := vpc.NewAssociateAddressRequest()
	req.AddressId = common.StringPtr(addressID)
	req.InstanceId = common.StringPtr(instanceID)
	resp, err := e.vpc.AssociateAddress(req)
	if err != nil {
		return "", err
	}
	return *resp.Response.TaskId, nil
}

func (e *env) associateENI(addressID, eniID, privateIP string) error {
	req := vpc.NewAssociateAddressRequest()
	req.AddressId = common.StringPtr(addressID)
	req.NetworkInterfaceId = common.StringPtr(eniID)
	req.PrivateIpAddress = common.StringPtr(privateIP)
	_, err := e.vpc.AssociateAddress(req)
	return err
}

func (e *env) disassociate(addressID string, reallocate bool) (string, error) {
	req := vpc.NewDisassociateAddressRequest()
	req.AddressId = common.StringPtr(addressID)
	if reallocate {
		req.ReallocateNormalPublicIp = common.BoolPtr(true)
	}
	resp, err := e.vpc.DisassociateAddress(req)
	if err != nil {
		return "", err
	}
	return *resp.Response.TaskId, nil
}

// returnNormal releases normal public IPs with ReturnNormalAddresses, or fails the test.
func (e *env) returnNormal(ips ...string) {
	e.t.Helper()
	req := vpc.NewReturnNormalAddressesRequest()
	req.AddressIps = common.StringPtrs(ips)
	if _, err := e.vpc.ReturnNormalAddresses(req); err != nil {
		e.t.Fatalf("ReturnNormalAddresses(%v): %v", ips, err)
	}
}

// mustAssociate binds an EIP to an instance and returns the task id, or fails the test.
func (e *env) mustAssociate(addressID, instanceID string) string {
	e.t.Helper()
	taskID, err := e.associate(addressID, instanceID)
	if err != nil {
		e.t.Fatalf("AssociateAddress(%s, %s): %v", addressID, instanceID, err)
	}
	return taskID
}

// mustAssociateENI binds an EIP to a private IP of an ENI, or fails the test.
func (e *env) mustAssociateENI(addressID, eniID, privateIP string) {
	e.t.Helper()
	if err := e.associateENI(addressID, eniID, privateIP); err != nil {
		e.t.Fatalf("AssociateAddress(%s, %s, %s): %v", addressID, eniID, privateIP, err)
	}
}

// mustDisassociate unbinds an EIP and returns the task id, or fails the test.
func (e *env) mustDisassociate(addressID string, reallocate bool) string {
	e.t.Helper()
	taskID, err := e.disassociate(addressID, reallocate)
	if err != nil {
		e.t.Fatalf("DisassociateAddress(%s, reallocate %v): %v", addressID, reallocate, err)
	}
	return taskID
}

// wantTask checks what DescribeTaskResult answers for the task.
func (e *env) wantTask(taskID, want string) {
	e.t.Helper()
	if got, err := e.taskResult(taskID); err != nil || got != want {
		e.t.Fatalf("task %s = %q (%v), want %s", taskID, got, err, want)
	}
}

func (e *env) taskResult(taskID string) (string, error) {
	id, err := strconv.ParseUint(taskID, 10, 64)
	if err != nil {
		e.t.Fatalf("TaskId %q is not a decimal number: %v", taskID, err)
	}
	req := vpc.NewDescribeTaskResultRequest()
	req.TaskId = common.Uint64Ptr(id)
	resp, err := e.vpc.DescribeTaskResult(req)
	if err != nil {
		return "", err
	}
	if *resp.Response.TaskId != id {
		e.t.Fatalf("DescribeTaskResult TaskId = %d, want %d", *resp.Response.TaskId, id)
	}
	return *resp.Response.Result, nil
}

func (e *env) describe(req *vpc.DescribeAddressesRequest) (*vpc.DescribeAddressesResponseParams, error) {
	resp, err := e.vpc.DescribeAddresses(req)
	if err != nil {
		return nil, err
	}
	return resp.Response, nil
}

func (e *env) mustDescribeIDs(ids ...string) []*vpc.Address {
	e.t.Helper()
	req := vpc.NewDescribeAddressesRequest()
	req.AddressIds = common.StringPtrs(ids)
	resp, err := e.describe(req)
	if err != nil {
		e.t.Fatalf("DescribeAddresses: %v", err)
	}
	return resp.AddressSet
}

// address is the address as the world holds it now.
func (e *env) address(id string) emulator.Address {
	e.t.Helper()
	w := e.emu.Snapshot()
	a, ok := w.Address(id)
	if !ok {
		e.t.Fatalf("address %s is not in the world", id)
	}
	return a
}

// unchanged runs fn and fails if the world differs afterwards: rejected calls must not
// change anything.
func (e *env) unchanged(fn func()) {
	e.t.Helper()
	before := e.emu.Snapshot()
	fn()
	after := e.emu.Snapshot()
	if !reflect.DeepEqual(before, after) {
		e.t.Fatalf("the world changed:\nbefore %s\nafter  %s", mustJSON(before), mustJSON(after))
	}
}

// finishTasks lets every running task (with the default delay) finish.
func (e *env) finishTasks() { e.emu.AdvanceClock(time.Second) }

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func wantAddress(t *testing.T, got emulator.Address, status, instanceID, eniID, privateIP string) {
	t.Helper()
	if got.Status != status || got.InstanceID != instanceID || got.NetworkInterfaceID != eniID || got.PrivateIP != privateIP {
		t.Fatalf("address %s = {%s %q %q %q}, want {%s %q %q %q}", got.AddressID,
			got.Status, got.InstanceID, got.NetworkInterfaceID, got.PrivateIP, status, instanceID, eniID, privateIP)
	}
}

// rawRequest is a hand-built API request, signed by tc3Sign below — an implementation
// of the documented algorithm written independently of the emulator's verifier.
type rawRequest struct {
	Method      string // default POST
	URL         string // default the server URL + "/"
	Host        string // default the URL's host
	Action      string // default DescribeAddressQuota
	Version     string // default 2017-03-12; "-" = leave the header out
	Region      string // default ap-guangzhou; "-" = leave the header out
	ContentType string // default application/json (POST) or form (GET)
	Body        string // default "{}" for POST
	Timestamp   time.Time
	SecretID    string
	SecretKey   string
	Token       string
	// SignedHeaders default to content-type;host.
	SignedHeaders []string
	Headers       map[string]string
	// Authorization replaces the computed header when set; "-" = leave it out.
	Authorization string
	ScopeDate     string // replaces the credential scope date when set
	Unsigned      bool   // X-TC-Content-SHA256: UNSIGNED-PAYLOAD
	// TamperBody replaces the body after signing.
	TamperBody *string
	// Service and SignedHost replace the credential scope's service (vpc) and the host
	// signed (the Host sent) when set.
	Service, SignedHost string
}

func (rr rawRequest) build(t testing.TB, serverURL string) *http.Request {
	t.Helper()
	rr.Method = cmp.Or(rr.Method, http.MethodPost)
	rr.URL = cmp.Or(rr.URL, serverURL+"/")
	rr.Action = cmp.Or(rr.Action, "DescribeAddressQuota")
	rr.Version = cmp.Or(rr.Version, emulator.APIVersion)
	rr.Region = cmp.Or(rr.Region, emulator.DefaultRegion)
	if rr.ContentType == "" {
		rr.ContentType = "application/json"
		if rr.Method == http.MethodGet {
			rr.ContentType = "application/x-www-form-urlencoded"
		}
	}
	if rr.Body == "" && rr.Method == http.MethodPost {
		rr.Body = "{}"
	}
	rr.Timestamp = cmp.Or(rr.Timestamp, time.Now())
	if rr.SecretID == "" {
		rr.SecretID, rr.SecretKey = emulator.DefaultSecretID, emulator.DefaultSecretKey
	}
	if rr.SignedHeaders == nil {
		rr.SignedHeaders = []string{"content-type", "host"}
	}
	req, err := http.NewRequest(rr.Method, rr.URL, strings.NewReader(rr.Body))
	noError(t, err)
	if rr.Host != "" {
		req.Host = rr.Host
	}
	req.Header.Set("Content-Type", rr.ContentType)
	req.Header.Set("X-TC-Action", rr.Action)
	if rr.Version != "-" {
		req.Header.Set("X-TC-Version", rr.Version)
	}
	if rr.Region != "-" {
		req.Header.Set("X-TC-Region", rr.Region)
	}
	ts := strconv.FormatInt(rr.Timestamp.Unix(), 10)
	req.Header.Set("X-TC-Timestamp", ts)
	if rr.Token != "" {
		req.Header.Set("X-TC-Token", rr.Token)
	}
	if rr.Unsigned {
		req.Header.Set("X-TC-Content-SHA256", "UNSIGNED-PAYLOAD")
	}
	for k, v := range rr.Headers {
		req.Header.Set(k, v)
	}
	host := cmp.Or(req.Host, req.URL.Host)
	if rr.SignedHost != "" {
		host = rr.SignedHost
	}
	switch rr.Authorization {
	case "":
		req.Header.Set("Authorization", tc3Sign(rr, req, host, ts))
	case "-":
	default:
		req.Header.Set("Authorization", rr.Authorization)
	}
	if rr.TamperBody != nil {
		req.Body = io.NopCloser(strings.NewReader(*rr.TamperBody))
		req.ContentLength = int64(len(*rr.TamperBody))
	}
	return req
}

func tc3Sign(rr rawRequest, req *http.Request, host, ts string) string {
	var canonicalHeaders strings.Builder
	for _, name := range rr.SignedHeaders {
		value := req.Header.Get(name)
		if name == "host" {
			value = host
		}
		fmt.Fprintf(&canonicalHeaders, "%s:%s\n", name, value)
	}
	payload := sha256.Sum256([]byte(rr.Body))
	if rr.Unsigned {
		payload = sha256.Sum256([]byte("UNSIGNED-PAYLOAD"))
	}
	canonical := strings.Join([]string{rr.Method, "/", req.URL.RawQuery, canonicalHeaders.String(),
		strings.Join(rr.SignedHeaders, ";"), hex.EncodeToString(payload[:])}, "\n")
	date := rr.Timestamp.UTC().Format("2006-01-02")
	if rr.ScopeDate != "" {
		date = rr.ScopeDate
	}
	service := "vpc"
	if rr.Service != "" {
		service = rr.Service
	}
	scope := date + "/" + service + "/tc3_request"
	hashed := sha256.Sum256([]byte(canonical))
	stringToSign := "TC3-HMAC-SHA256\n" + ts + "\n" + scope + "\n" + hex.EncodeToString(hashed[:])
	mac := func(key []byte, msg string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(msg))
		return h.Sum(nil)
	}
	kSigning := mac(mac(mac([]byte("TC3"+rr.SecretKey), date), service), "tc3_request")
	signature := hex.EncodeToString(mac(kSigning, stringToSign))
	return "TC3-HMAC-SHA256 Credential=" + rr.SecretID + "/" + scope + ", SignedHeaders=" +
		strings.Join(rr.SignedHeaders, ";") + ", Signature=" + signature
}

// apiReply is a parsed API envelope.
type apiReply struct {
	Status      int
	ContentType string
	Raw         []byte
	Response    map[string]json.RawMessage
	Code        string
	Message     string
	RequestID   string
}

func sendRaw(t *testing.T, client *http.Client, req *http.Request) apiReply {
	t.Helper()
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	reply := apiReply{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Raw: raw}
	var env struct {
		Response map[string]json.RawMessage
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&env); err != nil || env.Response == nil {
		t.Fatalf("reply is not an API envelope: %v: %s", err, raw)
	}
	reply.Response = env.Response
	_ = json.Unmarshal(env.Response["RequestId"], &reply.RequestID)
	if e, ok := env.Response["Error"]; ok {
		var body struct{ Code, Message string }
		if err := json.Unmarshal(e, &body); err != nil {
			t.Fatalf("Error is not {Code, Message}: %s", e)
		}
		reply.Code, reply.Message = body.Code, body.Message
	}
	return reply
}

func (e *env) raw(rr rawRequest) apiReply {
	e.t.Helper()
	return sendRaw(e.t, nil, rr.build(e.t, e.srv.URL))
}

func wantReplyCode(t *testing.T, r apiReply, code string) {
	t.Helper()
	if r.Code != code {
		t.Fatalf("code = %q (%s), want %q; reply %s", r.Code, r.Message, code, r.Raw)
	}
}

// rejection is a call the emulator must refuse with code, naming mentions in
// its message and leaving the world unchanged.
type rejection struct {
	name     string
	world    *emulator.World // nil: the default world
	setup    func(e *env)
	call     func(e *env) error
	code     string
	mentions string
}

func runRejections(t *testing.T, tests []rejection) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(o *emulator.Options) { o.World = tt.world })
			if tt.setup != nil {
				tt.setup(e)
			}
			e.unchanged(func() {
				err := tt.call(e)
				wantCode(t, err, tt.code)
				if !strings.Contains(err.Error(), tt.mentions) {
					t.Errorf("message %q does not mention %q", err.Error(), tt.mentions)
				}
			})
		})
	}
}

func mustUnmarshal(t *testing.T, raw []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
}

// versions of the services, as the SDKs send them.
var versions = map[string]string{"vpc": "2017-03-12", "cvm": "2017-03-12", "sts": "2018-08-13"}

// clientProfile is the SDK profile of a client of the emulator at serverURL.
func clientProfile(serverURL string) *profile.ClientProfile {
	cpf := profile.NewClientProfile()
	cpf.HttpProfile.Endpoint = strings.TrimPrefix(serverURL, "http://")
	cpf.HttpProfile.Scheme = "http"
	cpf.HttpProfile.ReqTimeout = 10
	return cpf
}

// common is the official SDK's common client on the emulator, signing with cred (nil:
// no credential, for unsigned requests).
func (e *env) common(cred common.CredentialIface, mutate ...func(*profile.ClientProfile)) *common.Client {
	cpf := clientProfile(e.srv.URL)
	for _, m := range mutate {
		m(cpf)
	}
	return common.NewCommonClient(cred, emulator.DefaultRegion, cpf)
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
