package emulator

import (
	"slices"
	"strconv"
	"strings"
)

// Documented limits of DescribeNetworkInterfaces: at most 100 ids per call, Limit 20 by
// default and at most 100. The filter limits are those of DescribeAddresses (maxFilters,
// maxFilterValues); the documentation of this action states none.
const maxNetworkInterfaceIDs = 100

// ENI and private IP state: the emulator has no ENI in transition.
const eniStateAvailable = "AVAILABLE"

// Documented ENI types (NetworkInterface.EniType, filter eni-type).
const (
	eniTypeSecondary = 0
	eniTypePrimary   = 1
)

// eniFilterNames are the documented DescribeNetworkInterfaces filter names, besides
// tag:<key>. Those about data the emulator does not model match nothing, as the
// response's fields are empty; eni-qos matches DEFAULT and the protection filters false.
var eniFilterNames = map[string]bool{
	"network-interface-id": true, "attachment.instance-id": true, "is-primary": true, "eni-type": true,
	"address-ip": true, "ip-exact-match": true, "public-address-ip": true, "vpc-id": true, "subnet-id": true,
	"network-interface-name": true, "network-interface-description": true, "groups.security-group-id": true,
	"tag-key": true, "eni-qos": true, "address-ipv6": true, "address-type": true, "termination-protection": true,
	"traffic-protection": true,
}

// eniQosLevel is the QoS level of every emulated ENI and private IP.
const eniQosLevel = "DEFAULT"

func isENIFilter(name string) bool { return eniFilterNames[name] || isTagFilter(name) }

type describeNetworkInterfacesResponse struct {
	TotalCount          uint64
	NetworkInterfaceSet []networkInterfaceView
}

// networkInterfaceView is the documented NetworkInterface structure. Strings the
// emulator does not model are JSON null, lists it does not model are empty.
type networkInterfaceView struct {
	NetworkInterfaceId          string
	NetworkInterfaceName        *string
	NetworkInterfaceDescription *string
	SubnetId                    *string
	VpcId                       *string
	GroupSet                    []string
	Primary                     bool
	MacAddress                  *string
	State                       string
	NetworkInterfaceState       *string
	PrivateIpAddressSet         []privateIPView
	Attachment                  *attachmentView
	Zone                        *string
	CreatedTime                 *string
	Ipv6AddressSet              []struct{}
	TagSet                      []struct{ Key, Value string }
	EniType                     uint64
	Business                    *string
	CdcId                       *string
	AttachType                  uint64
	ResourceId                  *string
	QosLevel                    string
}

// attachmentView is the documented NetworkInterfaceAttachment structure. DeviceIndex is
// 0 for an instance's primary ENI; the emulator does not number secondary ENIs (null).
type attachmentView struct {
	DeviceIndex       *uint64
	InstanceAccountId *string
	AttachTime        *string
	InstanceId        string
}

// privateIPView is the documented PrivateIpAddressSpecification structure.
// PublicIpAddress and AddressId are those of the EIP or normal public IP on the private
// IP; like Description, they are "" (not null) when there is none.
type privateIPView struct {
	PrivateIpAddress string
	Primary          bool
	PublicIpAddress  string
	AddressId        string
	Description      string
	IsWanIpBlocked   bool
	State            string
	QosLevel         string
}

// eniFilter is one validated filter of a DescribeNetworkInterfaces call.
type eniFilter struct {
	name   string
	values []string
}

