package client

import (
	"cmp"
	"context"
	"slices"
)

// Documented DescribeAddresses filter names used to select addresses.
const (
	FilterAddressName   = "address-name"
	FilterAddressIP     = "address-ip"
	FilterAddressStatus = "address-status"
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
	// Names are exact address names.
	Names []string
	// PublicIPs are public IPv4 addresses.
	PublicIPs []string
	// Statuses are address statuses (BIND, UNBIND, ...).
	Statuses []string
	// Bound, when set, keeps the addresses that are bound (or being bound or
	// unbound) to something, or those bound to nothing.
	Bound *bool
}

// SelectAddresses returns the addresses the selection matches, in id order,
// following the pages. Like DescribeAddresses without an address-type filter,
// it leaves normal public IPs (WanIP) out.
//
// The API uses only the first value of the address-name filter, so each name
// is a query of its own; public IPs go 100 to a filter.
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
	queries = expand(queries, FilterAddressIP, sel.PublicIPs, maxFilterValues)

	found := map[string]Address{}
	for _, q := range queries {
		page, err := c.Addresses(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, a := range page {
			found[a.ID] = a
		}
	}
	all := make([]Address, 0, len(found))
	for _, a := range found {
		all = append(all, a)
	}
	slices.SortFunc(all, func(a, b Address) int { return cmp.Compare(a.ID, b.ID) })
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
