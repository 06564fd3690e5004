package emulator

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Documented limits of CVM DescribeInstances (cloud.tencent.com/document/api/213/15728):
// at most 100 InstanceIds, at most 10 Filters of at most 5 values, Limit 20 by default
// and at most 100; InstanceIds and Filters cannot be combined.
const (
	maxInstanceIDs        = 100
	maxInstanceFilters    = 10
	maxInstanceFilterVals = 5
)

// instanceFilterNames are the documented DescribeInstances filter names, besides
// tag:<key>. Those about data the emulator does not model (VPCs, subnets, hosts,
// clusters, security groups, UUIDs, IPv6, tags) are accepted and match nothing.
var instanceFilterNames = map[string]bool{
	"zone": true, "project-id": true, "host-id": true, "dedicated-cluster-id": true, "vpc-id": true,
	"subnet-id": true, "instance-id": true, "uuid": true, "security-group-id": true, "instance-name": true,
	"instance-charge-type": true, "instance-state": true, "private-ip-address": true, "public-ip-address": true,
	"ipv6-address": true, "tag-key": true, "tag-value": true, "creation-start-time": true, "creation-end-time": true,
}

// Fields every emulated instance has the same value of: postpaid, in the default
// project, in normal (not isolated) business state.
const (
	instanceChargeType = "POSTPAID_BY_HOUR"
	instanceProject    = 0
	restrictStateOK    = "NORMAL"
	// unnamedInstance is the name of an instance created without one (RunInstances:
	// "不指定实例显示名称则默认显示'未命名'").
	unnamedInstance = "未命名"
	// creationTimeLayout is the layout of the creation-start-time and creation-end-time
	// filters ("2023-06-01 00:00:00").
	creationTimeLayout = time.DateTime
)

type describeInstancesResponse struct {
	TotalCount  int64
	InstanceSet []instanceView
}

// instanceView is the documented Instance structure, the fields the emulator models.
// PublicIpAddresses is null when the instance has no public IP, as the API answers.
type instanceView struct {
	Placement          placementView
	InstanceId         string
	InstanceName       string
	InstanceState      string
	StopChargingMode   string
	RestrictState      string
	InstanceChargeType string
	PrivateIpAddresses []string
	PublicIpAddresses  []string
	CreatedTime        string
	CamRoleName        string
	SecurityGroupIds   []string
	Tags               []struct{ Key, Value string }
}

type placementView struct {
	Zone      string
	ProjectId int64
}

// instanceFilter is one validated filter of a DescribeInstances call.
type instanceFilter struct {
	name   string
	values []string
	times  []time.Time // creation-*-time values, parsed
}

func (c *actionContext) describeInstances(req *describeInstancesRequest) (any, *apiError) {
	if len(req.InstanceIds) > 0 && len(req.Filters) > 0 {
		return nil, errorf(codeInvalidParameter, "`InstanceIds` and `Filters` cannot be given together.")
	}
	if len(req.InstanceIds) > maxInstanceIDs {
		return nil, errorf(codeValueLimitExceeded, "`InstanceIds` holds %d ids; at most %d are allowed per call.", len(req.InstanceIds), maxInstanceIDs)
	}
	for _, id := range req.InstanceIds {
		if !instanceIDPattern.MatchString(id) {
			return nil, cvmInstanceIDMalformed(id)
		}
	}
	filters, aerr := checkInstanceFilters(req.Filters)
	if aerr != nil {
		return nil, aerr
	}
	offset, limit := deref(req.Offset), int64(defaultLimit)
	if req.Limit != nil {
		limit = *req.Limit
	}
	switch {
	case offset < 0:
		return nil, errorf(codeInvalidParameterValue, "`Offset` must not be negative (got %d).", offset)
	case limit < 0:
		return nil, errorf(codeInvalidParameterValue, "`Limit` must not be negative (got %d).", limit)
	case limit > maxLimit:
		return nil, errorf(codeValueLimitExceeded, "`Limit` must be at most %d (got %d).", maxLimit, limit)
	}

	// An id that does not exist is left out: the action has no not-found error.
	page := []instanceView{} // an empty InstanceSet is [], not null
	var total int64
	for _, ins := range candidates(c.w.Instances, req.InstanceIds, c.w.instance) {
		v := c.viewInstance(ins)
		if slices.ContainsFunc(filters, func(f instanceFilter) bool { return !f.matches(&v) }) {
			continue
		}
		if total >= offset && total-offset < limit {
			page = append(page, v)
		}
		total++
	}
	return describeInstancesResponse{TotalCount: total, InstanceSet: page}, nil
}

func cvmInstanceIDMalformed(id string) *apiError {
	return errorf(codeCVMInstanceIDMalformed, "The instance id %q is malformed; expected ins- followed by 8 lowercase letters or digits.", id)
}

func isInstanceFilter(name string) bool {
	return instanceFilterNames[name] || isTagFilter(name)
}

