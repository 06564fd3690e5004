package emulator

import (
	"net/netip"
	"strconv"
	"time"
)

// Actions by kind, for rate limiting.
var writeActions = map[string]bool{"AssociateAddress": true, "DisassociateAddress": true}

// actionContext is one action call: the world of the requested region at one instant.
type actionContext struct {
	e      *Emulator
	w      *World // the emulator's world, or an empty one for another region
	now    time.Time
	action string
}

// run dispatches a decoded request. Callers hold mu and have observed the world.
func (c *actionContext) run(params any) (any, *apiError) {
	switch p := params.(type) {
	case *associateAddressRequest:
		return c.associateAddress(p)
	case *disassociateAddressRequest:
		return c.disassociateAddress(p)
	case *describeAddressesRequest:
		return c.describeAddresses(p)
	case *describeTaskResultRequest:
		return c.describeTaskResult(p)
	case *describeAddressQuotaRequest:
		return c.describeAddressQuota()
	case *describeNetworkInterfacesRequest:
		return c.describeNetworkInterfaces(p)
	}
	return nil, errorf(codeInvalidAction, "The action %q does not exist.", c.action)
}

type taskIDResponse struct {
	TaskId string // a JSON string here, although DescribeTaskResult takes a number
}

// bindTarget is where an EIP goes: a private IP of an ENI, and the ENI's instance if any.
type bindTarget struct {
	InstanceID, NetworkInterfaceID, PrivateIP string
}

func (c *actionContext) associateAddress(req *associateAddressRequest) (any, *apiError) {
	addressID, instanceID := deref(req.AddressId), deref(req.InstanceId)
	eniID, privateIP := deref(req.NetworkInterfaceId), deref(req.PrivateIpAddress)
	// EipDirectConnection and InstanceRegion are accepted and ignored: neither changes
	// anything the emulator models.

	if addressID == "" {
		return nil, missingParameter("AddressId")
	}
	switch {
	case instanceID != "" && eniID != "":
		return nil, errorf(codeInvalidParameterConflict,
			"`InstanceId` and `NetworkInterfaceId` cannot be given together; bind either to an instance or to a private IP of an ENI.")
	case instanceID == "" && eniID == "":
		return nil, errorf(codeMissingAssociateEntity,
			"Give `InstanceId`, or `NetworkInterfaceId` with `PrivateIpAddress`, to say what %s is bound to.", addressID)
	case eniID != "" && privateIP == "":
		return nil, errorf(codeMissingParameter,
			"The request is missing the required parameter `PrivateIpAddress`: it is required with `NetworkInterfaceId` %s.", eniID)
	case instanceID != "" && privateIP != "":
		return nil, errorf(codeValueCombination,
			"`PrivateIpAddress` goes with `NetworkInterfaceId`; binding to instance %s always uses its primary private IP.", instanceID)
	}
	if aerr := checkAddressID(addressID); aerr != nil {
		return nil, aerr
	}
	if instanceID != "" && !instanceIDPattern.MatchString(instanceID) {
		return nil, errorf(codeInstanceIDMalformed, "The instance id %q is malformed; expected ins- followed by 8 lowercase letters or digits.", instanceID)
	}
	if eniID != "" {
		if ip, err := netip.ParseAddr(privateIP); err != nil || !ip.Is4() {
			return nil, errorf(codeInvalidParameterValue, "`PrivateIpAddress` %q is not an IPv4 address.", privateIP)
		}
	}

	a := c.w.address(addressID)
	if aerr := c.checkAddressUsable(a, addressID); aerr != nil {
		return nil, aerr
	}
	if a.Arrears {
		return nil, errorf(codeAddressInArrears, "The EIP %s is in arrears (isolated) and cannot be bound until the account is topped up.", addressID)
	}
	if a.TaskID != 0 {
		return nil, mutexTaskRunning(a)
	}
	if a.Status != StatusUnbind {
		return nil, errorf(codeAddressStatusNotPermit, "The EIP %s is %s; only an EIP in UNBIND status can be bound.", addressID, a.Status)
	}

	var target bindTarget
	var aerr *apiError
	if instanceID != "" {
		target, aerr = c.instanceTarget(instanceID)
	} else {
		target, aerr = c.networkInterfaceTarget(eniID, privateIP)
	}
	if aerr != nil {
		return nil, aerr
	}

	a.Status = StatusBinding
	a.InstanceID, a.NetworkInterfaceID, a.PrivateIP = target.InstanceID, target.NetworkInterfaceID, target.PrivateIP
	task := c.e.startTask(c.w, c.now, c.action, Task{
		AddressID: addressID, Kind: TaskKindAssociate,
		InstanceID: target.InstanceID, NetworkInterfaceID: target.NetworkInterfaceID, PrivateIP: target.PrivateIP,
	})
	a.TaskID = task.TaskID
	return taskIDResponse{TaskId: strconv.FormatUint(task.TaskID, 10)}, nil
}

