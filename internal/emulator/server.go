package emulator

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Documented request size limits: a POST signed with TC3 may carry up to 10 MB, a GET
// up to 32 KB.
const (
	maxBodyBytes  = 10 << 20
	maxQueryBytes = 32 << 10
)

// serveAPI answers one Tencent Cloud API request.
func (e *Emulator) serveAPI(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	code := e.handleAPI(w, r)
	if e.logger != nil {
		action := cmp.Or(r.Header.Get("X-TC-Action"), "-")
		code = cmp.Or(code, "OK")
		e.logf("%s %s %s", action, code, time.Since(start).Round(time.Microsecond))
	}
}

// handleAPI runs the request pipeline — size limits, authentication, header checks,
// region, faults, rate limiting, decoding, the action — and returns the error code it
// answered with ("" for success).
func (e *Emulator) handleAPI(w http.ResponseWriter, r *http.Request) string {
	requestID := newRequestID()
	fail := func(aerr *apiError) string {
		writeEnvelope(w, requestID, nil, aerr)
		return aerr.Code
	}

	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return fail(errorf(codeUnsupportedProtocol, "HTTP method %s is not supported; use POST (or GET).", r.Method))
	}
	if len(r.URL.RawQuery) > maxQueryBytes {
		return fail(errorf(codeRequestSizeLimitExceeded, "The query string is %d bytes; at most %d are allowed.", len(r.URL.RawQuery), maxQueryBytes))
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return fail(errorf(codeRequestSizeLimitExceeded, "The request body exceeds %d bytes.", maxBodyBytes))
		}
		return fail(errorf(codeInvalidParameter, "The request body could not be read: %v.", err))
	}

	call, aerr := e.authenticate(r, body)
	if aerr != nil {
		return fail(aerr)
	}
	action := call.action
	if action == "" {
		return fail(errorf(codeMissingParameter, "The request is missing the required parameter `Action` (header `X-TC-Action` with TC3)."))
	}

	// From here on the request is authenticated (or is an accepted unsigned one) and names
	// an action: it counts in Stats.
	logged := call.logged()
	record := func(code string) string {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.stats.record(action, logged, code, e.clock())
		return code
	}
	failAndRecord := func(aerr *apiError) string { return record(fail(aerr)) }

	switch {
	case call.version == "":
		return failAndRecord(errorf(codeMissingParameter, "The request is missing the required parameter `Version` (header `X-TC-Version` with TC3)."))
	case !servesAction(call.service, action):
		return failAndRecord(invalidAction(call.service, action))
	case call.version != services[call.service]:
		return failAndRecord(errorf(codeNoSuchVersion, "The API version %q does not exist; %s serves %s.",
			call.version, strings.ToUpper(call.service), services[call.service]))
	case call.region == "":
		return failAndRecord(errorf(codeMissingParameter, "The request is missing the required parameter `Region` (header `X-TC-Region` with TC3)."))
	}
	e.mu.Lock()
	_, aerr = e.regionWorld(call.region)
	e.mu.Unlock()
	if aerr != nil {
		return failAndRecord(aerr)
	}

	e.mu.Lock()
	fault := e.takeRequestFault(action)
	e.mu.Unlock()
	lostReply := false
	if fault != nil {
		switch fault.Kind {
		case FaultLostReply:
			lostReply = true // carried out below; only the reply goes missing
		case FaultError:
			message := cmp.Or(fault.Message, fmt.Sprintf("Injected fault: %s answers %s.", action, fault.Code))
			return failAndRecord(&apiError{Code: fault.Code, Message: message})
		case FaultThrottle:
			e.mu.Lock()
			code := cmp.Or(fault.Code, throttleCode(action, e.world.Settings.RateLimitCode))
			e.mu.Unlock()
			return failAndRecord(throttled(code, action, fault.Message))
		case FaultDelay:
			if !e.sleep(r.Context(), time.Duration(fault.Delay)) {
				return record("fault.delay.client-gone") // nobody is listening: change nothing
			}
		default:
			record(faultCode(fault))
			writeFault(w, fault)
			return faultCode(fault)
		}
	}

	if aerr := e.limit(action, call.secretID); aerr != nil {
		return failAndRecord(aerr)
	}
	if call.paramsErr != nil {
		return failAndRecord(call.paramsErr)
	}
	run, aerr := decodeParams(action, call.params)
	if aerr != nil {
		return failAndRecord(aerr)
	}

	resp, aerr := e.runAction(action, call.region, call.secretID, run, logged)
	if lostReply {
		resetConnection(w)
		return "fault.lost-reply"
	}
	writeEnvelope(w, requestID, resp, aerr) // outside the lock: a slow client stalls no one
	if aerr != nil {
		return aerr.Code
	}
	return ""
}

