package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Fault kinds.
const (
	// FaultError answers with the API error Code (and Message).
	FaultError = "error"
	// FaultHTTPStatus answers with HTTP Status and a non-JSON body, like a gateway would.
	FaultHTTPStatus = "http-status"
	// FaultReset closes the connection without a reply.
	FaultReset = "reset"
	// FaultDelay waits Delay (or until the client gives up), then answers normally.
	FaultDelay = "delay"
	// FaultBadJSON answers HTTP 200 with a body that is not JSON.
	FaultBadJSON = "bad-json"
	// FaultLostReply carries the request out, then closes the connection
	// without the reply: the write happened, and the client cannot know it.
	FaultLostReply = "lost-reply"
	// FaultTaskFail makes the next Count tasks created by Action end FAILED.
	FaultTaskFail = "task-fail"
	// FaultTaskHang keeps the next Count tasks created by Action RUNNING for Delay, or
	// until ClearFaults when Delay is 0.
	FaultTaskHang = "task-hang"
	// FaultThrottle answers as the rate limiter does, with Code (one of the documented
	// throttling codes; "" = the RateLimitCode setting).
	FaultThrottle = "throttle"
	// FaultTaskError makes the next Count tasks created by Action fail, and
	// DescribeTaskResult of each then answers the error FailedOperation.TaskFailed
	// instead of Result FAILED.
	FaultTaskError = "task-error"
)

// Fault is an injected failure. Faults are checked after authentication and before rate
// limiting and action handling; a faulted request never changes the world. task-fail and
// task-hang instead apply to the tasks that accepted calls create.
type Fault struct {
	// Action is the API action it applies to; "" or "*" means every action.
	Action  string   `json:"action"`
	Kind    string   `json:"kind"`
	Code    string   `json:"code,omitempty"`
	Message string   `json:"message,omitempty"`
	Status  int      `json:"status,omitempty"`
	Delay   Duration `json:"delay,omitempty"`
	// Count is how many matching requests (or tasks) it hits; 0 = every one until
	// ClearFaults.
	Count int `json:"count,omitempty"`
}

// activeFault is an injected fault and how many hits it has left.
type activeFault struct {
	Fault
	remaining int // 0 = unlimited
}

func (f *Fault) validate() error {
	switch f.Kind {
	case FaultError:
		if f.Code == "" {
			return errors.New("fault kind \"error\" needs a code")
		}
	case FaultHTTPStatus:
		if f.Status < 400 || f.Status > 599 {
			return errors.New("fault kind \"http-status\" needs a status between 400 and 599")
		}
	case FaultDelay:
		if f.Delay <= 0 {
			return errors.New("fault kind \"delay\" needs a positive delay")
		}
	case FaultThrottle:
		if f.Code != "" && !isThrottleCode(f.Code) {
			info, _ := settingInfo("rateLimitCode")
			return fmt.Errorf("fault kind \"throttle\" takes a throttling code (%s, %s), not %q", strings.Join(info.Values, ", "), codeOverLimit, f.Code)
		}
	case FaultReset, FaultBadJSON, FaultLostReply, FaultTaskFail, FaultTaskHang, FaultTaskError:
	default:
		return fmt.Errorf("unknown fault kind %q (want error, http-status, reset, delay, bad-json, lost-reply, throttle, task-fail, task-error or task-hang)", f.Kind)
	}
	if f.Count < 0 {
		return errors.New("fault count must not be negative")
	}
	if f.Delay < 0 {
		return errors.New("fault delay must not be negative")
	}
	if f.Action != "" && f.Action != "*" && actionParams[f.Action] == nil {
		return fmt.Errorf("unknown action %q", f.Action)
	}
	if isTaskFault(f.Kind) && f.Action != "" && f.Action != "*" && f.Action != "AssociateAddress" && f.Action != "DisassociateAddress" {
		return fmt.Errorf("fault kind %q applies to tasks, which only AssociateAddress and DisassociateAddress create", f.Kind)
	}
	return nil
}

func (f *Fault) appliesTo(action string) bool {
	return f.Action == "" || f.Action == "*" || f.Action == action
}

func isTaskFault(kind string) bool {
	return kind == FaultTaskFail || kind == FaultTaskHang || kind == FaultTaskError
}

// InjectFault adds a fault. It returns an error (and injects nothing) when the fault is
// incomplete: an unknown kind or action, an error without a code, and the like.
func (e *Emulator) InjectFault(f Fault) error {
	if err := f.validate(); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = append(e.faults, &activeFault{Fault: f, remaining: f.Count})
	return nil
}

// ClearFaults removes every fault and releases hung tasks: they finish after the task
// delay from now.
func (e *Emulator) ClearFaults() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = nil
	now := e.observe()
	e.releaseHungTasks(now)
	e.commit()
}

// Faults returns the faults still active, with their remaining counts in Count.
func (e *Emulator) Faults() []Fault {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Fault, 0, len(e.faults))
	for _, f := range e.faults {
		c := f.Fault
		c.Count = f.remaining
		out = append(out, c)
	}
	return out
}

// takeRequestFault consumes the first request fault matching the action. Callers hold mu.
func (e *Emulator) takeRequestFault(action string) *Fault {
	return e.takeFault(func(f *Fault) bool { return !isTaskFault(f.Kind) && f.appliesTo(action) })
}

// takeTaskFault consumes the first fault of the kind for tasks created by the action.
// Callers hold mu.
func (e *Emulator) takeTaskFault(action, kind string) *Fault {
	return e.takeFault(func(f *Fault) bool { return f.Kind == kind && f.appliesTo(action) })
}

func (e *Emulator) takeFault(match func(*Fault) bool) *Fault {
	for i, f := range e.faults {
		if !match(&f.Fault) {
			continue
		}
		hit := f.Fault
		if f.remaining > 0 {
			f.remaining--
			if f.remaining == 0 {
				e.faults = slices.Delete(e.faults, i, i+1)
			}
		}
		return &hit
	}
	return nil
}

// faultCode is what the request log and Stats record for a fault that answers without
// an API error envelope. These are not Tencent codes, on purpose.
func faultCode(f *Fault) string {
	switch f.Kind {
	case FaultHTTPStatus:
		return fmt.Sprintf("fault.http-status.%d", f.Status)
	case FaultReset:
		return "fault.reset"
	case FaultBadJSON:
		return "fault.bad-json"
	}
	return ""
}

// writeFault answers a request with a non-envelope fault (http-status, reset, bad-json).
func writeFault(w http.ResponseWriter, f *Fault) {
	switch f.Kind {
	case FaultHTTPStatus:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(f.Status)
		fmt.Fprintf(w, "%d %s\n", f.Status, http.StatusText(f.Status))
	case FaultBadJSON:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"Response":{"RequestId":`)) // cut off mid-document
	case FaultReset:
		resetConnection(w)
	}
}

// resetConnection drops the connection without answering. A TCP connection is reset
// (SO_LINGER 0) so the client sees a hard failure rather than a tidy close.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // not hijackable (HTTP/2, recorders): abort instead
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// Duration is a time.Duration that reads and writes JSON as a Go duration string ("2s").
// It also reads a JSON number as nanoseconds.
type Duration time.Duration

// MarshalJSON writes the duration as a string such as "1.5s".
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON reads "300ms"-style strings or nanosecond numbers.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		*d = Duration(v)
		return nil
	}
	var n int64
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("a duration must be a string like \"2s\" or a number of nanoseconds")
	}
	*d = Duration(n)
	return nil
}

// String formats like time.Duration.
func (d Duration) String() string { return time.Duration(d).String() }