// instanceTarget resolves binding to an instance: its primary ENI's primary private IP.
func (c *actionContext) instanceTarget(instanceID string) (bindTarget, *apiError) {
	ins := c.w.instance(instanceID)
	if ins == nil {
		return bindTarget{}, errorf(codeInstanceNotFound, "The instance %s does not exist in region %s.", instanceID, c.w.Region)
	}
	if aerr := checkInstanceCanBind(ins); aerr != nil {
		return bindTarget{}, aerr
	}
	for _, other := range c.w.Addresses {
		if other.InstanceID == instanceID && other.AddressType == AddressTypeEIP && other.Status != StatusUnbind {
			return bindTarget{}, errorf(codeInstanceAlreadyBindEIP, "The instance %s already holds the EIP %s (%s).", instanceID, other.AddressID, other.Status)
		}
	}
	eni := c.w.eni(ins.PrimaryNetworkInterfaceID)
	if eni == nil {
		return bindTarget{}, errorf(codeAddressENIInfoNotFound, "The primary ENI of instance %s cannot be found.", instanceID)
	}
	return bindTarget{InstanceID: instanceID, NetworkInterfaceID: eni.NetworkInterfaceID, PrivateIP: eni.primaryIP()}, nil
}

// networkInterfaceTarget resolves binding to a private IP of an ENI, attached or not.
func (c *actionContext) networkInterfaceTarget(eniID, privateIP string) (bindTarget, *apiError) {
	eni := c.w.eni(eniID)
	if eni == nil {
		return bindTarget{}, errorf(codeENINotFound, "The ENI %q does not exist in region %s.", eniID, c.w.Region)
	}
	if !eni.hasIP(privateIP) {
		return bindTarget{}, errorf(codePrivateIPNotMatch, "The private IP %s is not an address of ENI %s.", privateIP, eniID)
	}
	if eni.InstanceID != "" {
		if aerr := checkInstanceCanBind(c.w.instance(eni.InstanceID)); aerr != nil {
			return bindTarget{}, aerr
		}
	}
	if other := c.w.addressOnPrivateIP(privateIP, AddressTypeEIP); other != nil {
		return bindTarget{}, errorf(codePrivateIPAlreadyBindEIP, "The private IP %s of ENI %s already holds the EIP %s (%s).", privateIP, eniID, other.AddressID, other.Status)
	}
	return bindTarget{InstanceID: eni.InstanceID, NetworkInterfaceID: eniID, PrivateIP: privateIP}, nil
}

func checkInstanceCanBind(ins *Instance) *apiError {
	if ins.State != InstanceRunning && ins.State != InstanceStopped {
		return errorf(codeInstanceNotSupported, "The instance %s is %s; an EIP can be bound only to a RUNNING or STOPPED instance.", ins.InstanceID, ins.State)
	}
	return nil
}

