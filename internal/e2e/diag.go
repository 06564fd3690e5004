package e2e

import (
	"strconv"
	"strings"
)

// Diagnostic is one diagnostic as Terraform printed it (with -no-color):
//
//	Error: <summary>
//
//	  with qcloud_eip_association.a[3],
//	  ...
//	<detail>
type Diagnostic struct {
	Severity string // "Error" or "Warning"
	Summary  string
	// Body is every line after the summary up to the next diagnostic or the
	// end of the output (it may include unrelated progress lines).
	Body string
}

// Text is the whole diagnostic.
func (d Diagnostic) Text() string { return d.Severity + ": " + d.Summary + "\n" + d.Body }

// ParseDiagnostics finds the diagnostics in terraform output. It accepts the
// boxed form (lines starting with "│ ") as well as the plain one.
func ParseDiagnostics(out string) []Diagnostic {
	var diags []Diagnostic
	var cur *Diagnostic
	var body []string
	flush := func() {
		if cur != nil {
			cur.Body = strings.TrimSpace(strings.Join(body, "\n"))
			diags = append(diags, *cur)
		}
		cur, body = nil, nil
	}
	for _, line := range strings.Split(out, "\n") {
		trimmed := strings.TrimRight(line, " \r")
		boxed := false
		if rest, ok := strings.CutPrefix(trimmed, "│"); ok {
			trimmed, boxed = strings.TrimPrefix(rest, " "), true
		}
		if trimmed == "╷" || trimmed == "╵" {
			continue
		}
		started := false
		for _, sev := range []string{"Error", "Warning"} {
			if summary, ok := strings.CutPrefix(trimmed, sev+": "); ok {
				flush()
				cur = &Diagnostic{Severity: sev, Summary: strings.TrimSpace(summary)}
				started = true
				break
			}
		}
		if started || cur == nil {
			continue
		}
		// A plain diagnostic ends where Terraform's own progress lines resume.
		if !boxed && isProgressLine(trimmed) {
			flush()
			continue
		}
		body = append(body, trimmed)
	}
	flush()
	return diags
}

// isProgressLine recognises the resource progress lines terraform prints
// between diagnostics in plain output.
func isProgressLine(line string) bool {
	for _, marker := range []string{": Creating...", ": Destroying...", ": Still creating...", ": Still destroying...",
		": Creation complete", ": Destruction complete", ": Refreshing state...", ": Reading...",
		"Apply complete!", "Destroy complete!", "Plan: ", "No changes."} {
		if strings.Contains(line, marker) {
			return true
		}
	}
	return false
}

// ErrorSummaries returns the distinct summaries of the error diagnostics, in
// order of first appearance, each with its count when more than one.
func ErrorSummaries(diags []Diagnostic) []string {
	counts := map[string]int{}
	var order []string
	for _, d := range diags {
		if d.Severity != "Error" {
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
			out = append(out, s+" (×"+strconv.Itoa(n)+")")
		} else {
			out = append(out, s)
		}
	}
	return out
}

// CountMentioning counts the diagnostics whose text contains s (for example
// "RequestLimitExceeded": how often throttling reached the user).
func CountMentioning(diags []Diagnostic, s string) int {
	n := 0
	for _, d := range diags {
		if strings.Contains(d.Text(), s) {
			n++
		}
	}
	return n
}

// WarningSummaries is ErrorSummaries for warnings, leaving out the
// dev_overrides notice every run prints.
func WarningSummaries(diags []Diagnostic) []string {
	var ws []Diagnostic
	for _, d := range diags {
		if d.Severity == "Warning" && !strings.Contains(d.Summary, "development overrides") {
			ws = append(ws, Diagnostic{Severity: "Error", Summary: d.Summary})
		}
	}
	return ErrorSummaries(ws)
}