func (c *actionContext) describeNetworkInterfaces(req *describeNetworkInterfacesRequest) (any, *apiError) {
	if len(req.NetworkInterfaceIds) > maxNetworkInterfaceIDs {
		return nil, errorf(codeValueLimitExceeded, "`NetworkInterfaceIds` holds %d ids; at most %d are allowed per call.",
			len(req.NetworkInterfaceIds), maxNetworkInterfaceIDs)
	}
	if len(req.NetworkInterfaceIds) > 0 && len(req.Filters) > 0 {
		return nil, errorf(codeParameterCoexist, "`NetworkInterfaceIds` and `Filters` cannot be given together.")
	}
	for _, id := range req.NetworkInterfaceIds {
		if aerr := checkENIID(id); aerr != nil {
			return nil, aerr
		}
		if c.w.Settings.UnknownENI == UnknownENIError && c.w.eni(id) == nil {
			return nil, errorf(codeResourceNotFound, "The ENI %s does not exist in region %s.", id, c.w.Region)
		}
	}
	filters, exactIP, aerr := checkENIFilters(req.Filters)
	if aerr != nil {
		return nil, aerr
	}
	offset, limit := deref(req.Offset), uint64(defaultLimit)
	if req.Limit != nil {
		limit = *req.Limit
	}
	if limit > maxLimit {
		return nil, errorf(codeValueLimitExceeded, "`Limit` must be between 0 and %d (got %d).", maxLimit, limit)
	}

	var public map[string]*Address // only the public-address-ip filter needs it for every ENI
	if slices.ContainsFunc(filters, func(f eniFilter) bool { return f.name == "public-address-ip" }) {
		public = c.w.publicAddressesOn(nil)
	}
	var page []*NetworkInterface
	var total uint64
	for _, eni := range candidates(c.w.NetworkInterfaces, req.NetworkInterfaceIds, c.w.eni) {
		if slices.ContainsFunc(filters, func(f eniFilter) bool { return !f.matches(eni, exactIP, public) }) {
			continue
		}
		if total >= offset && total-offset < limit {
			page = append(page, eni)
		}
		total++
	}

	onPage := map[string]bool{}
	for _, eni := range page {
		onPage[eni.NetworkInterfaceID] = true
	}
	if public == nil {
		public = c.w.publicAddressesOn(onPage)
	}
	set := make([]networkInterfaceView, 0, len(page))
	for _, eni := range page {
		set = append(set, viewENI(eni, public))
	}
	return describeNetworkInterfacesResponse{TotalCount: total, NetworkInterfaceSet: set}, nil
}

// checkENIFilters validates the filters; exactIP tells whether ip-exact-match TRUE
// makes a single address-ip value an exact match.
func checkENIFilters(in []addressFilter) (filters []eniFilter, exactIP bool, aerr *apiError) {
	if len(in) > maxFilters {
		return nil, false, errorf(codeValueLimitExceeded, "%d filters were given; at most %d are allowed.", len(in), maxFilters)
	}
	for i, f := range in {
		name, aerr := checkFilter(i, f, isENIFilter, codeFilterInvalidKey)
		if aerr != nil {
			return nil, false, aerr
		}
		switch name {
		case "network-interface-id":
			for _, id := range f.Values {
				if aerr := checkENIID(id); aerr != nil {
					return nil, false, aerr
				}
			}
		case "is-primary", "ip-exact-match", "termination-protection", "traffic-protection":
			if aerr := checkBooleanValues(name, f.Values, codeValueMalformed); aerr != nil {
				return nil, false, aerr
			}
			if name == "ip-exact-match" {
				exactIP = strings.EqualFold(f.Values[0], "TRUE") // documented: only the first value counts
			}
		}
		filters = append(filters, eniFilter{name, f.Values})
	}
	return filters, exactIP, nil
}

