package provider

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
)

// Id formats, as the official provider's tencentcloud_eip_association writes
// them, so that ids carry over on migration.
const idSeparator = "::"

var (
	eipIDPattern      = regexp.MustCompile(`^eip-[a-z0-9]{8}$`)
	instanceIDPattern = regexp.MustCompile(`^ins-[a-z0-9]{8}$`)
	eniIDPattern      = regexp.MustCompile(`^eni-[a-z0-9]{8}$`)
)

const importIDForms = "eip-xxxxxxxx (the EIP alone: its current binding is looked up), " +
	"eip-xxxxxxxx::ins-xxxxxxxx, or eip-xxxxxxxx::eni-xxxxxxxx::<private IPv4>"

// associationID is a parsed resource id. Target is empty when the id named
// the EIP alone (only allowed on import).
type associationID struct {
	EIPID  string
	Target client.Target
}

func (id associationID) String() string {
	if id.Target.InstanceID != "" {
		return id.EIPID + idSeparator + id.Target.InstanceID
	}
	return id.EIPID + idSeparator + id.Target.NetworkInterfaceID + idSeparator + id.Target.PrivateIP
}

func (id associationID) hasTarget() bool {
	return id.Target != client.Target{}
}

// parseAssociationID parses any of the three forms; the error says which
// part is wrong and lists the forms.
func parseAssociationID(raw string) (associationID, error) {
	parts := strings.Split(raw, idSeparator)
	fail := func(why string) (associationID, error) {
		return associationID{}, fmt.Errorf("%q is not an EIP association id: %s. Expected %s", raw, why, importIDForms)
	}
	if !eipIDPattern.MatchString(parts[0]) {
		return fail(fmt.Sprintf("%q is not an EIP id (eip- and 8 lowercase letters or digits)", parts[0]))
	}
	id := associationID{EIPID: parts[0]}
	switch len(parts) {
	case 1:
		return id, nil
	case 2:
		if !instanceIDPattern.MatchString(parts[1]) {
			return fail(fmt.Sprintf("%q is not an instance id (ins- and 8 lowercase letters or digits)", parts[1]))
		}
		id.Target.InstanceID = parts[1]
	case 3:
		if !eniIDPattern.MatchString(parts[1]) {
			return fail(fmt.Sprintf("%q is not a network interface id (eni- and 8 lowercase letters or digits)", parts[1]))
		}
		if !isIPv4(parts[2]) {
			return fail(fmt.Sprintf("%q is not an IPv4 address", parts[2]))
		}
		id.Target.NetworkInterfaceID, id.Target.PrivateIP = parts[1], parts[2]
	default:
		return fail("it has more than three parts")
	}
	return id, nil
}

func isIPv4(s string) bool {
	ip, err := netip.ParseAddr(s)
	return err == nil && ip.Is4()
}

// location is where a binding sits: a network interface and one of its
// private IPs. It is empty when not known yet (an instance binding created
// before it was recorded, or carried over from another provider).
type location struct {
	NetworkInterfaceID string
	PrivateIP          string
}

func (l location) known() bool { return l.NetworkInterfaceID != "" && l.PrivateIP != "" }

func (l location) String() string {
	return "network interface " + l.NetworkInterfaceID + " private IP " + l.PrivateIP
}

func locationOf(a *client.Address) location {
	return location{NetworkInterfaceID: a.NetworkInterfaceID, PrivateIP: a.PrivateIP}
}

// association is what a state says is bound: an EIP, the target as the
// configuration names it, and where the binding sits. An instance binding
// means the EIP sits on the primary private IP of the instance's primary
// network interface; its location is recorded so that a move of the EIP to
// another private IP of the same instance is drift.
type association struct {
	id    associationID
	sitAt location
}

// heldBy reports whether the address shows this association: bound (or
// binding) to its target, at its location when that is known.
func (a association) heldBy(addr *client.Address) bool {
	if addr == nil || !addr.BoundTo(a.id.Target) {
		return false
	}
	return !a.sitAt.known() || locationOf(addr) == a.sitAt
}

// describe names the association's target for messages.
func (a association) describe() string {
	if a.sitAt.known() && a.id.Target.InstanceID != "" {
		return fmt.Sprintf("instance %s (%s)", a.id.Target.InstanceID, a.sitAt)
	}
	return describeTarget(a.id.Target)
}

func describeTarget(t client.Target) string {
	if t.InstanceID != "" {
		return "instance " + t.InstanceID
	}
	return "network interface " + t.NetworkInterfaceID + " private IP " + t.PrivateIP
}

// notAnEIP says, for every place that meets one, why a normal public IP is
// not managed like an EIP, and the way out.
func notAnEIP(a *client.Address) string {
	return fmt.Sprintf("The address %s (%s) is a normal public IP (address type WanIP), not an EIP: it belongs to instance "+
		"%s and cannot be bound or unbound like one, so qcloud_eip_association and qcloud_eip do not manage it. To manage "+
		"it, turn it into an EIP first (TransformAddress, the console's \"Convert to EIP\").", a.ID, a.PublicIP, a.InstanceID)
}
