package emulator

import (
	"slices"
	"strings"
)

// Documented limits of DescribeAddresses.
const (
	maxAddressIDs     = 100
	maxFilters        = 10
	maxFilterValues   = 100
	defaultLimit      = 20
	maxLimit          = 100
	internetProvider  = "BGP"
	defaultChargeType = "TRAFFIC_POSTPAID_BY_HOUR"
)

// addressMatcher tells whether an address passes one filter with the given values.
type addressMatcher func(a *Address, values []string) bool

// addressFilters are the documented DescribeAddresses filter names. Filters without data
// in the emulator (tags, dedicated clusters) are accepted and match nothing, as they
// would for an account without tags.
var addressFilters = map[string]addressMatcher{
	"address-id":     func(a *Address, vs []string) bool { return slices.Contains(vs, a.AddressID) },
	"address-status": func(a *Address, vs []string) bool { return slices.Contains(vs, a.Status) },
	"address-type":   func(a *Address, vs []string) bool { return slices.Contains(vs, a.AddressType) },
	"address-ip":     func(a *Address, vs []string) bool { return slices.Contains(vs, a.AddressIP) },
	// Documented: only the first value of address-name and private-ip-address is used.
	"address-name":       func(a *Address, vs []string) bool { n := shownName(a); return n != "" && n == vs[0] },
	"private-ip-address": func(a *Address, vs []string) bool { return a.PrivateIP != "" && a.PrivateIP == vs[0] },
	"instance-id":        func(a *Address, vs []string) bool { return a.InstanceID != "" && slices.Contains(vs, a.InstanceID) },
	"network-interface-id": func(a *Address, vs []string) bool {
		return a.NetworkInterfaceID != "" && slices.Contains(vs, a.NetworkInterfaceID)
	},
	"is-arrears": func(a *Address, vs []string) bool {
		return slices.ContainsFunc(vs, func(v string) bool { return strings.EqualFold(v, "TRUE") == a.Arrears })
	},
	"instance-type":        func(a *Address, vs []string) bool { return slices.Contains(vs, deref(instanceType(a))) },
	"address-isp":          func(a *Address, vs []string) bool { return slices.Contains(vs, internetProvider) },
	"dedicated-cluster-id": matchNothing,
	"tag-key":              matchNothing,
	"tag-value":            matchNothing,
}

func matchNothing(*Address, []string) bool { return false }

func lookupFilter(name string) (addressMatcher, bool) {
	if isTagFilter(name) {
		return matchNothing, true
	}
	m, ok := addressFilters[name]
	return m, ok
}

// isTagFilter tells whether the filter name is tag:<key>.
func isTagFilter(name string) bool {
	return strings.HasPrefix(name, "tag:") && len(name) > len("tag:")
}

// checkFilter applies the rules DescribeAddresses and DescribeNetworkInterfaces share to
// filter i and returns its name; unknownCode answers a name known refuses.
func checkFilter(i int, f addressFilter, known func(string) bool, unknownCode string) (string, *apiError) {
	name := deref(f.Name)
	switch {
	case name == "":
		return "", errorf(codeMissingParameter, "The request is missing the required parameter `Filters.%d.Name`.", i)
	case !known(name):
		return "", errorf(unknownCode, "The filter name %q in `Filters.%d` is not supported.", name, i)
	case len(f.Values) == 0:
		return "", errorf(codeMissingParameter, "The request is missing the required parameter `Filters.%d.Values` for filter %q.", i, name)
	case len(f.Values) > maxFilterValues:
		return "", errorf(codeValueLimitExceeded, "The filter %q has %d values; at most %d are allowed.", name, len(f.Values), maxFilterValues)
	}
	return name, nil
}

// checkBooleanValues refuses with code a value of the filter that is not TRUE or FALSE.
func checkBooleanValues(name string, values []string, code string) *apiError {
	for _, v := range values {
		if !strings.EqualFold(v, "TRUE") && !strings.EqualFold(v, "FALSE") {
			return errorf(code, "The filter %q takes TRUE or FALSE, not %q.", name, v)
		}
	}
	return nil
}

type describeAddressesResponse struct {
	TotalCount int64
	AddressSet []addressView
}

// addressView is the documented Address structure. Strings the emulator does not set are
// JSON null, as the real API sends them.
type addressView struct {
	AddressId               string
	AddressName             *string
	AddressStatus           string
	AddressIp               string
	InstanceId              *string
	CreatedTime             string
	NetworkInterfaceId      *string
	PrivateAddressIp        *string
	IsArrears               bool
	IsBlocked               bool
	IsEipDirectConnection   bool
	AddressType             string
	CascadeRelease          bool
	EipAlgType              struct{ Ftp, Sip bool }
	InternetServiceProvider string
	LocalBgp                bool
	Bandwidth               *uint64
	InternetChargeType      *string
	TagSet                  []struct{ Key, Value string }
	DeadlineDate            *string
	InstanceType            *string
	Egress                  *string
	AntiDDoSPackageId       *string
	RenewFlag               *string
	BandwidthPackageId      *string
	UnVpcId                 *string
	DedicatedClusterId      *string
}