// apiCall is an authenticated request: who signed it, the service it is for, the common
// parameters, and the action's parameters as a JSON object (a GET query or a v1 form is
// turned into one).
type apiCall struct {
	// secretID signed the request; "" for an accepted unsigned request.
	secretID                         string
	service, action, version, region string
	params                           []byte
	// paramsErr is why the parameters could not be read; it is answered after the
	// checks every request goes through (version, region, faults, rate limits).
	paramsErr *apiError
	// rawParams is what the request log shows when params could not be read.
	rawParams string
}

// redactedParams are parameters the request log never shows: they are bearer
// credentials.
var redactedParams = map[string][]string{"AssumeRoleWithWebIdentity": {"WebIdentityToken"}}

func (c apiCall) logged() json.RawMessage {
	if c.paramsErr == nil {
		return recordableBody(redact(c.action, c.params))
	}
	b, _ := json.Marshal(c.rawParams)
	if len(redactedParams[c.action]) > 0 {
		b, _ = json.Marshal("(not shown: the parameters could not be read and may hold a credential)")
	}
	return recordableBody(b)
}

// redact replaces the values of the action's redacted parameters in a JSON body.
func redact(action string, body []byte) []byte {
	names := redactedParams[action]
	if len(names) == 0 {
		return body
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	for _, name := range names {
		if _, ok := m[name]; ok {
			m[name] = json.RawMessage(`"(redacted)"`)
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return body
	}
	return b
}

func invalidAction(service, action string) *apiError {
	if _, known := services[service]; known {
		return errorf(codeInvalidAction, "The action %q does not exist in %s %s (it serves %s).",
			action, strings.ToUpper(service), services[service], strings.Join(actionsOf(service), ", "))
	}
	return errorf(codeInvalidAction, "The action %q does not exist (this endpoint serves the services %s).", action, strings.Join(sortedKeys(services), ", "))
}

// lookupSecret finds a SecretId among the world's keys and issued credentials, expiry
// judged on the emulator clock.
func (e *Emulator) lookupSecret(secretID string) (secret, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.world.secretOf(secretID, e.clock())
}

// authenticate verifies the request's signature — TC3-HMAC-SHA256 in the Authorization
// header, or v1 in the Signature parameter — and reads its common parameters. An
// action documented as unsigned may come without a signature.
func (e *Emulator) authenticate(r *http.Request, body []byte) (apiCall, *apiError) {
	if r.Header.Get("Authorization") != "" {
		return e.authenticateTC3(r, body)
	}
	var params url.Values
	switch r.Method {
	case http.MethodGet:
		var err error
		if params, err = url.ParseQuery(r.URL.RawQuery); err != nil {
			return apiCall{}, errorf(codeInvalidParameter, "The query string is not valid: %v.", err)
		}
	case http.MethodPost:
		if mediaType(r) != "application/x-www-form-urlencoded" {
			return apiCall{}, errorf(codeAuthInvalidAuthorization, "The Authorization header is invalid: it is missing.")
		}
		if len(body) > maxV1BodyBytes {
			return apiCall{}, errorf(codeRequestSizeLimitExceeded, "A POST signed with signature v1 may carry at most %d bytes; this one has %d.", maxV1BodyBytes, len(body))
		}
		var err error
		if params, err = url.ParseQuery(string(body)); err != nil {
			return apiCall{}, errorf(codeInvalidParameter, "The form body is not valid: %v.", err)
		}
	}
	action := params.Get("Action")
	call := apiCall{action: action, service: requestService(r.Host, action), version: params.Get("Version"), region: params.Get("Region")}
	switch {
	case params.Has("Signature"):
		secretID, _, aerr := verifyV1(v1Request{Method: r.Method, Host: r.Host, Path: r.URL.Path, Params: params}, e.lookupSecret, e.wallNow())
		if aerr != nil {
			return apiCall{}, aerr
		}
		call.secretID = secretID
	case unsignedActions[action] && servesAction(call.service, action):
		// Documented: no SecretId, Signature, SignatureMethod or Token.
	default:
		return apiCall{}, errorf(codeAuthInvalidAuthorization,
			"The Authorization header is invalid: it is missing (and there is no Signature parameter for signature v1).")
	}
	own := v1ActionParams(params)
	call.rawParams = own.Encode()
	if _, known := actionParams[call.action]; known {
		call.params, call.paramsErr = valuesToJSON(call.action, own)
	}
	return call, nil
}

func (e *Emulator) authenticateTC3(r *http.Request, body []byte) (apiCall, *apiError) {
	action := r.Header.Get("X-TC-Action")
	service := requestService(r.Host, action)
	secretID := ""
	if r.Header.Get("Authorization") == authorizationSkip {
		if !unsignedActions[action] || !servesAction(service, action) {
			return apiCall{}, errorf(codeAuthInvalidAuthorization,
				"The Authorization header is invalid: SKIP (no signature) is accepted only for %s.", strings.Join(sortedKeys(unsignedActions), ", "))
		}
	} else {
		var aerr *apiError
		secretID, _, aerr = verifyTC3(signedRequest{
			Method: r.Method, Host: r.Host, RawQuery: r.URL.RawQuery, Header: r.Header, Body: body,
		}, e.lookupSecret, e.wallNow(), scopeServices(r.Host, service))
		if aerr != nil {
			return apiCall{}, aerr
		}
	}
	call := tc3Params(action, r.Method, r.Header.Get("Content-Type"), body, r.URL.RawQuery)
	call.secretID, call.service = secretID, service
	call.version, call.region = r.Header.Get("X-TC-Version"), r.Header.Get("X-TC-Region")
	return call, nil
}

// tc3Params reads the action's parameters of a TC3 request: a GET query, or a POST
// JSON body (a form body needs signature v1).
func tc3Params(action, method, contentType string, body []byte, rawQuery string) apiCall {
	call := apiCall{action: action}
	if method == http.MethodGet {
		call.rawParams = rawQuery
		if _, known := actionParams[action]; known {
			call.params, call.paramsErr = queryToJSON(action, rawQuery)
		}
		return call
	}
	call.params, call.rawParams = emptyAsNoParams(body), string(body)
	if mt, _, err := mime.ParseMediaType(contentType); err != nil || mt != "application/json" {
		call.paramsErr = errorf(codeInvalidParameter,
			"Content-Type %q is not supported for POST signed with TC3-HMAC-SHA256; send application/json.", contentType)
	}
	return call
}

func mediaType(r *http.Request) string {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return mt
}

// runAction runs a decoded request against the world, records it and persists the change.
func (e *Emulator) runAction(action, region, secretID string, run actionCall, logged json.RawMessage) (any, *apiError) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.observe()
	var resp any
	w, aerr := e.regionWorld(region)
	if aerr == nil {
		c := actionContext{e: e, w: w, now: now, action: action, secretID: secretID}
		resp, aerr = run(&c)
	}
	code := ""
	if aerr != nil {
		code = aerr.Code
	} else if writeActions[action] {
		e.dirty = true
	}
	e.stats.record(action, logged, code, now)
	e.commit()
	return resp, aerr
}

// regionWorld is the world a request for the region sees: the emulator's world in its
// own region, an empty one in another known region, and an error (never an empty world,
// which would look like every resource gone) for a mistyped one. Callers hold mu.
func (e *Emulator) regionWorld(region string) (*World, *apiError) {
	if region == e.world.Region {
		return e.world, nil
	}
	if !slices.Contains(e.world.Regions, region) {
		if e.world.Settings.UnknownRegion == UnknownRegionUnsupportedRegion {
			return nil, errorf(codeUnsupportedRegion, "The region %q is not supported by this API.", region)
		}
		return nil, errorf(codeInvalidParameterValue, "A value specified in `Region` is not valid: %q is not a region.", region)
	}
	empty := &World{Region: region, Regions: e.world.Regions, Settings: e.world.Settings, Quotas: defaultQuotas()}
	empty.normalize()
	return empty, nil
}

// sleepContext waits d unless ctx ends first; it reports whether the full wait happened.
func sleepContext(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// writeEnvelope writes {"Response":{...fields...,"RequestId":...}} or the error form
// {"Response":{"Error":{"Code":...,"Message":...},"RequestId":...}}, always HTTP 200.
func writeEnvelope(w http.ResponseWriter, requestID string, resp any, aerr *apiError) {
	var body []byte
	if aerr != nil {
		var env struct {
			Response struct {
				Error     struct{ Code, Message string }
				RequestId string
			}
		}
		env.Response.Error.Code, env.Response.Error.Message = aerr.Code, aerr.Message
		env.Response.RequestId = requestID
		body, _ = json.Marshal(env)
	} else {
		fields, err := json.Marshal(resp)
		if err != nil || len(fields) < 2 || fields[0] != '{' {
			fields = []byte("{}")
		}
		id, _ := json.Marshal(requestID)
		var b bytes.Buffer
		b.WriteString(`{"Response":`)
		b.Write(fields[:len(fields)-1])
		if len(fields) > 2 {
			b.WriteByte(',')
		}
		b.WriteString(`"RequestId":`)
		b.Write(id)
		b.WriteString("}}")
		body = b.Bytes()
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// newRequestID returns a random (version 4) UUID.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// API versions of the services served besides VPC (APIVersion).
const (
	CVMAPIVersion = "2017-03-12"
	STSAPIVersion = "2018-08-13"
)

// services are the services the emulator serves at its one address, by the name a TC3
// credential scope carries (the first label of the service's domain,
// vpc.tencentcloudapi.com), with the version each serves.
var services = map[string]string{
	"vpc": APIVersion,
	"cvm": CVMAPIVersion,
	"sts": STSAPIVersion,
}

// actionServices is the service of every action served. Action names are unique across
// the services served, so the action names the service a request is for.
var actionServices = map[string]string{
	"AssociateAddress": "vpc", "DisassociateAddress": "vpc", "DescribeAddresses": "vpc", "DescribeTaskResult": "vpc",
	"DescribeAddressQuota": "vpc", "DescribeNetworkInterfaces": "vpc", "ReturnNormalAddresses": "vpc",
	"DescribeInstances":         "cvm",
	"AssumeRoleWithWebIdentity": "sts", "AssumeRole": "sts", "GetCallerIdentity": "sts",
}

// unsignedActions are sent without a signature: with TC3, Authorization: SKIP and no
// X-TC-Token; with v1, no SecretId, Signature or Token (AssumeRoleWithWebIdentity,
// tencentcloud.com/document/api/1150/49454). A signed request is verified as any other.
var unsignedActions = map[string]bool{"AssumeRoleWithWebIdentity": true}

// isTencentHost tells whether the Host names a Tencent Cloud API domain.
func isTencentHost(host string) bool {
	return strings.HasSuffix(strings.ToLower(hostWithoutPort(host)), ".tencentcloudapi.com")
}

// requestService is the service a request is for: under a Tencent Cloud domain the
// host's first label, whatever the action; elsewhere the action's ("" if none).
func requestService(host, action string) string {
	if isTencentHost(host) {
		label, _, _ := strings.Cut(strings.ToLower(hostWithoutPort(host)), ".")
		return label
	}
	return actionServices[action]
}

// servesAction tells whether the service serves the action.
func servesAction(service, action string) bool {
	return service != "" && actionServices[action] == service
}

// scopeServices are the service names a TC3 credential scope may carry for a request
// to host for service: the service, and (off a Tencent Cloud domain) the first label of
// the Host, as the Node.js SDK signs the first label of its endpoint ("127" for
// 127.0.0.1:PORT), unless that label names another service. An action no service
// serves (service "") takes any name, so that the answer is InvalidAction.
func scopeServices(host, service string) []string {
	if service == "" {
		return append(sortedKeys(services), hostLabel(host))
	}
	if isTencentHost(host) || hostWithoutPort(host) == "" {
		return []string{service}
	}
	label := hostLabel(host)
	if _, known := services[label]; known {
		return []string{service}
	}
	return []string{service, label}
}

// hostLabel is the first label of a Host as received, port included when the host has
// no dot ("127.0.0.1:9010" -> "127", "localhost:9010" -> "localhost:9010"): what the
// Node.js SDK takes as the service name.
func hostLabel(host string) string {
	label, _, _ := strings.Cut(host, ".")
	return label
}

// actionsOf lists the actions a service serves, sorted.
func actionsOf(service string) []string {
	var out []string
	for action, s := range actionServices {
		if s == service {
			out = append(out, action)
		}
	}
	slices.Sort(out)
	return out
}
