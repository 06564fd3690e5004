package e2e

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// AssociationType is the resource type compared with the world.
const AssociationType = "qcloud_eip_association"

// StateEntry is one qcloud_eip_association object in a state file.
type StateEntry struct {
	// Address is the resource address, e.g. qcloud_eip_association.a[3].
	Address            string
	EIPID              string
	InstanceID         string
	NetworkInterfaceID string
	PrivateIP          string
	Tainted            bool
	// Deposed is the deposed key of an object kept for create_before_destroy.
	Deposed string
}

// Target describes the entry's binding target.
func (e StateEntry) Target() string {
	if e.InstanceID != "" {
		return e.InstanceID
	}
	return e.NetworkInterfaceID + "/" + e.PrivateIP
}

func (e StateEntry) describe() string {
	s := fmt.Sprintf("%s → %s (%s", e.EIPID, e.Target(), e.Address)
	if e.Tainted {
		s += ", tainted"
	}
	if e.Deposed != "" {
		s += ", deposed " + e.Deposed
	}
	return s + ")"
}

// tfstate is the part of the state format (version 4) the harness reads.
type tfstate struct {
	Version   int `json:"version"`
	Resources []struct {
		Module    string `json:"module"`
		Mode      string `json:"mode"`
		Type      string `json:"type"`
		Name      string `json:"name"`
		Instances []struct {
			IndexKey   any    `json:"index_key"`
			Status     string `json:"status"`
			Deposed    string `json:"deposed"`
			Attributes struct {
				EIPID              string `json:"eip_id"`
				InstanceID         string `json:"instance_id"`
				NetworkInterfaceID string `json:"network_interface_id"`
				PrivateIP          string `json:"private_ip"`
			} `json:"attributes"`
		} `json:"instances"`
	} `json:"resources"`
}

// ReadState returns the qcloud_eip_association objects of a state file. A
// missing file is an empty state.
func ReadState(path string) ([]StateEntry, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return ParseState(b)
}

// ParseState is ReadState on the file's content.
func ParseState(b []byte) ([]StateEntry, error) {
	var st tfstate
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("parsing the state: %w", err)
	}
	if st.Version != 4 {
		return nil, fmt.Errorf("state format version %d; the harness reads version 4", st.Version)
	}
	var out []StateEntry
	for _, r := range st.Resources {
		if r.Mode != "managed" || r.Type != AssociationType {
			continue
		}
		base := r.Type + "." + r.Name
		if r.Module != "" {
			base = r.Module + "." + base
		}
		for _, inst := range r.Instances {
			addr := base
			switch k := inst.IndexKey.(type) {
			case float64:
				addr += fmt.Sprintf("[%d]", int(k))
			case string:
				addr += fmt.Sprintf("[%q]", k)
			}
			a := inst.Attributes
			out = append(out, StateEntry{Address: addr, EIPID: a.EIPID, InstanceID: a.InstanceID,
				NetworkInterfaceID: a.NetworkInterfaceID, PrivateIP: a.PrivateIP,
				Tainted: inst.Status == "tainted", Deposed: inst.Deposed})
		}
	}
	return out, nil
}

// Comparison is the outcome of comparing a state with the world.
type Comparison struct {
	// EIPs is how many EIPs were under test.
	EIPs int
	// StateEntries and WorldBound count the associations on each side.
	StateEntries, WorldBound int
	// Tainted counts tainted state entries.
	Tainted int
	// Problems lists every disagreement, one readable line each, by EIP.
	Problems []string
	// InTransit lists the EIPs the world shows BINDING or UNBINDING (counted
	// as bound to their target).
	InTransit []string
}

// OK reports whether the state and the world agree.
func (c Comparison) OK() bool { return len(c.Problems) == 0 }

// String is a readable report: a one-line count, then the diff.
func (c Comparison) String() string {
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
	for _, p := range c.Problems {
		b.WriteString("\n  ")
		b.WriteString(p)
	}
	return b.String()
}

// Brief is String without the diff lines past the first few.
func (c Comparison) Brief(lines int) string {
	short := c
	short.Problems = firstN(c.Problems, lines)
	s := short.String()
	if len(c.Problems) > lines {
		s += fmt.Sprintf("\n  … and %d more", len(c.Problems)-lines)
	}
	return s
}

func firstN(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// StateMatchesWorld compares the state file at statePath with the world, for
// the EIPs under test (eips): every binding the world holds must be in the
// state with the same target, and every state entry must have its binding in
// the world.
func StateMatchesWorld(statePath string, world emulator.World, eips []string) (Comparison, error) {
	entries, err := ReadState(statePath)
	if err != nil {
		return Comparison{}, err
	}
	return CompareBindings(entries, world, eips), nil
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
	target := a.InstanceID
	if target == "" {
		target = a.NetworkInterfaceID + "/" + a.PrivateIP
	} else {
		target += " (" + a.NetworkInterfaceID + "/" + a.PrivateIP + ")"
	}
	return fmt.Sprintf("%s → %s, %s", a.AddressID, target, a.Status)
}

// sameTarget reports whether the world's binding is the entry's: the same
// instance for an instance binding, else the same ENI and private IP.
func sameTarget(e StateEntry, a emulator.Address) bool {
	if e.InstanceID != "" {
		return a.InstanceID == e.InstanceID
	}
	return a.NetworkInterfaceID == e.NetworkInterfaceID && a.PrivateIP == e.PrivateIP
}

// CompareBindings is StateMatchesWorld on parsed entries.
func CompareBindings(entries []StateEntry, world emulator.World, eips []string) Comparison {
	c := Comparison{EIPs: len(eips), StateEntries: len(entries)}
	under := map[string]bool{}
	for _, id := range eips {
		under[id] = true
	}
	byEIP := map[string][]StateEntry{}
	for _, e := range entries {
		if e.Tainted {
			c.Tainted++
		}
		if !under[e.EIPID] {
			c.Problems = append(c.Problems, "state manages an EIP that is not under test: "+e.describe())
			continue
		}
		byEIP[e.EIPID] = append(byEIP[e.EIPID], e)
	}
	addresses := map[string]emulator.Address{}
	for _, a := range world.Addresses {
		addresses[a.AddressID] = a
	}
	ids := slices.Clone(eips)
	slices.Sort(ids)
	for _, id := range ids {
		es := byEIP[id]
		a, exists := addresses[id]
		bound := exists && worldBound(a)
		if bound {
			c.WorldBound++
			if inTransit(a.Status) {
				c.InTransit = append(c.InTransit, id)
			}
		}
		var descs []string
		for _, e := range es {
			descs = append(descs, e.describe())
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
