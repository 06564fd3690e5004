package provider_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/acctest"
)

// Tests that check one case of a table through Terraform check the others
// here, over the plugin protocol: the calls Terraform would make, without a
// terraform process (each costs a CPU-tenth of a second, and a test case
// starts a dozen).

// protocolWalk replays, at the protocol level, a walk of a Terraform command
// (a plan, an apply): a provider server configured for the walk, whose
// operations share a run, as with Terraform. (A refresh's Read, which shares
// nothing with the run, is readOverProtocol's.)
type protocolWalk struct {
	t    *testing.T
	srv  tfprotov6.ProviderServer
	typ  tftypes.Type            // the association's value type
	none *tfprotov6.DynamicValue // the null object: no state, or no configuration
}

// newProtocolWalk is a walk of a provider configured for cloud.
func newProtocolWalk(t *testing.T, cloud *acctest.Cloud) protocolWalk {
	t.Helper()
	srv, typ := configuredServer(t, cloud)
	return walkOn(t, srv, typ)
}

func walkOn(t *testing.T, srv tfprotov6.ProviderServer, typ tftypes.Type) protocolWalk {
	return protocolWalk{t, srv, typ, dynamicValue(t, typ, tftypes.NewValue(typ, nil))}
}

// attributes are v's attributes; none when v is null.
func (w protocolWalk) attributes(v *tfprotov6.DynamicValue) (attributes map[string]tftypes.Value) {
	value, err := v.Unmarshal(w.typ)
	if err != nil || value.As(&attributes) != nil {
		w.t.Fatalf("%v: %v", value, err)
	}
	return attributes
}

var computedAttributes = []string{"id", "public_ip", "reallocate_normal_public_ip", "allow_reassociation"}

