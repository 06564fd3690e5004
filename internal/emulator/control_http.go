package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

const controlPrefix = "/_emulator/"

// maxControlBody caps control request bodies; they are small JSON objects.
const maxControlBody = 1 << 20

// serveControl is the control surface: JSON in and out, errors as {"error": "..."} with
// a 4xx status. It is not part of the Tencent API and has no authentication, so it
// answers loopback peers only.
func (e *Emulator) serveControl(w http.ResponseWriter, r *http.Request) {
	if !isLoopbackPeer(r.RemoteAddr) {
		writeControlError(w, http.StatusForbidden, "the control surface answers loopback clients only")
		return
	}
	path := strings.TrimPrefix(r.URL.Path, controlPrefix)
	route := r.Method + " " + path
	switch {
	case route == "GET health":
		writeControlJSON(w, map[string]any{"status": "ok", "time": e.Now()})
	case route == "GET world":
		writeControlJSON(w, e.Snapshot())
	case route == "GET stats":
		writeControlJSON(w, e.Stats())
	case route == "POST stats/reset":
		e.ResetStats()
		writeControlJSON(w, e.Stats())
	case route == "GET requests":
		requests := e.Requests(r.URL.Query().Get("action"))
		if requests == nil {
			requests = []RecordedRequest{}
		}
		writeControlJSON(w, requests)
	case route == "GET faults":
		writeControlJSON(w, e.Faults())
	case route == "POST faults":
		var f Fault
		if !readControlJSON(w, r, &f) {
			return
		}
		if err := e.InjectFault(f); err != nil {
			writeControlError(w, http.StatusBadRequest, err.Error())
			return
		}
		writeControlJSON(w, e.Faults())
	case route == "DELETE faults":
		e.ClearFaults()
		writeControlJSON(w, e.Faults())
	case r.Method == http.MethodPost && strings.HasPrefix(path, "addresses/"):
		id := strings.TrimPrefix(path, "addresses/")
		var p AddressPatch
		if !readControlJSON(w, r, &p) {
			return
		}
		if err := e.PatchAddress(id, p); err != nil {
			writeControlError(w, statusFor(err), err.Error())
			return
		}
		w2 := e.Snapshot()
		if a, ok := w2.Address(id); ok {
			writeControlJSON(w, a)
		} else {
			writeControlJSON(w, map[string]any{"addressId": id, "deleted": true})
		}
	case r.Method == http.MethodPost && strings.HasPrefix(path, "quotas/"):
		var body struct {
			Current *int64 `json:"current"`
		}
		if !readControlJSON(w, r, &body) {
			return
		}
		if body.Current == nil {
			writeControlError(w, http.StatusBadRequest, `the body must be {"current": N}`)
			return
		}
		if err := e.SetQuota(strings.TrimPrefix(path, "quotas/"), *body.Current); err != nil {
			writeControlError(w, statusFor(err), err.Error())
			return
		}
		writeControlJSON(w, e.Snapshot().Quotas)
	case r.Method == http.MethodPost && strings.HasPrefix(path, "instances/") && strings.HasSuffix(path, "/normal-public-ip"):
		a, err := e.AddNormalPublicIP(strings.TrimSuffix(strings.TrimPrefix(path, "instances/"), "/normal-public-ip"))
		writeControlResult(w, a, err)
	case r.Method == http.MethodGet && strings.HasPrefix(path, "instances/") && strings.HasSuffix(path, "/normal-public-ips"):
		as, err := e.NormalPublicIPs(strings.TrimSuffix(strings.TrimPrefix(path, "instances/"), "/normal-public-ips"))
		if as == nil {
			as = []Address{}
		}
		writeControlResult(w, as, err)
	case route == "GET clock":
		writeControlJSON(w, map[string]any{"now": e.Now()})
	case route == "POST clock":
		var body struct {
			Advance Duration `json:"advance"`
		}
		if !readControlJSON(w, r, &body) {
			return
		}
		if body.Advance <= 0 {
			writeControlError(w, http.StatusBadRequest, `the body must be {"advance": "<positive duration>"}, e.g. "24h"`)
			return
		}
		e.AdvanceClock(time.Duration(body.Advance))
		writeControlJSON(w, map[string]any{"now": e.Now()})
	case route == "GET settings":
		writeControlJSON(w, e.currentSettings())
	case route == "POST settings":
		var s settingsBody
		if !readControlJSON(w, r, &s) {
			return
		}
		if err := e.applySettings(s); err != nil {
			writeControlError(w, statusFor(err), err.Error())
			return
		}
		writeControlJSON(w, e.currentSettings())
	case route == "POST oidc/token":
		var req WebIdentityTokenRequest
		if !readControlJSON(w, r, &req) {
			return
		}
		token, err := e.WebIdentityToken(req)
		writeControlResult(w, map[string]string{"token": token}, err)
	case route == "POST reset":
		e.Reset()
		writeControlJSON(w, map[string]any{"status": "reset"})
	default:
		writeControlError(w, http.StatusNotFound, fmt.Sprintf("no control endpoint %s %s", r.Method, r.URL.Path))
	}
}

// writeControlResult answers v, or err with the status statusFor gives it.
func writeControlResult(w http.ResponseWriter, v any, err error) {
	if err != nil {
		writeControlError(w, statusFor(err), err.Error())
		return
	}
	writeControlJSON(w, v)
}

func statusFor(err error) int {
	if errors.Is(err, ErrNotFound) {
		return http.StatusNotFound
	}
	return http.StatusBadRequest
}

// readControlJSON decodes a control request body strictly (unknown fields are errors, so
// a typo does not silently do nothing) and answers 400 itself when it cannot.
func readControlJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxControlBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		writeControlError(w, http.StatusBadRequest, "invalid JSON body: "+err.Error())
		return false
	}
	return true
}

func writeControlJSON(w http.ResponseWriter, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		writeControlError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(append(b, '\n'))
}

func writeControlError(w http.ResponseWriter, status int, message string) {
	b, _ := json.Marshal(map[string]string{"error": message})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
