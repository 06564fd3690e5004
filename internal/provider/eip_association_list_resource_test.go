package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/acctest"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// testQuery runs steps, terraform query among them, on Terraform 1.14+ (not
// OpenTofu), and checkDestroy (if any) after the destroy.
func testQuery(t *testing.T, checkDestroy resource.TestCheckFunc, steps ...resource.TestStep) {
	t.Helper()
	acctest.SkipUnderOpenTofu(t, "terraform query")
	acctest.Test(t, resource.TestCase{TerraformVersionChecks: acctest.Terraform114, CheckDestroy: checkDestroy, Steps: steps})
}

// listBlock is a list "qcloud_eip_association" block with the given
// arguments and config lines.
func listBlock(name string, args []string, config ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "list \"qcloud_eip_association\" %q {\n  provider = qcloud\n", name)
	for _, a := range args {
		fmt.Fprintf(&b, "  %s\n", a)
	}
	if len(config) > 0 {
		fmt.Fprintf(&b, "  config {\n    %s\n  }\n", strings.Join(config, "\n    "))
	}
	b.WriteString("}\n")
	return b.String()
}

// byEIP selects the result of one EIP.
func byEIP(cloud *acctest.Cloud, eipID string) queryfilter.QueryFilter {
	return queryfilter.ByResourceIdentity(identityOf(cloud, eipID))
}

func known(path string, check knownvalue.Check) querycheck.KnownValueCheck {
	return querycheck.KnownValueCheck{Path: tfjsonpath.New(path), KnownValue: check}
}

// listBindings are the bindings of the list tests, besides the default
// world's eip-demo0002 (on ins-demo0002) and eip-demo0004 (on ins-demo0003):
// an instance binding, one on a secondary IP of the same instance's primary
// interface, and one on a network interface attached to no instance.
func listBindings(cloud *acctest.Cloud) string {
	return cloud.ProviderConfig + block("instance", byInstance(acctest.EmulatorFreeEIP, acctest.EmulatorInstance)...) +
		block("secondary", byInterface(acctest.EmulatorSpareEIP, acctest.EmulatorInstanceENI, acctest.EmulatorSecondaryIP)...) +
		block("dangling", byInterface(acctest.EmulatorAnotherSpareEIP, acctest.EmulatorDanglingENI, acctest.EmulatorDanglingENIIP)...)
}

// terraform query lists every binding of the region as importing its EIP
// would record it, and never a normal public IP.
func TestAccEIPAssociationList_all(t *testing.T) {
	acctest.EmulatorOnly(t, "counts every binding of the region")
	cloud := newParallelCloud(t)
	const all = "qcloud_eip_association.all"
	testQuery(t, cloud.CheckUnbound(acctest.EmulatorFreeEIP, acctest.EmulatorSpareEIP, acctest.EmulatorAnotherSpareEIP),
		resource.TestStep{Config: listBindings(cloud)},
		resource.TestStep{
			Query:  true,
			Config: listBlock("all", []string{"include_resource = true"}),
			QueryResultChecks: []querycheck.QueryResultCheck{
				querycheck.ExpectLength(all, 5),
				querycheck.ExpectNoIdentity(all, identityOf(cloud, acctest.EmulatorNormalPublicIP)),
				querycheck.ExpectIdentity(all, identityOf(cloud, acctest.EmulatorBoundEIP)),
				querycheck.ExpectResourceDisplayName(all, byEIP(cloud, acctest.EmulatorFreeEIP), knownvalue.StringRegexp(regexp.MustCompile(
					`^eip-demo0001 \(\d+\.\d+\.\d+\.\d+\) on instance ins-demo0001 \(network interface eni-demo0001 private IP 10\.0\.0\.11\)$`))),
				querycheck.ExpectResourceKnownValues(all, byEIP(cloud, acctest.EmulatorFreeEIP), []querycheck.KnownValueCheck{
					known("id", knownvalue.StringExact(acctest.EmulatorFreeEIP+"::"+acctest.EmulatorInstance)),
					known("instance_id", knownvalue.StringExact(acctest.EmulatorInstance)),
					known("network_interface_id", knownvalue.Null()),
					known("private_ip", knownvalue.Null()),
					known("public_ip", knownvalue.StringRegexp(ipv4Pattern)),
					known("reallocate_normal_public_ip", knownvalue.Bool(false)),
					known("allow_reassociation", knownvalue.Bool(false)),
					known("timeouts", knownvalue.Null()),
				}),
				// On the instance's primary interface, but not its primary IP.
				querycheck.ExpectResourceKnownValues(all, byEIP(cloud, acctest.EmulatorSpareEIP), []querycheck.KnownValueCheck{
					known("id", knownvalue.StringExact(acctest.EmulatorSpareEIP+"::"+acctest.EmulatorInstanceENI+"::"+acctest.EmulatorSecondaryIP)),
					known("instance_id", knownvalue.Null()),
					known("network_interface_id", knownvalue.StringExact(acctest.EmulatorInstanceENI)),
					known("private_ip", knownvalue.StringExact(acctest.EmulatorSecondaryIP)),
				}),
				querycheck.ExpectResourceKnownValues(all, byEIP(cloud, acctest.EmulatorAnotherSpareEIP), []querycheck.KnownValueCheck{
					known("instance_id", knownvalue.Null()),
					known("network_interface_id", knownvalue.StringExact(acctest.EmulatorDanglingENI)),
				}),
				querycheck.ExpectResourceDisplayName(all, byEIP(cloud, acctest.EmulatorAnotherSpareEIP), knownvalue.StringExact(
					"eip-demo0007 (203.0.113.7) on network interface eni-demo0005 private IP 10.0.1.5")),
			},
		},
	)
}

