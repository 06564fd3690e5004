package provider_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/acctest"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// eipsData is the kind of a qcloud_eips data block.
const eipsData = `data "qcloud_eips"`

// eipIDs checks that a list of EIPs holds exactly these ids, in this order.
func eipIDs(ids ...string) knownvalue.Check {
	entries := make([]knownvalue.Check, 0, len(ids))
	for _, id := range ids {
		entries = append(entries, knownvalue.ObjectPartial(map[string]knownvalue.Check{"id": knownvalue.StringExact(id)}))
	}
	return knownvalue.ListExact(entries)
}

func TestAccEIPsDataSource_filters(t *testing.T) {
	acctest.EmulatorOnly(t, "lists the emulator's world")
	acctest.Parallel(t)
	cloud := acctest.NewEmulator(t, dataSourceWorld())
	eips := func(name string) string { return "data.qcloud_eips." + name }
	testSteps(t, resource.TestStep{
		Config: cloud.ProviderConfig + hclBlock(eipsData, "by_names", `names = ["demo-eip-3", "demo-eip-1", "no-such-name"]`) +
			hclBlock(eipsData, "by_public_ips", `public_ips = ["203.0.113.9", "203.0.113.2"]`) +
			hclBlock(eipsData, "by_statuses", `statuses = ["BIND", "BIND_ENI"]`) + hclBlock(eipsData, "bound", `bound = true`) +
			hclBlock(eipsData, "unbound_named", `names = ["demo-eip-2", "demo-eip-6"]`, `bound = false`) +
			hclBlock(eipsData, "nothing", `statuses = ["UNBIND"]`, `bound = true`) +
			hclBlock(eipsData, "normal_public_ip", `public_ips = ["`+normalPublicIP+`"]`),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(eips("by_names"), tfjsonpath.New("eips"), eipIDs("eip-demo0001", "eip-demo0003")),
			statecheck.ExpectKnownValue(eips("by_public_ips"), tfjsonpath.New("eips"), eipIDs("eip-demo0002", "eip-demo0009")),
			// The normal public IP on ins-demo0001 is bound too, but it is not an EIP.
			statecheck.ExpectKnownValue(eips("by_statuses"), tfjsonpath.New("eips"), eipIDs("eip-demo0002", "eip-demo0004")),
			statecheck.ExpectKnownValue(eips("bound"), tfjsonpath.New("eips"), eipIDs("eip-demo0002", "eip-demo0004")),
			statecheck.ExpectKnownValue(eips("unbound_named"), tfjsonpath.New("eips"), eipIDs("eip-demo0006", "eip-demo0007")),
			statecheck.ExpectKnownValue(eips("nothing"), tfjsonpath.New("eips"), knownvalue.ListSizeExact(0)),
			statecheck.ExpectKnownValue(eips("normal_public_ip"), tfjsonpath.New("eips"), knownvalue.ListSizeExact(0)),
			// Each entry has every attribute of qcloud_eip.
			statecheck.ExpectKnownValue(eips("by_public_ips"), tfjsonpath.New("eips").AtSliceIndex(0), knownvalue.ObjectExact(map[string]knownvalue.Check{
				"id":                   knownvalue.StringExact(acctest.EmulatorBoundEIP),
				"name":                 knownvalue.StringExact("demo-eip-2"),
				"public_ip":            knownvalue.StringExact("203.0.113.2"),
				"address_type":         knownvalue.StringExact("EIP"),
				"status":               knownvalue.StringExact("BIND"),
				"blocked":              knownvalue.Bool(false),
				"arrears":              knownvalue.Bool(false),
				"instance_id":          knownvalue.StringExact(acctest.EmulatorBoundInstance),
				"network_interface_id": knownvalue.StringExact("eni-demo0002"),
				"private_ip":           knownvalue.StringExact("10.0.0.21"),
			})),
			// The filters are kept as written.
			statecheck.ExpectKnownValue(eips("bound"), tfjsonpath.New("names"), knownvalue.Null()),
		},
	})
}

// More than a page (100) of EIPs, read in full.
func TestAccEIPsDataSource_pagination(t *testing.T) {
	acctest.EmulatorOnly(t, "lists the emulator's world")
	acctest.Parallel(t)
	cloud := acctest.NewEmulator(t, dataSourceWorld())
	// The world's EIPs, counted from the emulator itself: more than a page.
	unbound, all, lastUnbound := 0, 0, ""
	for _, a := range cloud.Emulator.Snapshot().Addresses {
		if a.AddressType != emulator.AddressTypeEIP {
			continue
		}
		all++
		if a.Status == emulator.StatusUnbind {
			unbound++
			lastUnbound = max(lastUnbound, a.AddressID)
		}
	}
	if unbound <= 100 {
		t.Fatalf("the world has %d unbound EIPs; the test needs more than a page", unbound)
	}
	testSteps(t, resource.TestStep{
		Config: cloud.ProviderConfig + hclBlock(eipsData, "unbound", `bound = false`) + hclBlock(eipsData, "all"),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.qcloud_eips.unbound", tfjsonpath.New("eips"), knownvalue.ListSizeExact(unbound)),
			statecheck.ExpectKnownValue("data.qcloud_eips.all", tfjsonpath.New("eips"), knownvalue.ListSizeExact(all)),
			// In id order: the bulk EIPs first, the demo ones last.
			statecheck.ExpectKnownValue("data.qcloud_eips.unbound", tfjsonpath.New("eips").AtSliceIndex(0).AtMapKey("id"),
				knownvalue.StringExact("eip-bulk0001")),
			statecheck.ExpectKnownValue("data.qcloud_eips.unbound", tfjsonpath.New("eips").AtSliceIndex(unbound-1).AtMapKey("id"),
				knownvalue.StringExact(lastUnbound)),
		},
	})
}

func TestAccEIPsDataSource_configErrors(t *testing.T) {
	cloud := newParallelEmulator(t, "checks configurations")
	tests := []struct {
		filter string
		want   string
	}{
		{`statuses = ["BOUND"]`, `value must be one of.*UNBIND`},
		{`names = []`, `names.*set must contain at least 1 elements`},
		{`public_ips = ["203.0.113"]`, `Invalid IPv4 Address String Value.*"203.0.113" is not an IPv4 address`},
	}
	for i, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			acctest.Parallel(t)
			dataSourceFails(t, cloud, "qcloud_eips", tt.filter, tt.want, i == 0)
		})
	}
}
