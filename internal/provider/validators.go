package provider

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// Validators more than one schema uses.

// timeoutAttributes gives each timeout of a timeouts attribute the one check
// that it is a positive duration, in place of the timeouts package's own,
// whose message offers "-1.5h" as an example.
func timeoutAttributes(a schema.Attribute) schema.Attribute {
	nested, ok := a.(schema.SingleNestedAttribute)
	if !ok {
		return a
	}
	attributes := make(map[string]schema.Attribute, len(nested.Attributes))
	for name, inner := range nested.Attributes {
		if s, ok := inner.(schema.StringAttribute); ok {
			s.Validators = []validator.String{positiveDuration{}}
			inner = s
		}
		attributes[name] = inner
	}
	nested.Attributes = attributes
	return nested
}

// positiveDuration accepts a Go duration string greater than zero: "0s" or
// "-1m" would make every operation time out at once.
type positiveDuration struct{}

func (positiveDuration) Description(context.Context) string {
	return `must be a duration greater than zero: a number and a unit, such as "30s", "10m" or "1h30m"`
}

func (v positiveDuration) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v positiveDuration) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	if d, err := time.ParseDuration(raw); err != nil || d <= 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid timeout", fmt.Sprintf("%s = %q is not a timeout: it %s.", req.Path, raw, v.Description(ctx)))
	}
}

// sentence makes an error's text a sentence of a diagnostic's detail: a
// capital first letter, a final period.
func sentence(s string) string {
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// requestRate accepts a number of requests per second the client can pace.
type requestRate struct{ min, max float64 }

func (v requestRate) Description(context.Context) string {
	return fmt.Sprintf("must be between %s and %s requests per second", formatRate(v.min), formatRate(v.max))
}

func (v requestRate) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v requestRate) ValidateFloat64(ctx context.Context, req validator.Float64Request, resp *validator.Float64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if r := req.ConfigValue.ValueFloat64(); r < v.min || r > v.max {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid request rate",
			fmt.Sprintf("%s is not a request rate the provider can use: it %s.", formatRate(r), v.Description(ctx)))
	}
}

// formatRate writes a rate as a person would: 0.1, 1000.
func formatRate(r float64) string { return strconv.FormatFloat(r, 'f', -1, 64) }

// ipv4Address accepts an IPv4 address in dotted-decimal form.
type ipv4Address struct{}

func (ipv4Address) Description(context.Context) string {
	return "must be an IPv4 address: four numbers from 0 to 255 separated by dots, such as 10.0.0.12"
}

func (v ipv4Address) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v ipv4Address) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || isIPv4(req.ConfigValue.ValueString()) {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid IPv4 Address String Value",
		fmt.Sprintf("%q is not an IPv4 address: write four numbers from 0 to 255 separated by dots, such as 10.0.0.12.",
			req.ConfigValue.ValueString()))
}

// endpointValidator runs checkEndpoint at validate time on a configured value.
type endpointValidator struct{}

func (endpointValidator) Description(context.Context) string {
	return "must be an https URL, or an http URL to a loopback host"
}

func (v endpointValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (endpointValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := checkEndpoint(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid endpoint", sentence(err.Error()))
	}
}