// plan is PlanResourceChange of the association configured by lines (as
// attr writes them) against prior, with the proposed new state Terraform
// sends: the configuration, and the prior values of the computed attributes
// it leaves null. It returns the configuration too.
func (w protocolWalk) plan(prior *tfprotov6.DynamicValue, private []byte, lines ...string) (*tfprotov6.PlanResourceChangeResponse, *tfprotov6.DynamicValue) {
	var config map[string]tftypes.Value
	if err := hclValue(w.t, w.typ, strings.Join(lines, "\n")).As(&config); err != nil {
		w.t.Fatal(err)
	}
	proposed := w.attributes(prior)
	for name, v := range config {
		if _, was := proposed[name]; !was || !v.IsNull() || !slices.Contains(computedAttributes, name) {
			proposed[name] = v
		}
	}
	configured := dynamicValue(w.t, w.typ, tftypes.NewValue(w.typ, config))
	resp, err := w.srv.PlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{
		TypeName: "qcloud_eip_association", PriorState: prior, PriorPrivate: private, Config: configured,
		ProposedNewState: dynamicValue(w.t, w.typ, tftypes.NewValue(w.typ, proposed)),
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return resp, configured
}

// apply is ApplyResourceChange from prior to planned (null for a destroy).
func (w protocolWalk) apply(prior, planned *tfprotov6.DynamicValue, private []byte, config *tfprotov6.DynamicValue) *tfprotov6.ApplyResourceChangeResponse {
	resp, err := w.srv.ApplyResourceChange(context.Background(), &tfprotov6.ApplyResourceChangeRequest{
		TypeName: "qcloud_eip_association", PriorState: prior, PlannedState: planned, PlannedPrivate: private, Config: config,
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return resp
}

// validate is ValidateResourceConfig of the association's config.
func (w protocolWalk) validate(config *tfprotov6.DynamicValue) []*tfprotov6.Diagnostic {
	resp, err := w.srv.ValidateResourceConfig(context.Background(), &tfprotov6.ValidateResourceConfigRequest{
		TypeName: "qcloud_eip_association", Config: config,
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return resp.Diagnostics
}

// create is terraform apply of a new association configured by lines:
// validate, plan, apply, each only when those before found no error. It
// returns the apply (nil when it did not run) and every diagnostic.
func (w protocolWalk) create(lines ...string) (*tfprotov6.ApplyResourceChangeResponse, []*tfprotov6.Diagnostic) {
	diags := w.validate(dynamicValue(w.t, w.typ, hclValue(w.t, w.typ, strings.Join(lines, "\n"))))
	if hasDiagnostic(diags, tfprotov6.DiagnosticSeverityError, "") {
		return nil, diags
	}
	planned, config := w.plan(w.none, nil, lines...)
	if diags = append(diags, planned.Diagnostics...); hasDiagnostic(diags, tfprotov6.DiagnosticSeverityError, "") {
		return nil, diags
	}
	applied := w.apply(w.none, planned.PlannedState, planned.PlannedPrivate, config)
	return applied, append(diags, applied.Diagnostics...)
}

// createFails is create, expecting an error matching pattern.
func createFails(t *testing.T, cloud *acctest.Cloud, pattern string, lines ...string) {
	t.Helper()
	_, diags := newProtocolWalk(t, cloud).create(lines...)
	checkErrors(t, "create", diags, pattern)
}

// importOverProtocol imports id as terraform import does, in a fresh
// provider: ImportResourceState, then a read of what it imported. It returns
// all their diagnostics.
func importOverProtocol(t *testing.T, cloud *acctest.Cloud, id string) []*tfprotov6.Diagnostic {
	t.Helper()
	srv, _ := configuredServer(t, cloud)
	imported, err := srv.ImportResourceState(context.Background(), &tfprotov6.ImportResourceStateRequest{TypeName: "qcloud_eip_association", ID: id})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range imported.ImportedResources {
		imported.Diagnostics = append(imported.Diagnostics, readOverProtocol(t, cloud, r.State, r.Private).Diagnostics...)
	}
	return imported.Diagnostics
}

// checkErrors checks the errors among diags: none when pattern is "", else
// one matching pattern (see expectError) as Terraform shows it: summary, the
// attribute it is on, detail.
func checkErrors(t *testing.T, what string, diags []*tfprotov6.Diagnostic, pattern string) {
	t.Helper()
	errors, matched := 0, false
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			errors++
			matched = matched || pattern != "" && expectError(pattern).MatchString(d.Summary+"\n"+d.Attribute.String()+"\n"+d.Detail)
		}
	}
	if pattern == "" && errors > 0 || pattern != "" && !matched {
		t.Errorf("%s: %s\nwant errors matching %q", what, describeDiagnostics(diags), pattern)
	}
}

// hclValue is body (HCL attributes and blocks of literals; or a block, such
// as a provider block, holding them) as a value of typ, as Terraform sends
// that configuration: unset attributes null, each block an element of a list.
func hclValue(t *testing.T, typ tftypes.Type, body string) tftypes.Value {
	t.Helper()
	file, diags := hclsyntax.ParseConfig([]byte(body), "test.tf", hcl.InitialPos)
	parsed, ok := file.Body.(*hclsyntax.Body)
	if !ok {
		t.Fatalf("%s\n%s", diags, body)
	}
	if len(parsed.Attributes) == 0 && len(parsed.Blocks) == 1 && len(parsed.Blocks[0].Labels) > 0 {
		parsed = parsed.Blocks[0].Body
	}
	object, more := literalObject(parsed)
	if diags = append(diags, more...); diags.HasErrors() {
		t.Fatalf("%s\n%s", diags, body)
	}
	raw, err := ctyjson.Marshal(object, object.Type())
	if err != nil {
		t.Fatal(err)
	}
	value, err := tftypes.ValueFromJSONWithOpts(raw, typ, tftypes.ValueFromJSONOpts{})
	if err != nil {
		t.Fatalf("%s as %s: %v", raw, typ, err)
	}
	return value
}

func literalObject(body *hclsyntax.Body) (cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	fields := map[string]cty.Value{}
	for name, attribute := range body.Attributes {
		v, more := attribute.Expr.Value(nil)
		fields[name], diags = v, append(diags, more...)
	}
	blocks := map[string][]cty.Value{}
	for _, block := range body.Blocks {
		v, more := literalObject(block.Body)
		blocks[block.Type], diags = append(blocks[block.Type], v), append(diags, more...)
	}
	for name, list := range blocks {
		fields[name] = cty.TupleVal(list)
	}
	return cty.ObjectVal(fields), diags
}
