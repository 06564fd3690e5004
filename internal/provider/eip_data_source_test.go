package provider_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/acctest"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// The data sources' world: the default one, plus a name two EIPs share
// (demo-eip-6), a name bulkName that sharedNameCount EIPs share (more than a
// page), and a normal public IP on ins-demo0001's primary private IP.
const (
	sharedName      = "demo-eip-6"
	bulkName        = "bulk"
	sharedNameCount = 120
	normalPublicID  = "eip-w0000001"
	normalPublicIP  = "198.51.100.50"
)

// eipData is the kind of a qcloud_eip data block.
const eipData = `data "qcloud_eip"`

func dataSourceWorld() emulator.Options {
	world := emulator.DefaultWorld()
	for i := range world.Addresses {
		if world.Addresses[i].AddressID == "eip-demo0007" {
			world.Addresses[i].AddressName = sharedName
		}
	}
	for i := 1; i <= sharedNameCount; i++ {
		world.Addresses = append(world.Addresses, emulator.Address{
			AddressID: fmt.Sprintf("eip-bulk%04d", i), AddressName: bulkName, AddressIP: fmt.Sprintf("100.64.1.%d", i),
			AddressType: emulator.AddressTypeEIP, Status: emulator.StatusUnbind,
		})
	}
	world.Addresses = append(world.Addresses, emulator.Address{
		AddressID: normalPublicID, AddressIP: normalPublicIP, AddressType: emulator.AddressTypeWanIP, Status: emulator.StatusBind,
		InstanceID: acctest.EmulatorInstance, NetworkInterfaceID: acctest.EmulatorInstanceENI, PrivateIP: acctest.EmulatorInstanceENIIP,
	})
	return unlimited(world)
}

// unlimited is the emulator's options for world, without rate limits.
func unlimited(world *emulator.World) emulator.Options {
	opts := emulator.DefaultOptions()
	opts.World = world
	opts.RateLimit = emulator.RateLimit{}
	return opts
}

// eipChecks are the attributes of an EIP the default world holds.
func eipChecks(address, id, name, publicIP, status string, blocked, arrears bool, instanceID, eniID, privateIP string) []statecheck.StateCheck {
	str := func(s string) knownvalue.Check {
		if s == "" {
			return knownvalue.Null()
		}
		return knownvalue.StringExact(s)
	}
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(address, tfjsonpath.New("id"), knownvalue.StringExact(id)),
		statecheck.ExpectKnownValue(address, tfjsonpath.New("name"), str(name)),
		statecheck.ExpectKnownValue(address, tfjsonpath.New("public_ip"), knownvalue.StringExact(publicIP)),
		statecheck.ExpectKnownValue(address, tfjsonpath.New("address_type"), knownvalue.StringExact("EIP")),
		statecheck.ExpectKnownValue(address, tfjsonpath.New("status"), knownvalue.StringExact(status)),
		statecheck.ExpectKnownValue(address, tfjsonpath.New("blocked"), knownvalue.Bool(blocked)),
		statecheck.ExpectKnownValue(address, tfjsonpath.New("arrears"), knownvalue.Bool(arrears)),
		statecheck.ExpectKnownValue(address, tfjsonpath.New("instance_id"), str(instanceID)),
		statecheck.ExpectKnownValue(address, tfjsonpath.New("network_interface_id"), str(eniID)),
		statecheck.ExpectKnownValue(address, tfjsonpath.New("private_ip"), str(privateIP)),
	}
}

func TestAccEIPDataSource_lookups(t *testing.T) {
	acctest.EmulatorOnly(t, "looks up the emulator's default world")
	acctest.Parallel(t)
	cloud := acctest.NewEmulator(t, dataSourceWorld())
	var checks []statecheck.StateCheck
	// The same bound EIP by each of its keys.
	for _, key := range []string{"by_id", "by_public_ip", "by_name"} {
		checks = append(checks, eipChecks("data.qcloud_eip."+key, acctest.EmulatorBoundEIP, "demo-eip-2", "203.0.113.2", "BIND",
			false, false, acctest.EmulatorBoundInstance, "eni-demo0002", "10.0.0.21")...)
	}
	checks = append(checks, eipChecks("data.qcloud_eip.free", acctest.EmulatorFreeEIP, "demo-eip-1", "203.0.113.1", "UNBIND",
		false, false, "", "", "")...)
	checks = append(checks, eipChecks("data.qcloud_eip.arrears", acctest.EmulatorArrearsEIP, "demo-eip-3", "203.0.113.3", "UNBIND",
		false, true, "", "", "")...)
	checks = append(checks, eipChecks("data.qcloud_eip.blocked_and_bound", "eip-demo0004", "demo-eip-4", "203.0.113.4", "BIND",
		true, false, "ins-demo0003", "eni-demo0003", "10.0.0.31")...)
	testSteps(t, resource.TestStep{
		Config: cloud.ProviderConfig + hclBlock(eipData, "by_id", `id = "eip-demo0002"`) +
			hclBlock(eipData, "by_public_ip", `public_ip = "203.0.113.2"`) + hclBlock(eipData, "by_name", `name = "demo-eip-2"`) +
			hclBlock(eipData, "free", `id = "eip-demo0001"`) + hclBlock(eipData, "arrears", `name = "demo-eip-3"`) +
			hclBlock(eipData, "blocked_and_bound", `public_ip = "203.0.113.4"`),
		ConfigStateChecks: checks,
	})
	must(t, writes(cloud, 0)) // reading data sources writes nothing
}

