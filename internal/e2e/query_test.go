package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// queryScale is how many generated instances (and EIPs) the query test's
// emulator holds.
const queryScale = 40

// TestQueryGeneratedConfigPlansImportsOnly adopts every binding of a region
// of a few dozen with terraform query -generate-config-out (Terraform 1.14+,
// the Terraform beside the clone): instance bindings, bindings on secondary
// IPs and on a network interface attached to nothing, beside normal public
// IPs, which must not be listed. The generated configuration must plan the
// imports and nothing else.
func TestQueryGeneratedConfigPlansImportsOnly(t *testing.T) {
	ctx, bins := startTest(t, 8*time.Minute)
	bins.Terraform = sharedBinary(ctx, t, "terraform") // terraform query needs Terraform 1.14+
	emu := startEmulator(ctx, t, EmulatorConfig{Binary: bins.Emulator, Scale: queryScale})
	want := bindForQuery(ctx, t, emu.Control())

	ws := newWorkspace(ctx, t, bins, emu, filepath.Join(t.TempDir(), "ws"), header(""))
	if err := ws.WriteFile("adopt.tfquery.hcl", QueryConfig(1000)); err != nil {
		t.Fatal(err)
	}
	if err := emu.Control().ResetStats(ctx); err != nil {
		t.Fatal(err)
	}
	var messages []tfjson.LogMsg
	res := ws.Run(ctx, 2*time.Minute, Query(&messages, tfexec.GenerateConfigOut("generated.tf")))
	if !res.OK() {
		t.Fatalf("terraform query -generate-config-out: %s", res.Summary())
	}
	if d := append(ErrorSummaries(res.Diagnostics), WarningSummaries(res.Diagnostics)...); len(d) > 0 {
		t.Errorf("terraform query reported: %v", d)
	}
	var listed []string
	for _, m := range messages {
		if found, ok := m.(tfjson.ListResourceFoundMessage); ok {
			listed = append(listed, fmt.Sprint(found.ListResourceFound.Identity["eip_id"]))
		}
	}
	slices.Sort(listed)
	if !slices.Equal(listed, want) {
		t.Errorf("terraform query listed %v, want the bindings %v (and no normal public IP)", listed, want)
	}
	stats, err := emu.Control().Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if calls := stats.Calls["DescribeAddresses"]; calls != 1 {
		t.Errorf("the query made %d DescribeAddresses calls for %d bindings, want 1", calls, len(want))
	}

	generated := readGenerated(t, ws, `network_interface_id = "eni-demo0009"`, `network_interface_id = "eni-demo0005"`,
		`network_interface_id = "eni-demo0001"`, `instance_id = "ins-sc000001"`)
	if imported := planImportsOnly(ctx, t, ws, generated); len(imported) != len(want) {
		t.Errorf("the plan imports %d bindings, want %d", len(imported), len(want))
	}
}

// bindForQuery binds EIPs out of band, and gives instances normal public
// IPs, and returns the EIPs a query must list, in order: all but the last
// few generated EIPs on their instances, three on private IPs that make them
// network interface bindings, and the default world's two bindings.
func bindForQuery(ctx context.Context, t *testing.T, c *Control) []string {
	t.Helper()
	want := []string{"eip-demo0002", "eip-demo0004"}
	onInterfaces := []emulator.AddressPatch{
		{BindNetworkInterfaceID: "eni-demo0001", BindPrivateIP: "10.0.0.12"}, // a secondary IP of an instance's primary interface
		{BindNetworkInterfaceID: "eni-demo0005", BindPrivateIP: "10.0.1.5"},  // an interface attached to no instance
		{BindNetworkInterfaceID: "eni-demo0009", BindPrivateIP: "10.0.2.71"}, // an instance's secondary interface
	}
	instances := queryScale - len(onInterfaces) - 1
	for i := 1; i <= queryScale-1; i++ {
		id := fmt.Sprintf("eip-sc%06d", i)
		p := emulator.AddressPatch{BindInstanceID: fmt.Sprintf("ins-sc%06d", i)}
		if i > instances {
			p = onInterfaces[i-instances-1]
		}
		if err := c.PatchAddress(ctx, id, p); err != nil {
			t.Fatalf("binding %s: %v", id, err)
		}
		want = append(want, id)
	}
	// The last generated instance holds a normal public IP, and no EIP.
	if _, err := c.AddNormalPublicIP(ctx, fmt.Sprintf("ins-sc%06d", queryScale)); err != nil {
		t.Fatal(err)
	}
	slices.Sort(want)
	return want
}
