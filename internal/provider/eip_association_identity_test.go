package provider_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/acctest"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/provider"
)

// expectIdentity checks the association's identity.
func expectIdentity(cloud *acctest.Cloud, eipID string) statecheck.StateCheck {
	return statecheck.ExpectIdentity(resourceName, identityOf(cloud, eipID))
}

// identityOf is the identity of the association of eipID: the EIP and the
// provider's region.
func identityOf(cloud *acctest.Cloud, eipID string) map[string]knownvalue.Check {
	return map[string]knownvalue.Check{"eip_id": knownvalue.StringExact(eipID), "region": knownvalue.StringExact(cloud.Client.Region())}
}

// testIdentity runs steps on Terraform 1.12+, which has resource identities,
// and checks that the test's EIP is left unbound.
func testIdentity(t *testing.T, cloud *acctest.Cloud, steps ...resource.TestStep) {
	t.Helper()
	acctest.Test(t, resource.TestCase{TerraformVersionChecks: acctest.Terraform112, CheckDestroy: cloud.CheckUnbound(cloud.EIPID), Steps: steps})
}

func identityImportBlock(eipID, region string) string {
	identity := fmt.Sprintf("eip_id = %q", eipID)
	if region != "" {
		identity += fmt.Sprintf(", region = %q", region)
	}
	return fmt.Sprintf("\nimport {\n  to       = %s\n  identity = { %s }\n}\n", resourceName, identity)
}

