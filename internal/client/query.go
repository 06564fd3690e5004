package client

import (
	"cmp"
	"context"
	"slices"
)

// Documented DescribeAddresses filter names used to select addresses.
const (
	FilterAddressID          = "address-id"
	FilterAddressName        = "address-name"
	FilterAddressIP          = "address-ip"
	FilterAddressStatus      = "address-status"
	FilterInstanceID         = "instance-id"
	FilterNetworkInterfaceID = "network-interface-id"
	FilterPrivateIP          = "private-ip-address"
)

// maxFilterValues is the documented limit of values in one filter.
const maxFilterValues = 100

// The documented statuses, by whether the address is bound (or being bound or
// unbound) to something.
var (
	boundStatuses   = []string{StatusBind, StatusBindENI, StatusBinding, StatusUnbinding}
	unboundStatuses = []string{StatusUnbind, StatusCreating, StatusOffline}
)

// AddressSelection says which addresses SelectAddresses returns: those that
// match every field set. Within a field, any value matches.
type AddressSelection struct {
	// IDs are address ids.
	IDs []string
	// Names are exact address names.
	Names []string
	// PublicIPs are public IPv4 addresses.
	PublicIPs []string
	// Statuses are address statuses (BIND, UNBIND, ...).
	Statuses []string
	// InstanceIDs are the instances (or other resources, such as NAT
	// gateways) addresses are bound to.
	InstanceIDs []string
	// NetworkInterfaceIDs are the network interfaces addresses are bound to.
	NetworkInterfaceIDs []string
	// PrivateIPs are the private IPs addresses are bound to.
	PrivateIPs []string
	// Bound, when set, keeps the addresses that are bound (or being bound or
	// unbound) to something, or those bound to nothing.
	Bound *bool
	// Limit, when positive, bounds how many addresses are returned, and so
	// how many pages are read: the first Limit the API lists, in id order.
	Limit int
}

// SelectAddresses returns the addresses the selection matches, in id order,
// following the pages. Like DescribeAddresses without an address-type filter,
// it leaves normal public IPs (WanIP) out; it also drops any the API lists
// (its English documentation and its Chinese one disagree on that default).
//
// The API uses only the first value of the address-name and
// private-ip-address filters, so each name and private IP is a query of its
// own; ids, public IPs, instances and network interfaces go
// 100 to a filter.
func (c *Client) SelectAddresses(ctx context.Context, sel AddressSelection) ([]Address, error) {
	statuses := sel.Statuses
	if sel.Bound != nil {
		wanted := unboundStatuses
		if *sel.Bound {
			wanted = boundStatuses
		}
		if len(statuses) == 0 {
			statuses = wanted
		} else {
			statuses = slices.DeleteFunc(slices.Clone(statuses), func(s string) bool { return !slices.Contains(wanted, s) })
			if len(statuses) == 0 {
				return nil, nil // no status is both asked for and of the wanted kind
			}
		}
	}

	var base []Filter
	if len(statuses) > 0 {
		base = append(base, Filter{Name: FilterAddressStatus, Values: statuses})
	}
	queries := []Query{{Filters: base}}
	queries = expand(queries, FilterAddressName, sel.Names, 1)
	queries = expand(queries, FilterPrivateIP, sel.PrivateIPs, 1)
	queries = expand(queries, FilterAddressIP, sel.PublicIPs, maxFilterValues)
	queries = expand(queries, FilterAddressID, sel.IDs, maxFilterValues)
	queries = expand(queries, FilterInstanceID, sel.InstanceIDs, maxFilterValues)
	queries = expand(queries, FilterNetworkInterfaceID, sel.NetworkInterfaceIDs, maxFilterValues)

	found := map[string]Address{}
	for _, q := range queries {
		if sel.Limit > 0 && len(found) >= sel.Limit {
			break
		}
		page, err := c.addressesUpTo(ctx, q, sel.Limit-len(found))
		if err != nil {
			return nil, err
		}
		for _, a := range page {
			if a.Type != AddressTypeWanIP {
				found[a.ID] = a
			}
		}
	}
	all := make([]Address, 0, len(found))
	for _, a := range found {
		all = append(all, a)
	}
	slices.SortFunc(all, func(a, b Address) int { return cmp.Compare(a.ID, b.ID) })
	if sel.Limit > 0 && len(all) > sel.Limit {
		all = all[:sel.Limit]
	}
	return all, nil
}

// expand returns, for each query, one query per chunk of values (at most
// perFilter values each) with a filter on name added; no values, no change.
func expand(queries []Query, name string, values []string, perFilter int) []Query {
	if len(values) == 0 {
		return queries
	}
	var out []Query
	for _, q := range queries {
		for chunk := range slices.Chunk(values, perFilter) {
			out = append(out, Query{IDs: q.IDs, Filters: append(slices.Clone(q.Filters), Filter{Name: name, Values: chunk})})
		}
	}
	return out
}
