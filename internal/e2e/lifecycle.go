package e2e

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// Binding is an EIP bound to an instance.
type Binding struct {
	EIP, Instance string
}

// Block is one qcloud_eip_association block: with ForEach, one instance per
// key; without, one instance with Binding.
type Block struct {
	Name    string
	Binding Binding
	ForEach map[string]Binding
}

// BindingsConfig is a configuration of qcloud_eip_association blocks;
// Timeout, when set, is every resource's create and delete timeout.
type BindingsConfig struct {
	Blocks  []Block
	Timeout string
}

// Instances maps each resource instance's address to its binding.
func (c BindingsConfig) Instances() map[string]Binding {
	out := map[string]Binding{}
	for _, b := range c.Blocks {
		addr := AssociationType + "." + b.Name
		if b.ForEach == nil {
			out[addr] = b.Binding
			continue
		}
		for k, bind := range b.ForEach {
			out[fmt.Sprintf("%s[%q]", addr, k)] = bind
		}
	}
	return out
}

// Want is the world the configuration asks for: EIP → instance.
func (c BindingsConfig) Want() map[string]string {
	out := map[string]string{}
	for _, b := range c.Instances() {
		out[b.EIP] = b.Instance
	}
	return out
}

// HCL renders the configuration.
func (c BindingsConfig) HCL() string {
	var b strings.Builder
	b.WriteString(header(""))
	for _, blk := range c.Blocks {
		fmt.Fprintf(&b, "\nresource %q %q {\n", AssociationType, blk.Name)
		if blk.ForEach == nil {
			fmt.Fprintf(&b, "  eip_id      = %q\n  instance_id = %q\n", blk.Binding.EIP, blk.Binding.Instance)
		} else {
			b.WriteString("  for_each = {\n")
			for _, k := range slices.Sorted(maps.Keys(blk.ForEach)) {
				bind := blk.ForEach[k]
				fmt.Fprintf(&b, "    %q = { eip_id = %q, instance_id = %q }\n", k, bind.EIP, bind.Instance)
			}
			b.WriteString("  }\n  eip_id      = each.value.eip_id\n  instance_id = each.value.instance_id\n")
		}
		b.WriteString(timeouts(c.Timeout) + "}\n")
	}
	return b.String()
}

// Scenario is a change of bindings applied in one terraform apply, from
// Before to After, on an emulator of -scale Scale.
type Scenario struct {
	Name, Title   string
	Scale         int
	Before, After BindingsConfig
}

// EIPs lists the EIPs either configuration binds, sorted.
func (s Scenario) EIPs() []string {
	set := s.Before.Want()
	maps.Copy(set, s.After.Want())
	return slices.Sorted(maps.Keys(set))
}

// WithTimeout returns the scenario with every resource's create and delete
// timeout set.
func (s Scenario) WithTimeout(timeout string) Scenario {
	s.Before.Timeout, s.After.Timeout = timeout, timeout
	return s
}

// MoveScenario moves one EIP from resource a to resource b, on another
// instance: b's bind needs the EIP a's destroy frees.
func MoveScenario() Scenario {
	const eip = "eip-demo0006"
	return Scenario{Name: "move", Title: "one EIP moves from resource a (ins-demo0007) to resource b (ins-demo0008)",
		Before: BindingsConfig{Blocks: []Block{{Name: "a", Binding: Binding{eip, "ins-demo0007"}}}},
		After:  BindingsConfig{Blocks: []Block{{Name: "b", Binding: Binding{eip, "ins-demo0008"}}}}}
}

// SwapScenario exchanges two EIPs between two instances (for_each keyed by
// instance): each new binding needs the EIP the other's destroy frees.
func SwapScenario() Scenario {
	const e1, e2, i1, i2 = "eip-demo0007", "eip-demo0008", "ins-demo0007", "ins-demo0008"
	return Scenario{Name: "swap", Title: "two EIPs exchanged between two instances (for_each keyed by instance)",
		Before: BindingsConfig{Blocks: []Block{{Name: "x", ForEach: map[string]Binding{i1: {e1, i1}, i2: {e2, i2}}}}},
		After:  BindingsConfig{Blocks: []Block{{Name: "x", ForEach: map[string]Binding{i1: {e2, i1}, i2: {e1, i2}}}}}}
}

