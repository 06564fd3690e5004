package e2e

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// MessageWriter decodes terraform's -json UI output, one message a line, and
// hands each message to Each; other lines are dropped.
type MessageWriter struct {
	Each    func(tfjson.LogMsg)
	partial []byte
}

func (w *MessageWriter) Write(p []byte) (int, error) {
	w.partial = append(w.partial, p...)
	for {
		line, rest, found := bytes.Cut(w.partial, []byte("\n"))
		if !found {
			return len(p), nil
		}
		if msg, err := tfjson.UnmarshalLogMessage(line); err == nil {
			w.Each(msg)
		}
		w.partial = rest
	}
}

// ErrorSummaries returns the distinct summaries of the error diagnostics, in
// order of first appearance, each with its count when more than one.
func ErrorSummaries(diags []tfjson.Diagnostic) []string {
	return summaries(diags, func(d tfjson.Diagnostic) bool { return d.Severity == tfjson.DiagnosticSeverityError })
}

// WarningSummaries is ErrorSummaries for warnings, leaving out the
// dev_overrides notice every command prints.
func WarningSummaries(diags []tfjson.Diagnostic) []string {
	return summaries(diags, func(d tfjson.Diagnostic) bool {
		return d.Severity == tfjson.DiagnosticSeverityWarning && !strings.Contains(d.Summary, "development overrides")
	})
}

func summaries(diags []tfjson.Diagnostic, keep func(tfjson.Diagnostic) bool) []string {
	counts := map[string]int{}
	var order []string
	for _, d := range diags {
		if !keep(d) {
			continue
		}
		if counts[d.Summary] == 0 {
			order = append(order, d.Summary)
		}
		counts[d.Summary]++
	}
	out := make([]string, 0, len(order))
	for _, s := range order {
		if n := counts[s]; n > 1 {
			s += " (×" + strconv.Itoa(n) + ")"
		}
		out = append(out, s)
	}
	return out
}

// CountMentioning counts the diagnostics whose summary or detail contains s.
func CountMentioning(diags []tfjson.Diagnostic, s string) int {
	n := 0
	for _, d := range diags {
		if strings.Contains(d.Summary, s) || strings.Contains(d.Detail, s) {
			n++
		}
	}
	return n
}

// AddressedDiagnostic is a diagnostic with the resource instance address
// Terraform attached to it ("" when none), which tfjson.Diagnostic lacks.
type AddressedDiagnostic struct {
	tfjson.Diagnostic
	Address string
}

// ErrorDiagnostics decodes the error diagnostics of -json UI output.
func ErrorDiagnostics(stdout string) []AddressedDiagnostic {
	return AddressedDiagnostics(stdout, tfjson.DiagnosticSeverityError)
}

// AddressedDiagnostics decodes the diagnostics of -json UI output
// (Result.Stdout) of the given severities (none given: all), in order.
func AddressedDiagnostics(stdout string, severities ...tfjson.DiagnosticSeverity) []AddressedDiagnostic {
	var out []AddressedDiagnostic
	for _, line := range strings.Split(stdout, "\n") {
		var msg struct {
			Type       string `json:"type"`
			Diagnostic *struct {
				tfjson.Diagnostic
				Address string `json:"address"`
			} `json:"diagnostic"`
		}
		if json.Unmarshal([]byte(line), &msg) != nil || msg.Type != "diagnostic" || msg.Diagnostic == nil ||
			(len(severities) > 0 && !slices.Contains(severities, msg.Diagnostic.Severity)) {
			continue
		}
		out = append(out, AddressedDiagnostic{Diagnostic: msg.Diagnostic.Diagnostic, Address: msg.Diagnostic.Address})
	}
	return out
}

// LastLines is the last n lines of a command's output or a log.
func LastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}

// ProviderCrash returns the first line of a provider's crash (a Go panic or
// fatal error) that terraform printed on its standard error, or "".
func ProviderCrash(stderr string) string {
	if !strings.Contains(stderr, "plugin crashed") && !strings.Contains(stderr, "Stack trace from the") {
		return ""
	}
	for _, line := range strings.Split(stderr, "\n") {
		if line = strings.TrimSpace(line); strings.HasPrefix(line, "panic:") || strings.HasPrefix(line, "fatal error:") {
			return line
		}
	}
	return "the plugin crashed"
}
