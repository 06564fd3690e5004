package emulator

import "net/netip"

// maxReturnAddressIPs bounds AddressIps. The documentation states no number; the
// emulator uses the bound of the other list parameters of the EIP actions.
const maxReturnAddressIPs = 100

// returnNormalAddresses unbinds and releases normal public IPs (WanIP), given by their
// addresses. It is synchronous (no task), and all or nothing: one address that cannot
// be released refuses the whole call.
func (c *actionContext) returnNormalAddresses(req *returnNormalAddressesRequest) (any, *apiError) {
	if len(req.AddressIps) == 0 {
		return nil, missingParameter("AddressIps")
	}
	if len(req.AddressIps) > maxReturnAddressIPs {
		return nil, errorf(codeValueLimitExceeded, "`AddressIps` holds %d addresses; at most %d are allowed per call.",
			len(req.AddressIps), maxReturnAddressIPs)
	}
	ids := make([]string, 0, len(req.AddressIps))
	for _, ip := range req.AddressIps {
		if addr, err := netip.ParseAddr(ip); err != nil || !addr.Is4() {
			return nil, errorf(codeValueIllegal, "`AddressIps` holds %q, which is not an IPv4 address.", ip)
		}
		a := c.w.addressByIP(ip)
		switch {
		case a == nil:
			return nil, errorf(codeAddressIPsNotFound, "No public IP %s exists in region %s.", ip, c.w.Region)
		case a.AddressType != AddressTypeWanIP:
			return nil, errorf(codeNotSupportedAddressIPsType,
				"The public IP %s is the %s %s; only normal public IPs can be returned (an EIP is unbound with DisassociateAddress).",
				ip, a.AddressType, a.AddressID)
		}
		ids = append(ids, a.AddressID)
	}
	for _, id := range ids {
		c.w.removeAddress(id)
	}
	return struct{}{}, nil
}

// addressByIP is the address with the public IP, or nil.
func (w *World) addressByIP(ip string) *Address {
	for i := range w.Addresses {
		if w.Addresses[i].AddressIP == ip {
			return &w.Addresses[i]
		}
	}
	return nil
}