// RekeyScenario re-keys n bindings: keys "old-i" bind eip-sc(i) to
// ins-sc(i), then keys "new-i" bind eip-sc(n+i) to the same ins-sc(i), so
// every new binding needs its instance's primary IP freed by an old one's
// destroy.
func RekeyScenario(n int) Scenario {
	return renameKeys(fmt.Sprintf("rekey-%d", n), fmt.Sprintf("%d for_each keys renamed, each with a new EIP on the same instance", n),
		n, max(250, 2*n), func(i int) string { return ScaleEIP(n + i) })
}

// RenameScenario renames n for_each keys without a moved block, keeping
// each binding: each create finds its binding in place, held by a resource
// the same apply destroys.
func RenameScenario(n int) Scenario {
	return renameKeys(fmt.Sprintf("rename-%d", n), fmt.Sprintf("%d for_each keys renamed, each keeping its binding (no moved block)", n),
		n, max(250, n), ScaleEIP)
}

// renameKeys is the change from keys "old-i", binding eip-sc(i) to
// ins-sc(i), to keys "new-i", binding newEIP(i) to the same instance.
func renameKeys(name, title string, n, scale int, newEIP func(i int) string) Scenario {
	before, after := map[string]Binding{}, map[string]Binding{}
	for i := 1; i <= n; i++ {
		ins := fmt.Sprintf("ins-sc%06d", i)
		before[fmt.Sprintf("old-%d", i)] = Binding{ScaleEIP(i), ins}
		after[fmt.Sprintf("new-%d", i)] = Binding{newEIP(i), ins}
	}
	return Scenario{Name: name, Title: title, Scale: scale,
		Before: BindingsConfig{Blocks: []Block{{Name: "x", ForEach: before}}},
		After:  BindingsConfig{Blocks: []Block{{Name: "x", ForEach: after}}}}
}

// WorldBindings is EIP → instance (or ENI/IP) of the EIPs among ids that the
// world holds bound or moving.
func WorldBindings(world emulator.World, ids []string) map[string]string {
	out := map[string]string{}
	for _, id := range ids {
		if a, ok := world.Address(id); ok && worldBound(a) {
			out[id] = a.InstanceID
			if a.InstanceID == "" {
				out[id] = a.NetworkInterfaceID + "/" + a.PrivateIP
			}
		}
	}
	return out
}

// DiffBindings lists, one line an EIP among ids, where got differs from want
// (both EIP → instance).
func DiffBindings(want, got map[string]string, ids []string) []string {
	var out []string
	for _, id := range ids {
		w, g := want[id], got[id]
		switch {
		case w == g:
		case w == "":
			out = append(out, fmt.Sprintf("%s: on %s, want it unbound", id, g))
		case g == "":
			out = append(out, fmt.Sprintf("%s: unbound, want it on %s", id, w))
		default:
			out = append(out, fmt.Sprintf("%s: on %s, want it on %s", id, g, w))
		}
	}
	return out
}

// WorldCheck is the state compared with the world, tasks settled (or the
// settling time up).
type WorldCheck struct {
	Comparison
	World emulator.World
}

// CheckWorld waits up to settle for the EIPs' tasks to land, then compares
// the workspace's state (terraform show -json) with the world.
func (w *Workspace) CheckWorld(ctx context.Context, ctl *Control, eips []string, settle time.Duration) (WorldCheck, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute+settle)
	defer cancel()
	world, err := ctl.WaitSettled(ctx, eips, settle)
	if err != nil {
		return WorldCheck{}, fmt.Errorf("reading the world: %w", err)
	}
	state, err := w.State(ctx)
	if err != nil {
		return WorldCheck{World: world}, fmt.Errorf("terraform show -json: %w", err)
	}
	return WorldCheck{Comparison: CompareBindings(state, world, eips), World: world}, nil
}