// The filters, alone and together, and limit.
func TestAccEIPAssociationList_filters(t *testing.T) {
	acctest.EmulatorOnly(t, "counts the bindings of the default world")
	cloud := newParallelCloud(t)
	query := strings.Join([]string{
		listBlock("by_instance", nil, fmt.Sprintf("instance_ids = [%q, %q]", acctest.EmulatorInstance, acctest.EmulatorWanIPInstance)),
		listBlock("by_interface", nil, fmt.Sprintf("network_interface_ids = [%q]", acctest.EmulatorDanglingENI)),
		listBlock("by_eip", nil, fmt.Sprintf("eip_ids = [%q, %q, %q]", acctest.EmulatorBoundEIP, acctest.EmulatorNormalPublicIP, acctest.EmulatorThirdSpareEIP)),
		listBlock("by_private_ip", nil, fmt.Sprintf("private_ips = [%q, %q]", acctest.EmulatorSecondaryIP, acctest.EmulatorDanglingENIIP)),
		listBlock("by_public_ip", nil, `public_ips = ["203.0.113.2", "203.0.113.1"]`),
		listBlock("by_name", nil, `address_names = ["demo-eip-2", "demo-eip-4"]`),
		listBlock("together", nil, fmt.Sprintf("instance_ids = [%q]", acctest.EmulatorInstance), fmt.Sprintf("eip_ids = [%q]", acctest.EmulatorSpareEIP)),
		listBlock("limited", []string{"limit = 2"}),
	}, "\n")
	testQuery(t, cloud.CheckUnbound(acctest.EmulatorFreeEIP, acctest.EmulatorSpareEIP, acctest.EmulatorAnotherSpareEIP),
		resource.TestStep{Config: listBindings(cloud)},
		resource.TestStep{
			Query:  true,
			Config: query,
			QueryResultChecks: []querycheck.QueryResultCheck{
				querycheck.ExpectLength("qcloud_eip_association.by_instance", 2),
				querycheck.ExpectLength("qcloud_eip_association.by_interface", 1),
				querycheck.ExpectIdentity("qcloud_eip_association.by_interface", identityOf(cloud, acctest.EmulatorAnotherSpareEIP)),
				querycheck.ExpectLength("qcloud_eip_association.by_eip", 1),
				querycheck.ExpectLength("qcloud_eip_association.by_private_ip", 2),
				querycheck.ExpectLength("qcloud_eip_association.by_public_ip", 2),
				querycheck.ExpectLength("qcloud_eip_association.by_name", 2),
				querycheck.ExpectLength("qcloud_eip_association.together", 1),
				querycheck.ExpectLength("qcloud_eip_association.limited", 2),
			},
		},
	)
}