func TestAccEIPDataSource_errors(t *testing.T) {
	acctest.EmulatorOnly(t, "looks up the emulator's world")
	acctest.Parallel(t)
	tests := []struct {
		name   string
		lookup string
		want   string
	}{
		{"no EIP with that id", `id = "eip-zzzzzzzz"`, `No EIP found.*id = "eip-zzzzzzzz".*No EIP eip-zzzzzzzz exists in region ap-guangzhou: 0 matched`},
		{"no EIP with that public IP", `public_ip = "192.0.2.99"`, `No EIP found.*No EIP with public IP 192.0.2.99 exists in region ap-guangzhou: 0 matched.*WanIP`},
		{"no EIP with that name", `name = "nope"`, `No EIP found.*No EIP named "nope" exists in region ap-guangzhou: 0 matched`},
		{"two EIPs with that name", `name = "` + sharedName + `"`,
			`More than one EIP found.*2 EIPs named "demo-eip-6" exist in region ap-guangzhou \(eip-demo0006, eip-demo0007\).*by id.*qcloud_eips`},
		// Two pages of them, counted in full.
		{"more than a page of EIPs with that name", `name = "` + bulkName + `"`,
			fmt.Sprintf(`More than one EIP found.*%d EIPs named "bulk" exist.*eip-bulk0001, .*eip-bulk0010, and %d more\)`, sharedNameCount, sharedNameCount-10)},
		{"a normal public IP by id", `id = "` + normalPublicID + `"`, `Not an EIP: a normal public IP.*` + normalPublicIP + `.*instance ins-demo0001`},
		{"a normal public IP by address", `public_ip = "` + normalPublicIP + `"`, `No EIP found.*normal public IP \(address type WanIP\).*not shown`},
		{"no key", ``, `Invalid Attribute Combination.*one \(and only one\) of.*\[id,public_ip,name\]`},
		{"two keys", `id = "eip-demo0002"` + "\n  name = \"demo-eip-2\"", `Invalid Attribute Combination`},
		{"malformed id", `id = "eip-NOPE"`, `must be an EIP id`},
		{"malformed public IP", `public_ip = "203.0.113"`, `Invalid IPv4 Address String Value.*"203.0.113" is not an IPv4 address`},
	}
	cloud := acctest.NewEmulator(t, dataSourceWorld())
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acctest.Parallel(t)
			dataSourceFails(t, cloud, "qcloud_eip", tt.lookup, tt.want, i == 0)
		})
	}
}

func TestAccEIPDataSource_apiError(t *testing.T) {
	acctest.EmulatorOnly(t, "injects faults")
	acctest.Parallel(t)
	tests := []struct {
		code string
		want string
	}{
		// A rule about the resource's eip_id is put on the lookup's attribute.
		{"InvalidParameterValue.AddressIdMalformed", `EIP id refused.*with data.qcloud_eip.test.*name = "demo-eip-2".*` +
			`looking up the EIP named "demo-eip-2".*Code: InvalidParameterValue.AddressIdMalformed.*RequestId: `},
		{"UnauthorizedOperation", `Not authorized.*vpc:DescribeAddresses.*Code: UnauthorizedOperation.*RequestId: `},
	}
	for i, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			cloud := newParallelCloud(t)
			cloud.Inject(t, emulator.Fault{Action: "DescribeAddresses", Kind: emulator.FaultError, Code: tt.code})
			dataSourceFails(t, cloud, "qcloud_eip", `name = "demo-eip-2"`, tt.want, i == 0)
		})
	}
}

// dataSourceFails checks that a data source of typeName configured with
// lines fails with an error matching pattern (see expectError). A table's
// first case goes through Terraform, which shows the error with its line;
// the others validate the configuration over the protocol and, when that
// passes, read it, as terraform plan does: this must give that one error.
func dataSourceFails(t *testing.T, cloud *acctest.Cloud, typeName, lines, pattern string, throughTerraform bool) {
	t.Helper()
	if throughTerraform {
		testApplyFails(t, cloud.ProviderConfig+hclBlock(`data "`+typeName+`"`, "test", lines), pattern)
		return
	}
	ctx := context.Background()
	srv, _ := configuredServer(t, cloud)
	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	typ := schemas.DataSourceSchemas[typeName].ValueType()
	config := dynamicValue(t, typ, hclValue(t, typ, lines))
	validated, err := srv.ValidateDataResourceConfig(ctx, &tfprotov6.ValidateDataResourceConfigRequest{TypeName: typeName, Config: config})
	if err != nil {
		t.Fatal(err)
	}
	diags := validated.Diagnostics
	if len(diags) == 0 {
		read, err := srv.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{TypeName: typeName, Config: config})
		if err != nil {
			t.Fatal(err)
		}
		diags = read.Diagnostics
	}
	if len(diags) != 1 {
		t.Errorf("%s: %s; want one error", lines, describeDiagnostics(diags))
	}
	checkErrors(t, lines, diags, pattern)
}