// Both forms of binding carry the same identity (the EIP and the region),
// and import by it as importing the EIP alone would.
func TestAccEIPAssociation_identity(t *testing.T) {
	acctest.Parallel(t)
	for name, form := range map[string]func(*acctest.Cloud) []string{
		"instance":          func(c *acctest.Cloud) []string { return byInstance(c.EIPID, c.InstanceID) },
		"network_interface": func(c *acctest.Cloud) []string { return byInterface(c.EIPID, c.NetworkInterfaceID, c.PrivateIP) },
	} {
		t.Run(name, func(t *testing.T) {
			cloud := newParallelCloud(t)
			testIdentity(t, cloud,
				resource.TestStep{
					Config: config(cloud, form(cloud)...),
					ConfigStateChecks: []statecheck.StateCheck{
						expectIdentity(cloud, cloud.EIPID),
						statecheck.ExpectIdentityValueMatchesState(resourceName, tfjsonpath.New("eip_id")),
					},
				},
				resource.TestStep{ResourceName: resourceName, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
				// The forms by id still import.
				resource.TestStep{ResourceName: resourceName, ImportState: true, ImportStateKind: resource.ImportBlockWithID},
				resource.TestStep{ResourceName: resourceName, ImportState: true, ImportStateKind: resource.ImportBlockWithID, ImportStateId: cloud.EIPID},
				importVerified(cloud.EIPID),
			)
		})
	}
}

// An import block naming the EIP alone by identity adopts a binding made
// outside Terraform, with the region left to the provider.
func TestAccEIPAssociation_importByIdentity(t *testing.T) {
	cloud := newParallelCloud(t)
	testIdentity(t, cloud, resource.TestStep{
		PreConfig:         func() { cloud.BindOutOfBand(t, cloud.EIPID, client.Target{InstanceID: cloud.InstanceID}) },
		Config:            instanceConfig(cloud) + identityImportBlock(cloud.EIPID, ""),
		ConfigPlanChecks:  appliedAs(plancheck.ResourceActionNoop),
		ConfigStateChecks: []statecheck.StateCheck{expectIdentity(cloud, cloud.EIPID), stateID(cloud.EIPID + "::" + cloud.InstanceID)},
	})
}

// What an identity may not name: another region, a malformed EIP id, an EIP
// with no binding.
func TestAccEIPAssociation_importByIdentityRefused(t *testing.T) {
	cloud := newParallelCloud(t)
	other := "ap-singapore"
	if cloud.Client.Region() == other {
		other = "ap-guangzhou"
	}
	cfg := instanceConfig(cloud)
	testIdentity(t, cloud,
		resource.TestStep{
			Config: cfg + identityImportBlock(cloud.EIPID, other),
			ExpectError: expectError(`Identity names another region.*names region "` + other + `", but the provider works in ` +
				`region "` + cloud.Client.Region() + `"`),
		},
		resource.TestStep{Config: cfg + identityImportBlock("eip-NOTANID", ""), ExpectError: expectError(`Invalid identity.*"eip-NOTANID" is not an EIP id`)},
		resource.TestStep{
			Config:      cfg + identityImportBlock(cloud.EIPID, cloud.Client.Region()),
			ExpectError: expectError(`Cannot import this EIP's binding.*there is no association to import`),
		},
	)
}

// State written before identities existed (here by the provider with its
// identity schema taken away) gains its identity on the next refresh, with
// no change planned.
func TestAccEIPAssociation_identityAddedToEarlierState(t *testing.T) {
	cloud := newParallelCloud(t)
	testIdentity(t, cloud,
		resource.TestStep{ProtoV6ProviderFactories: withoutIdentity, Config: instanceConfig(cloud), ConfigStateChecks: []statecheck.StateCheck{expectNoIdentity{}}},
		resource.TestStep{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			Config:                   instanceConfig(cloud),
			ConfigPlanChecks:         resource.ConfigPlanChecks{PreApply: emptyPlan},
			ConfigStateChecks:        []statecheck.StateCheck{expectIdentity(cloud, cloud.EIPID)},
		},
	)
}

// A binding gone while its state has no identity yet is still drift: a
// warning and a plan to bind again, not an error for the missing identity.
func TestAccEIPAssociation_driftOfStateWithoutIdentity(t *testing.T) {
	cloud := newParallelEmulator(t, "unbinds the EIP out of band")
	testIdentity(t, cloud,
		resource.TestStep{ProtoV6ProviderFactories: withoutIdentity, Config: instanceConfig(cloud)},
		resource.TestStep{
			PreConfig:                func() { cloud.Patch(t, cloud.EIPID, emulator.AddressPatch{Unbind: true}) },
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			Config:                   instanceConfig(cloud),
			ConfigPlanChecks:         appliedAs(plancheck.ResourceActionCreate),
			ConfigStateChecks:        []statecheck.StateCheck{expectIdentity(cloud, cloud.EIPID)},
		},
	)
}

// withoutIdentity serves the provider as it was before qcloud_eip_association
// had an identity: the same resource, its identity schema hidden.
var withoutIdentity = map[string]func() (tfprotov6.ProviderServer, error){
	acctest.ProviderName: providerserver.NewProtocol6WithError(providerWithoutIdentity{provider.New("test")()}),
}

type providerWithoutIdentity struct{ fwprovider.Provider }

func (providerWithoutIdentity) Resources(context.Context) []func() fwresource.Resource {
	return []func() fwresource.Resource{func() fwresource.Resource {
		return resourceWithoutIdentity{&provider.EIPAssociationResource{}}
	}}
}

// associationWithoutIdentity is what the resource implements but identity.
type associationWithoutIdentity interface {
	fwresource.ResourceWithConfigure
	fwresource.ResourceWithImportState
	fwresource.ResourceWithModifyPlan
	fwresource.ResourceWithUpgradeState
}

type resourceWithoutIdentity struct{ associationWithoutIdentity }

// expectNoIdentity checks that the state holds no identity for the
// association: the earlier state the next step starts from.
type expectNoIdentity struct{}

func (expectNoIdentity) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if req.State == nil || req.State.Values == nil || req.State.Values.RootModule == nil {
		resp.Error = fmt.Errorf("no state")
		return
	}
	for _, r := range req.State.Values.RootModule.Resources {
		if r.Address == resourceName && len(r.IdentityValues) > 0 {
			resp.Error = fmt.Errorf("%s has the identity %v, want none", resourceName, r.IdentityValues)
			return
		}
	}
}

// The provider moved to another region, where the EIP cannot be seen: the
// binding recorded is neither dropped as drift by a refresh nor reported
// unbound by a destroy, with or without identities (Terraform 1.11 keeps the
// region in private state).
func TestAccEIPAssociation_anotherRegionIsAnError(t *testing.T) {
	cloud := newParallelEmulator(t, "another region of the emulator is an empty world")
	moved := strings.Replace(instanceConfig(cloud), fmt.Sprintf("%q", cloud.Client.Region()), `"ap-shanghai"`, 1)
	const refused = `Association recorded in another region.*made in region "ap-guangzhou", but the provider now works in region "ap-shanghai"`
	testUnbound(t, cloud,
		resource.TestStep{Config: instanceConfig(cloud)},
		planFails(moved, refused),
		resource.TestStep{Config: moved, Destroy: true, ExpectError: expectError(refused)},
		resource.TestStep{
			Config: instanceConfig(cloud), PlanOnly: true,
			Check: cloud.CheckBound(cloud.EIPID, client.Target{InstanceID: cloud.InstanceID}),
		},
	)
}
