package provider

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
)

// What an EIP binding is, for every part of the provider that meets one: its
// id forms, where it sits, and the messages about it that are worded once.

// Id formats, as the official provider's tencentcloud_eip_association writes
// them, so that ids carry over on migration.
const idSeparator = "::"

var (
	eipIDPattern      = regexp.MustCompile(`^eip-[a-z0-9]{8}$`)
	instanceIDPattern = regexp.MustCompile(`^ins-[a-z0-9]{8}$`)
	eniIDPattern      = regexp.MustCompile(`^eni-[a-z0-9]{8}$`)
)

// The validators of ids in configuration, in one wording wherever an id is
// taken.
func eipIDValidator() validator.String {
	return stringvalidator.RegexMatches(eipIDPattern, "must be an EIP id: eip- followed by 8 lowercase letters or digits")
}

func instanceIDValidator() validator.String {
	return stringvalidator.RegexMatches(instanceIDPattern, "must be an instance id: ins- followed by 8 lowercase letters or digits")
}

func networkInterfaceIDValidator() validator.String {
	return stringvalidator.RegexMatches(eniIDPattern, "must be a network interface id: eni- followed by 8 lowercase letters or digits")
}

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

// association is a binding as a state records it: an EIP, the target as the
// configuration names it, and where it sits (a network interface and private
// IP, as a client.Target). An instance binding means the EIP sits on the
// primary private IP of the instance's primary network interface; where that
// is, is recorded once seen, so that a move of the EIP to another private IP
// of the same instance is drift. It is empty until then.
type association struct {
	id    associationID
	sitAt client.Target
}

func known(l client.Target) bool { return l.NetworkInterfaceID != "" && l.PrivateIP != "" }

// heldBy reports whether the address shows this association: bound (or
// binding) to its target, where it sits when that is known.
func (a association) heldBy(addr *client.Address) bool {
	if !a.id.hasTarget() || addr == nil || !addr.BoundTo(a.id.Target) {
		return false
	}
	return !known(a.sitAt) || addr.Location() == a.sitAt
}

// describe names the association's target for messages.
func (a association) describe() string {
	if known(a.sitAt) && a.id.Target.InstanceID != "" {
		return fmt.Sprintf("%s (%s)", a.id.Target, a.sitAt)
	}
	return a.id.Target.String()
}

// Messages worded once.
const (
	// toManageNormalIP is the way out for a normal public IP met where an EIP
	// was expected.
	toManageNormalIP = "To manage it like an EIP, turn it into one first (TransformAddress, the console's \"Convert to EIP\")."

	// normalIPWaysOut are the ways out when a normal public IP refuses a bind.
	normalIPWaysOut = "Either return it (ReturnNormalAddresses, or the console's \"Return public IP\"), then apply again; or " +
		"turn it into an EIP (TransformAddress, the console's \"Convert to EIP\") and manage that EIP instead of binding " +
		"this one. If the account is on the international site, where the bind releases it, set the provider's " +
		"site = \"international\"."

	// reallocationRemedy is the way out when a destroy that reallocates would
	// fail, in the order that works: the destroy runs on the state's flag.
	reallocationRemedy = "Set reallocate_normal_public_ip = false and run terraform apply (it changes nothing in the " +
		"cloud), then run this again; if the resource was removed from the configuration, put it back with that setting " +
		"for that apply. If eip_id or the target changes in the same configuration, apply the flag change alone first, " +
		"then the rest: the destroy half of a replacement uses the flag recorded in the state."

	// unblockFirst is the way out for a blocked EIP, which the API neither
	// binds nor unbinds.
	unblockFirst = "Unblock it first (Tencent Cloud console, or support)"

	// stopManaging is how to stop managing a binding without unbinding it.
	stopManaging = "To stop managing the binding without unbinding it, remove the resource from the configuration " +
		"with a removed block (lifecycle { destroy = false }), or run terraform state rm."

	// actionReallocationRemedy is the way out when the reallocation of the
	// qcloud_eip_disassociate action would fail: it keeps no state, so its
	// own configuration decides.
	actionReallocationRemedy = "Invoke the action with reallocate_normal_public_ip = false instead: the instance is " +
		"then left without a public IP."
)

// notAnEIP says why a normal public IP is not managed like an EIP.
func notAnEIP(a *client.Address) string {
	return fmt.Sprintf("The address %s (%s) is a normal public IP (address type WanIP), not an EIP: it belongs to instance "+
		"%s and cannot be bound or unbound like one, so the provider does not manage it. %s", a.ID, a.PublicIP, a.InstanceID,
		toManageNormalIP)
}
