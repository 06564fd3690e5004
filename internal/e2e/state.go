package e2e

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// AssociationType is the resource type compared with the world.
const AssociationType = "qcloud_eip_association"

// Associations returns the qcloud_eip_association objects of a state, every
// module's.
func Associations(state *tfjson.State) []*tfjson.StateResource {
	var out []*tfjson.StateResource
	var walk func(*tfjson.StateModule)
	walk = func(m *tfjson.StateModule) {
		if m == nil {
			return
		}
		for _, r := range m.Resources {
			if r.Mode == tfjson.ManagedResourceMode && r.Type == AssociationType {
				out = append(out, r)
			}
		}
		for _, c := range m.ChildModules {
			walk(c)
		}
	}
	if state != nil && state.Values != nil {
		walk(state.Values.RootModule)
	}
	return out
}

// attr is a string attribute of a state object ("" when unset).
func attr(r *tfjson.StateResource, name string) string {
	s, _ := r.AttributeValues[name].(string)
	return s
}

func describeState(r *tfjson.StateResource) string {
	target := cmp.Or(attr(r, "instance_id"), attr(r, "network_interface_id")+"/"+attr(r, "private_ip"))
	s := fmt.Sprintf("%s → %s (%s", attr(r, "eip_id"), target, r.Address)
	if r.Tainted {
		s += ", tainted"
	}
	if r.DeposedKey != "" {
		s += ", deposed " + r.DeposedKey
	}
	return s + ")"
}

// Comparison is the outcome of comparing a state with the world: how many
// EIPs were under test, the associations on each side, the tainted state
// entries, every disagreement (one readable line each, by EIP), and the EIPs
// the world shows BINDING or UNBINDING (counted as bound).
type Comparison struct {
	EIPs, StateEntries, WorldBound, Tainted int
	Problems, InTransit                     []string
}

// OK reports whether the state and the world agree.
func (c Comparison) OK() bool { return len(c.Problems) == 0 }

// String is a readable report: a one-line count, then the diff.
func (c Comparison) String() string { return c.Brief(len(c.Problems)) }

// Brief is String with at most lines lines of diff.
func (c Comparison) Brief(lines int) string {
	var b strings.Builder
	verdict := "state = world"
	if !c.OK() {
		verdict = fmt.Sprintf("state ≠ world (%d differences)", len(c.Problems))
	}
	fmt.Fprintf(&b, "%s: %d EIPs under test, %d state entries (%d tainted), %d bound in the world", verdict,
		c.EIPs, c.StateEntries, c.Tainted, c.WorldBound)
	if len(c.InTransit) > 0 {
		fmt.Fprintf(&b, ", %d in transit (%s)", len(c.InTransit), strings.Join(firstN(c.InTransit, 5), ", "))
	}
	for _, p := range firstN(c.Problems, lines) {
		b.WriteString("\n  " + p)
	}
	if len(c.Problems) > lines {
		fmt.Fprintf(&b, "\n  … and %d more", len(c.Problems)-lines)
	}
	return b.String()
}

func firstN(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// worldBound reports whether an EIP holds a binding: bound, or moving.
func worldBound(a emulator.Address) bool {
	switch a.Status {
	case emulator.StatusBind, emulator.StatusBindENI, emulator.StatusBinding, emulator.StatusUnbinding:
		return true
	}
	return false
}

func describeWorld(a emulator.Address) string {
	if !worldBound(a) {
		return a.AddressID + " " + a.Status
	}
	target := a.NetworkInterfaceID + "/" + a.PrivateIP
	if a.InstanceID != "" {
		target = a.InstanceID + " (" + target + ")"
	}
	return fmt.Sprintf("%s → %s, %s", a.AddressID, target, a.Status)
}

// sameTarget reports whether the world's binding is the state object's.
func sameTarget(r *tfjson.StateResource, a emulator.Address) bool {
	if id := attr(r, "instance_id"); id != "" {
		return a.InstanceID == id
	}
	return a.NetworkInterfaceID == attr(r, "network_interface_id") && a.PrivateIP == attr(r, "private_ip")
}

// CompareBindings compares the associations of a state with the world's
// bindings of the EIPs under test, both ways.
func CompareBindings(state *tfjson.State, world emulator.World, eips []string) Comparison {
	entries := Associations(state)
	c := Comparison{EIPs: len(eips), StateEntries: len(entries)}
	under := map[string]bool{}
	for _, id := range eips {
		under[id] = true
	}
	byEIP := map[string][]*tfjson.StateResource{}
	for _, e := range entries {
		if e.Tainted {
			c.Tainted++
		}
		if !under[attr(e, "eip_id")] {
			c.Problems = append(c.Problems, "state manages an EIP that is not under test: "+describeState(e))
			continue
		}
		byEIP[attr(e, "eip_id")] = append(byEIP[attr(e, "eip_id")], e)
	}
	for _, id := range slices.Sorted(slices.Values(eips)) {
		es := byEIP[id]
		a, exists := world.Address(id)
		bound := exists && worldBound(a)
		if bound {
			c.WorldBound++
			if inTransit(a.Status) {
				c.InTransit = append(c.InTransit, id)
			}
		}
		var descs []string
		for _, e := range es {
			descs = append(descs, describeState(e))
		}
		stateSide := strings.Join(descs, "; ")
		switch {
		case !exists && len(es) > 0:
			c.Problems = append(c.Problems, fmt.Sprintf("%s: state has %s, but the EIP does not exist in the world", id, stateSide))
		case !exists:
			c.Problems = append(c.Problems, fmt.Sprintf("%s: the EIP under test does not exist in the world", id))
		case len(es) > 1:
			c.Problems = append(c.Problems, fmt.Sprintf("%s: state has %d entries (%s); world has %s", id, len(es), stateSide, describeWorld(a)))
		case bound && len(es) == 0:
			c.Problems = append(c.Problems, fmt.Sprintf("%s: world has %s, which the state does not know", id, describeWorld(a)))
		case !bound && len(es) == 1:
			c.Problems = append(c.Problems, fmt.Sprintf("%s: state has %s, but the world has %s: the binding is gone", id, stateSide, describeWorld(a)))
		case bound && !sameTarget(es[0], a):
			c.Problems = append(c.Problems, fmt.Sprintf("%s: state has %s, but the world has %s", id, stateSide, describeWorld(a)))
		}
	}
	return c
}
