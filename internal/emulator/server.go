package emulator

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
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
		action := r.Header.Get("X-TC-Action")
		if action == "" {
			action = "-"
		}
		if code == "" {
			code = "OK"
		}
		e.logf("%s %s %s", action, code, time.Since(start).Round(time.Microsecond))
	}
}

// handleAPI runs the request pipeline — size limits, authentication, header checks,
// faults, rate limiting, decoding, the action — and returns the error code it answered
// with ("" for success).
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

	cred, aerr := verifyTC3(signedRequest{
		Method: r.Method, Host: r.Host, RawQuery: r.URL.RawQuery, Header: r.Header, Body: body,
	}, e.creds, e.wallNow())
	if aerr != nil {
		return fail(aerr)
	}
	action := r.Header.Get("X-TC-Action")
	if action == "" {
		return fail(errorf(codeMissingParameter, "The request is missing the required header `X-TC-Action`."))
	}

	// From here on the request is authenticated and names an action: it counts in Stats.
	logged := paramsForLog(action, r.Method, body, r.URL.RawQuery)
	record := func(code string) string {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.stats.record(action, logged, code, e.clock())
		return code
	}
	failAndRecord := func(aerr *apiError) string { return record(fail(aerr)) }

	switch version := r.Header.Get("X-TC-Version"); {
	case version == "":
		return failAndRecord(errorf(codeMissingParameter, "The request is missing the required header `X-TC-Version`."))
	case version != APIVersion:
		return failAndRecord(errorf(codeNoSuchVersion, "The API version %q does not exist; VPC serves %s.", version, APIVersion))
	}
	region := r.Header.Get("X-TC-Region")
	if region == "" {
		return failAndRecord(errorf(codeMissingParameter, "The request is missing the required header `X-TC-Region`."))
	}
	if actionParams[action] == nil {
		return failAndRecord(errorf(codeInvalidAction, "The action %q does not exist (this endpoint serves the VPC EIP actions).", action))
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
			message := fault.Message
			if message == "" {
				message = fmt.Sprintf("Injected fault: %s answers %s.", action, fault.Code)
			}
			return failAndRecord(&apiError{Code: fault.Code, Message: message})
		case FaultDelay:
			if !sleepContext(r.Context(), time.Duration(fault.Delay)) {
				return record("fault.delay.client-gone") // nobody is listening: change nothing
			}
		default:
			record(faultCode(fault))
			writeFault(w, fault)
			return faultCode(fault)
		}
	}

	e.mu.Lock()
	rate := e.rateLimit.forAction(action)
	allowed := e.limiter.allow(action, cred.SecretID, rate, e.clock())
	e.mu.Unlock()
	if !allowed {
		return failAndRecord(errorf(codeRequestLimitExceeded, "Too many %s requests: the limit is %g per second for this SecretId.", action, rate))
	}

	if r.Method == http.MethodPost {
		if mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mediaType != "application/json" {
			return failAndRecord(errorf(codeInvalidParameter, "Content-Type %q is not supported for POST; send application/json.", r.Header.Get("Content-Type")))
		}
	}
	params, aerr := decodeRequest(action, r.Method, body, r.URL.RawQuery)
	if aerr != nil {
		return failAndRecord(aerr)
	}

	resp, aerr := e.runAction(action, region, params, logged)
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

// runAction runs a decoded request against the world, records it and persists the change.
func (e *Emulator) runAction(action, region string, params any, logged json.RawMessage) (any, *apiError) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.observe()
	c := actionContext{e: e, w: e.regionWorld(region), now: now, action: action}
	resp, aerr := c.run(params)
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
// own region, an empty one anywhere else. Callers hold mu.
func (e *Emulator) regionWorld(region string) *World {
	if region == e.world.Region {
		return e.world
	}
	empty := &World{Region: region, Quotas: defaultQuotas()}
	empty.normalize()
	return empty
}

// paramsForLog is the request's parameters as JSON for the request log.
func paramsForLog(action, method string, body []byte, rawQuery string) json.RawMessage {
	if method == http.MethodGet {
		if _, known := actionParams[action]; known {
			if b, aerr := queryToJSON(action, rawQuery); aerr == nil {
				return recordableBody(b)
			}
		}
		b, _ := json.Marshal(rawQuery)
		return recordableBody(b)
	}
	return recordableBody(emptyAsNoParams(body))
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