// Filter values that cannot name a binding are errors on the attribute,
// before any call.
func TestAccEIPAssociationList_invalidFilters(t *testing.T) {
	cloud := newParallelCloud(t)
	steps := []resource.TestStep{{Config: cloud.ProviderConfig}}
	for _, tt := range []struct{ filter, want string }{
		{`eip_ids = ["eip-1"]`, `Invalid Attribute Value Match.*Attribute eip_ids\[0\] must be an EIP id: eip- followed by 8 lowercase letters or digits`},
		{`instance_ids = ["i-123"]`, `instance_ids\[0\] must be an instance id`},
		{`network_interface_ids = ["eni-ABCDEFGH"]`, `network_interface_ids\[0\] must be a network interface id`},
		{`private_ips = ["10.0.0.300"]`, `Invalid IPv4 Address String Value.*"10\.0\.0\.300" is not an IPv4 address`},
		{`eip_ids = []`, `eip_ids list must contain at least 1 elements`},
	} {
		steps = append(steps, resource.TestStep{Query: true, Config: listBlock("bad", nil, tt.filter), ExpectError: expectError(tt.want)})
	}
	testQuery(t, nil, steps...)
}

// listScale is the number of bindings of the scale test: the default
// world's two, and generated ones.
const listScale = 1000

// A query of 1,000 bindings reads them 100 per DescribeAddresses call: 10
// calls, whatever the rate limits.
func TestAccEIPAssociationList_scale(t *testing.T) {
	acctest.EmulatorOnly(t, "binds 1,000 EIPs")
	acctest.Parallel(t)
	opts := emulator.DefaultOptions()
	opts.Scale = listScale
	cloud := acctest.NewEmulator(t, opts)
	testQuery(t, nil,
		resource.TestStep{Config: cloud.ProviderConfig},
		resource.TestStep{
			PreConfig: func() {
				for i := 1; i <= listScale-2; i++ {
					cloud.Patch(t, fmt.Sprintf("eip-sc%06d", i), emulator.AddressPatch{BindInstanceID: fmt.Sprintf("ins-sc%06d", i)})
				}
				cloud.Emulator.ResetStats()
			},
			Query:  true,
			Config: listBlock("all", []string{"include_resource = true", fmt.Sprintf("limit = %d", listScale)}),
			QueryResultChecks: []querycheck.QueryResultCheck{
				querycheck.ExpectLength("qcloud_eip_association.all", listScale),
				querycheck.ExpectResourceKnownValues("qcloud_eip_association.all", byEIP(cloud, "eip-sc000777"), []querycheck.KnownValueCheck{
					known("instance_id", knownvalue.StringExact("ins-sc000777")),
				}),
				callsAtMost{cloud: cloud, action: "DescribeAddresses", most: listScale / 100},
			},
		},
	)
}

// callsAtMost checks, after a query, that the emulator counted at most most
// calls of action.
type callsAtMost struct {
	cloud  *acctest.Cloud
	action string
	most   int
}

func (c callsAtMost) CheckQuery(_ context.Context, _ querycheck.CheckQueryRequest, resp *querycheck.CheckQueryResponse) {
	if n := c.cloud.Emulator.Stats().Calls[c.action]; n > c.most || n == 0 {
		resp.Error = fmt.Errorf("the query made %d %s calls, want 1 to %d (%s)", n, c.action, c.most, c.cloud.CallsOf())
	}
}

// An API error while listing is a diagnostic in the table's words, with what
// support needs.
func TestAccEIPAssociationList_apiError(t *testing.T) {
	acctest.EmulatorOnly(t, "injects a fault")
	cloud := newParallelCloud(t)
	testQuery(t, nil,
		resource.TestStep{Config: cloud.ProviderConfig},
		resource.TestStep{
			PreConfig: func() {
				cloud.Inject(t, emulator.Fault{Action: "DescribeAddresses", Kind: emulator.FaultError, Code: "UnauthorizedOperation"})
			},
			Query: true, Config: listBlock("all", nil),
			ExpectError: expectError(`Not authorized.*While listing the EIP bindings of region ` + cloud.Client.Region() +
				`: The credentials are valid, but their CAM policy does not allow this action.*Code: UnauthorizedOperation.*RequestId: `),
		},
	)
}