// matches tells whether the ENI passes the filter. public maps ENI/private IP keys to
// the public address there; it is set whenever a public-address-ip filter is present.
func (f eniFilter) matches(eni *NetworkInterface, exactIP bool, public map[string]*Address) bool {
	anyIP := func(match func(ip string) bool) bool {
		return slices.ContainsFunc(eni.PrivateIPs, func(p PrivateIP) bool { return match(p.Address) })
	}
	switch f.name {
	case "network-interface-id":
		return slices.Contains(f.values, eni.NetworkInterfaceID)
	case "attachment.instance-id":
		return eni.InstanceID != "" && slices.Contains(f.values, eni.InstanceID)
	case "is-primary":
		return slices.ContainsFunc(f.values, func(v string) bool { return strings.EqualFold(v, "TRUE") == eni.Primary })
	case "eni-type":
		return slices.Contains(f.values, strconv.FormatUint(eniType(eni), 10))
	case "address-ip":
		// Documented: one value is a suffix match unless ip-exact-match is TRUE; several
		// values match exactly.
		if len(f.values) == 1 && !exactIP {
			return anyIP(func(ip string) bool { return strings.HasSuffix(ip, f.values[0]) })
		}
		return anyIP(func(ip string) bool { return slices.Contains(f.values, ip) })
	case "ip-exact-match":
		return true // it only qualifies address-ip
	case "public-address-ip":
		return anyIP(func(ip string) bool {
			a := public[eniIPKey(eni.NetworkInterfaceID, ip)]
			return a != nil && slices.Contains(f.values, a.AddressIP)
		})
	case "eni-qos":
		return slices.Contains(f.values, eniQosLevel)
	case "termination-protection", "traffic-protection":
		return slices.ContainsFunc(f.values, func(v string) bool { return strings.EqualFold(v, "FALSE") })
	}
	return false // VPCs, subnets, names, descriptions, security groups, tags, IPv6: not modelled
}

func eniType(eni *NetworkInterface) uint64 {
	if eni.Primary {
		return eniTypePrimary
	}
	return eniTypeSecondary
}

func checkENIID(id string) *apiError {
	if !eniIDPattern.MatchString(id) {
		return errorf(codeValueMalformed, "The network interface id %q is malformed; expected eni- followed by 8 lowercase letters or digits.", id)
	}
	return nil
}

func eniIPKey(eniID, ip string) string { return eniID + "/" + ip }

// publicAddressesOn maps "eni/private IP" keys to the public address on that private IP,
// for the ENIs in enis (nil = every ENI). An address is there from the end of its bind
// task to the end of its unbind task (so a normal public IP stays while an EIP binds).
func (w *World) publicAddressesOn(enis map[string]bool) map[string]*Address {
	out := map[string]*Address{}
	if enis != nil && len(enis) == 0 {
		return out
	}
	for i := range w.Addresses {
		a := &w.Addresses[i]
		if a.PrivateIP == "" || (enis != nil && !enis[a.NetworkInterfaceID]) {
			continue
		}
		switch a.Status {
		case StatusUnbind, StatusBinding, StatusCreating:
			continue
		}
		key := eniIPKey(a.NetworkInterfaceID, a.PrivateIP)
		if _, taken := out[key]; !taken {
			out[key] = a
		}
	}
	return out
}

func viewENI(eni *NetworkInterface, public map[string]*Address) networkInterfaceView {
	v := networkInterfaceView{
		NetworkInterfaceId:  eni.NetworkInterfaceID,
		GroupSet:            []string{},
		Primary:             eni.Primary,
		State:               eniStateAvailable,
		PrivateIpAddressSet: make([]privateIPView, 0, len(eni.PrivateIPs)),
		Ipv6AddressSet:      []struct{}{},
		TagSet:              []struct{ Key, Value string }{},
		EniType:             eniType(eni),
		QosLevel:            eniQosLevel,
	}
	if eni.InstanceID != "" {
		v.Attachment = &attachmentView{InstanceId: eni.InstanceID}
		if eni.Primary {
			v.Attachment.DeviceIndex = new(uint64)
		}
	}
	for _, p := range eni.PrivateIPs {
		ip := privateIPView{PrivateIpAddress: p.Address, Primary: p.Primary, State: eniStateAvailable, QosLevel: eniQosLevel}
		if a := public[eniIPKey(eni.NetworkInterfaceID, p.Address)]; a != nil {
			ip.PublicIpAddress, ip.AddressId, ip.IsWanIpBlocked = a.AddressIP, a.AddressID, a.Blocked
		}
		v.PrivateIpAddressSet = append(v.PrivateIpAddressSet, ip)
	}
	return v
}
