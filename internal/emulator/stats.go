package emulator

import (
	"cmp"
	"encoding/json"
	"maps"
	"slices"
	"time"
)

// Stats counts API calls. Every authenticated request that named an action is counted,
// including ones answered with an error, throttled or faulted.
type Stats struct {
	Calls  map[string]int            `json:"calls"`  // action → requests
	Errors map[string]map[string]int `json:"errors"` // action → error code → requests
}

// RecordedRequest is one counted request. Body is its parameters as JSON (a GET query is
// shown as the equivalent JSON body; a body that is not JSON is shown as a JSON string).
// ErrorCode is empty on success; faults that answer without an API error record
// "fault.http-status.NNN", "fault.reset" or "fault.bad-json".
type RecordedRequest struct {
	Action    string          `json:"action"`
	Body      json.RawMessage `json:"body"`
	ErrorCode string          `json:"errorCode,omitempty"`
	Time      time.Time       `json:"time"`

	seq uint64 // arrival order across actions
}

const (
	maxRecordedPerAction = 10000
	maxRecordedBody      = 16 << 10 // longer bodies are recorded as a truncated JSON string
)

type statsRecorder struct {
	calls    map[string]int
	errors   map[string]map[string]int
	requests map[string]*requestRing
	seq      uint64
}

// requestRing keeps the last maxRecordedPerAction requests of one action.
type requestRing struct {
	items []RecordedRequest
	next  int // where the next item goes once items is full
}

func (s *statsRecorder) reset() {
	*s = statsRecorder{calls: map[string]int{}, errors: map[string]map[string]int{}, requests: map[string]*requestRing{}}
}

func (s *statsRecorder) record(action string, body json.RawMessage, code string, at time.Time) {
	s.calls[action]++
	if code != "" {
		if s.errors[action] == nil {
			s.errors[action] = map[string]int{}
		}
		s.errors[action][code]++
	}
	s.seq++
	r := RecordedRequest{Action: action, Body: body, ErrorCode: code, Time: at, seq: s.seq}
	ring := s.requests[action]
	if ring == nil {
		ring = &requestRing{}
		s.requests[action] = ring
	}
	if len(ring.items) < maxRecordedPerAction {
		ring.items = append(ring.items, r)
		return
	}
	ring.items[ring.next] = r
	ring.next = (ring.next + 1) % maxRecordedPerAction
}

// recordableBody makes any request body safe to embed as JSON in the request log.
func recordableBody(body []byte) json.RawMessage {
	if len(body) <= maxRecordedBody && json.Valid(body) {
		return json.RawMessage(body)
	}
	if len(body) > maxRecordedBody {
		body = append(body[:maxRecordedBody:maxRecordedBody], "…(truncated)"...)
	}
	b, _ := json.Marshal(string(body))
	return b
}

// Stats returns a copy of the call counters.
func (e *Emulator) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := Stats{Calls: maps.Clone(e.stats.calls), Errors: map[string]map[string]int{}}
	for action, codes := range e.stats.errors {
		out.Errors[action] = maps.Clone(codes)
	}
	return out
}

// Requests returns the last requests (at most 10000 per action) of the action, oldest
// first; action "" returns every action's, in arrival order.
func (e *Emulator) Requests(action string) []RecordedRequest {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []RecordedRequest
	for name, ring := range e.stats.requests {
		if action == "" || name == action {
			out = append(out, ring.items...)
		}
	}
	slices.SortFunc(out, func(a, b RecordedRequest) int { return cmp.Compare(a.seq, b.seq) })
	return out
}

// ResetStats clears the counters and the request log.
func (e *Emulator) ResetStats() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stats.reset()
}