func (c *actionContext) describeAddresses(req *describeAddressesRequest) (any, *apiError) {
	if len(req.AddressIds) > maxAddressIDs {
		return nil, errorf(codeValueLimitExceeded, "`AddressIds` holds %d ids; at most %d are allowed per call.", len(req.AddressIds), maxAddressIDs)
	}
	named := map[string]bool{} // ids asked for by name: they are shown whatever their type
	for _, id := range req.AddressIds {
		if aerr := checkAddressID(id); aerr != nil {
			return nil, aerr
		}
		named[id] = true
	}
	if len(req.Filters) > maxFilters {
		return nil, errorf(codeNumberOfFilters, "%d filters were given; at most %d are allowed.", len(req.Filters), maxFilters)
	}
	type activeFilter struct {
		match  addressMatcher
		values []string
	}
	var filters []activeFilter
	typeFiltered := false
	known := func(name string) bool { _, ok := lookupFilter(name); return ok }
	for i, f := range req.Filters {
		name, aerr := checkFilter(i, f, known, codeInvalidFilter)
		if aerr != nil {
			return nil, aerr
		}
		switch name {
		case "address-id":
			if len(req.AddressIds) > 0 {
				return nil, errorf(codeInvalidParameterConflict, "`AddressIds` and the filter \"address-id\" cannot be used together.")
			}
			for _, id := range f.Values {
				if aerr := checkAddressID(id); aerr != nil {
					return nil, aerr
				}
				named[id] = true
			}
		case "is-arrears":
			if aerr := checkBooleanValues(name, f.Values, codeInvalidParameterValue); aerr != nil {
				return nil, aerr
			}
		case "address-type":
			typeFiltered = true
		}
		match, _ := lookupFilter(name)
		filters = append(filters, activeFilter{match, f.Values})
	}
	offset, limit := deref(req.Offset), int64(defaultLimit)
	if req.Limit != nil {
		limit = *req.Limit
	}
	if offset < 0 {
		return nil, errorf(codeInvalidParameterValue, "`Offset` must not be negative (got %d).", offset)
	}
	if limit < 0 || limit > maxLimit {
		return nil, errorf(codeValueLimitExceeded, "`Limit` must be between 0 and %d (got %d).", maxLimit, limit)
	}

	set := []addressView{}
	var total int64
	for _, a := range candidates(c.w.Addresses, req.AddressIds, c.w.address) {
		// Documented: without an address-type filter every type but WanIP is listed.
		if a.AddressType == AddressTypeWanIP && !typeFiltered && !named[a.AddressID] {
			continue
		}
		if !slices.ContainsFunc(filters, func(f activeFilter) bool { return !f.match(a, f.values) }) {
			if total >= offset && total < offset+limit {
				set = append(set, viewAddress(a))
			}
			total++
		}
	}
	return describeAddressesResponse{TotalCount: total, AddressSet: set}, nil
}

// candidates are the items a Describe call looks at, in id order: those named
// by ids (found with lookup, so a batch of ids stays cheap in a large world;
// unknown ones are simply absent), or all of them.
func candidates[T any](all []T, ids []string, lookup func(string) *T) []*T {
	if len(ids) == 0 {
		out := make([]*T, len(all))
		for i := range all {
			out[i] = &all[i]
		}
		return out
	}
	var out []*T
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	for _, id := range slices.Compact(sorted) {
		if x := lookup(id); x != nil {
			out = append(out, x)
		}
	}
	return out
}

func viewAddress(a *Address) addressView {
	v := addressView{
		AddressId:               a.AddressID,
		AddressName:             optional(shownName(a)),
		AddressStatus:           a.Status,
		AddressIp:               a.AddressIP,
		InstanceId:              optional(a.InstanceID),
		CreatedTime:             a.CreatedTime,
		NetworkInterfaceId:      optional(a.NetworkInterfaceID),
		PrivateAddressIp:        optional(a.PrivateIP),
		IsArrears:               a.Arrears,
		IsBlocked:               a.Blocked,
		AddressType:             a.AddressType,
		InternetServiceProvider: internetProvider,
		InternetChargeType:      optional(defaultChargeType),
		TagSet:                  []struct{ Key, Value string }{},
		InstanceType:            instanceType(a),
	}
	if a.AddressType == AddressTypeEIP {
		bandwidth := uint64(1)
		v.Bandwidth = &bandwidth
	}
	return v
}

// unnamedEIP is the AddressName the API shows for an EIP created without a name.
const unnamedEIP = "未命名"

// shownName is the AddressName DescribeAddresses shows.
func shownName(a *Address) string {
	if a.AddressName == "" && a.AddressType == AddressTypeEIP {
		return unnamedEIP
	}
	return a.AddressName
}

// instanceType is what the address is on: CVM for an instance, ENI for a dangling ENI.
func instanceType(a *Address) *string {
	switch {
	case a.InstanceID != "":
		return optional("CVM")
	case a.NetworkInterfaceID != "":
		return optional("ENI")
	}
	return nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