func (c *actionContext) disassociateAddress(req *disassociateAddressRequest) (any, *apiError) {
	addressID, reallocate := deref(req.AddressId), deref(req.ReallocateNormalPublicIp)
	if addressID == "" {
		return nil, missingParameter("AddressId")
	}
	if aerr := checkAddressID(addressID); aerr != nil {
		return nil, aerr
	}
	a := c.w.address(addressID)
	if aerr := c.checkAddressUsable(a, addressID); aerr != nil {
		return nil, aerr
	}
	if a.TaskID != 0 {
		return nil, mutexTaskRunning(a)
	}
	if a.Status != StatusBind && a.Status != StatusBindENI {
		return nil, errorf(codeAddressStatusNotPermit, "The EIP %s is %s; only an EIP in BIND or BIND_ENI status can be unbound.", addressID, a.Status)
	}
	if reallocate {
		if !c.onPrimaryIPOfPrimaryENI(a) {
			return nil, errorf(codeOnlyForMasterNetworkCard,
				"`ReallocateNormalPublicIp` is only supported when the EIP sits on the primary private IP of an instance's primary ENI; %s is on %s %s.",
				addressID, a.NetworkInterfaceID, a.PrivateIP)
		}
		q := findQuota(c.w.Quotas, QuotaDailyPublicIPAssign)
		if q != nil && q.Current >= q.Limit {
			return nil, errorf(codeDailyAllocateLimitExceeded,
				"The daily quota for reassigning normal public IPs (%s) is used up: %d of %d today; it resets at midnight UTC+8.",
				QuotaDailyPublicIPAssign, q.Current, q.Limit)
		}
		if q != nil {
			q.Current++ // counted when the call is accepted, whatever the task's outcome
		}
	}
	task := c.e.startTask(c.w, c.now, c.action, Task{
		AddressID: addressID, Kind: TaskKindDisassociate,
		InstanceID: a.InstanceID, NetworkInterfaceID: a.NetworkInterfaceID, PrivateIP: a.PrivateIP,
		PreviousStatus: a.Status, Reallocate: reallocate,
	})
	a.Status = StatusUnbinding
	a.TaskID = task.TaskID
	return taskIDResponse{TaskId: strconv.FormatUint(task.TaskID, 10)}, nil
}

func (c *actionContext) onPrimaryIPOfPrimaryENI(a *Address) bool {
	ins := c.w.instance(a.InstanceID)
	if a.InstanceID == "" || ins == nil || ins.PrimaryNetworkInterfaceID != a.NetworkInterfaceID {
		return false
	}
	eni := c.w.eni(a.NetworkInterfaceID)
	return eni != nil && eni.primaryIP() == a.PrivateIP
}

// checkAddressUsable is what Associate and Disassociate both require of an address:
// it exists, is an EIP and is not blocked.
func (c *actionContext) checkAddressUsable(a *Address, addressID string) *apiError {
	if a == nil {
		return errorf(codeAddressNotFound, "The EIP %s does not exist in region %s.", addressID, c.w.Region)
	}
	if a.AddressType != AddressTypeEIP {
		return errorf(codeIncorrectAddressType, "The address %s is a %s, not an EIP; it cannot be bound or unbound.", addressID, a.AddressType)
	}
	if a.Blocked {
		return errorf(codeAddressBlocked, "The EIP %s is blocked; it must be unblocked first.", addressID)
	}
	return nil
}

func mutexTaskRunning(a *Address) *apiError {
	return errorf(codeMutexTaskRunning, "The EIP %s is %s: task %d on it is still running; retry when it has finished.", a.AddressID, a.Status, a.TaskID)
}

func checkAddressID(id string) *apiError {
	if !addressIDPattern.MatchString(id) {
		return errorf(codeAddressIDMalformed, "The address id %q is malformed; expected eip- followed by 8 lowercase letters or digits.", id)
	}
	return nil
}

type describeTaskResultResponse struct {
	TaskId uint64 // a JSON number here, although Associate/Disassociate return a string
	Result string
}

// describeTaskResult answers an unknown TaskId with InvalidParameter: the documented
// codes of this action are FailedOperation.TaskFailed, InternalServerError,
// InvalidParameter and MissingParameter, and only InvalidParameter fits "no such task".
func (c *actionContext) describeTaskResult(req *describeTaskResultRequest) (any, *apiError) {
	if req.TaskId == nil {
		if deref(req.DealName) == "" {
			return nil, errorf(codeMissingParameter, "The request is missing the required parameter `TaskId` (or `DealName`).")
		}
		// Deals (orders) belong to purchases, which the emulator does not model.
		return nil, errorf(codeInvalidParameter, "The deal %q does not exist.", *req.DealName)
	}
	t := c.w.task(*req.TaskId)
	if t == nil {
		return nil, errorf(codeInvalidParameter, "The task %d does not exist in region %s.", *req.TaskId, c.w.Region)
	}
	return describeTaskResultResponse{TaskId: t.TaskID, Result: t.Result}, nil
}

type quotaView struct {
	QuotaId      string
	QuotaCurrent int64
	QuotaLimit   int64
	QuotaGroup   *string // not modelled; null as the API leaves unset strings
}

func (c *actionContext) describeAddressQuota() (any, *apiError) {
	set := make([]quotaView, 0, len(c.w.Quotas))
	for _, q := range c.w.Quotas {
		set = append(set, quotaView{QuotaId: q.QuotaID, QuotaCurrent: q.Current, QuotaLimit: q.Limit})
	}
	return struct{ QuotaSet []quotaView }{set}, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