func checkInstanceFilters(in []addressFilter) ([]instanceFilter, *apiError) {
	if len(in) > maxInstanceFilters {
		return nil, errorf(codeValueLimitExceeded, "%d filters were given; at most %d are allowed.", len(in), maxInstanceFilters)
	}
	var out []instanceFilter
	for i, f := range in {
		name := deref(f.Name)
		switch {
		case name == "":
			return nil, errorf(codeCVMInvalidFilter, "`Filters.%d` has no Name.", i)
		case !isInstanceFilter(name):
			return nil, errorf(codeCVMInvalidFilter, "The filter name %q in `Filters.%d` is not supported.", name, i)
		case len(f.Values) == 0:
			return nil, errorf(codeCVMInvalidFilter, "The filter %q has no Values.", name)
		case len(f.Values) > maxInstanceFilterVals:
			return nil, errorf(codeFilterValueLimit, "The filter %q has %d values; at most %d are allowed.", name, len(f.Values), maxInstanceFilterVals)
		}
		filter := instanceFilter{name: name, values: f.Values}
		for _, v := range f.Values {
			switch name {
			case "instance-id":
				if !instanceIDPattern.MatchString(v) {
					return nil, cvmInstanceIDMalformed(v)
				}
			case "instance-state":
				if !slices.Contains(instanceStates, v) {
					return nil, errorf(codeInvalidParameterValue, "The filter instance-state takes %s, not %q.", strings.Join(instanceStates, ", "), v)
				}
			case "private-ip-address", "public-ip-address":
				if ip, err := netip.ParseAddr(v); err != nil || !ip.Is4() {
					return nil, errorf(codeIPAddressMalformed, "The filter %s takes IPv4 addresses, not %q.", name, v)
				}
			case "creation-start-time", "creation-end-time":
				t, err := time.ParseInLocation(creationTimeLayout, v, quotaLocation)
				if err != nil {
					return nil, errorf("InvalidParameterValue.InvalidTimeFormat", "The filter %s takes a time such as 2023-06-01 00:00:00, not %q.", name, v)
				}
				filter.times = append(filter.times, t)
			}
		}
		out = append(out, filter)
	}
	return out, nil
}

// matches tells whether the instance passes the filter (values ORed).
func (f instanceFilter) matches(v *instanceView) bool {
	anyOf := func(have []string) bool {
		return slices.ContainsFunc(have, func(h string) bool { return slices.Contains(f.values, h) })
	}
	switch f.name {
	case "instance-id":
		return slices.Contains(f.values, v.InstanceId)
	case "instance-state":
		return slices.Contains(f.values, v.InstanceState)
	case "instance-name":
		// The name filter is a fuzzy one (InvalidParameterValue.InvalidVagueName).
		return slices.ContainsFunc(f.values, func(s string) bool { return strings.Contains(v.InstanceName, s) })
	case "zone":
		return slices.Contains(f.values, v.Placement.Zone)
	case "project-id":
		return slices.Contains(f.values, "0")
	case "instance-charge-type":
		return slices.Contains(f.values, v.InstanceChargeType)
	case "private-ip-address":
		return anyOf(v.PrivateIpAddresses)
	case "public-ip-address":
		return anyOf(v.PublicIpAddresses)
	case "creation-start-time", "creation-end-time":
		created, _ := time.Parse(time.RFC3339, v.CreatedTime)
		return slices.ContainsFunc(f.times, func(t time.Time) bool {
			if f.name == "creation-start-time" {
				return !created.Before(t)
			}
			return !created.After(t)
		})
	}
	return false // VPCs, subnets, hosts, clusters, security groups, UUIDs, IPv6, tags: not modelled
}

// viewInstance is the instance as DescribeInstances shows it: the private IPs of its
// primary ENI, and the public addresses on them (as documented), bind tasks done.
func (c *actionContext) viewInstance(ins *Instance) instanceView {
	v := instanceView{
		Placement:          placementView{Zone: ins.Zone, ProjectId: instanceProject},
		InstanceId:         ins.InstanceID,
		InstanceName:       ins.InstanceName,
		InstanceState:      ins.State,
		StopChargingMode:   StopChargingNotApplicable,
		RestrictState:      restrictStateOK,
		InstanceChargeType: instanceChargeType,
		PrivateIpAddresses: []string{},
		CreatedTime:        demoCreatedTime,
		CamRoleName:        ins.CamRoleName,
		SecurityGroupIds:   []string{},
		Tags:               []struct{ Key, Value string }{},
	}
	v.Placement.Zone = cmp.Or(v.Placement.Zone, c.w.Region+"-3")
	v.InstanceName = cmp.Or(v.InstanceName, unnamedInstance)
	// Documented: NOT_APPLICABLE unless the instance is stopped.
	if ins.State == InstanceStopped {
		v.StopChargingMode = StopChargingKeep
		if ins.StopChargingMode != "" {
			v.StopChargingMode = ins.StopChargingMode
		}
	}
	eni := c.w.eni(ins.PrimaryNetworkInterfaceID)
	if eni == nil {
		return v
	}
	public := c.w.publicAddressesOn(map[string]bool{eni.NetworkInterfaceID: true})
	for _, p := range eni.PrivateIPs {
		v.PrivateIpAddresses = append(v.PrivateIpAddresses, p.Address)
		if a := public[eniIPKey(eni.NetworkInterfaceID, p.Address)]; a != nil {
			v.PublicIpAddresses = append(v.PublicIpAddresses, a.AddressIP)
		}
	}
	return v
}
