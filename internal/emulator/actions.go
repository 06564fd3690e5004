package emulator

import (
	"net/netip"
	"strconv"
	"time"
)

// Actions by kind: writes change the world (and have the write rate limit).
var writeActions = map[string]bool{"AssociateAddress": true, "DisassociateAddress": true, "ReturnNormalAddresses": true}

// actionContext is one action call: the world of the requested region at one instant.
type actionContext struct {
	e      *Emulator
	w      *World // the emulator's world, or an empty one for another region
	now    time.Time
	action string
	// secretID signed the request ("" for an unsigned one).
	secretID string
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
	if instanceID != "" && !instanceIDPattern.MatchString(instanceID) && !lbIDPattern.MatchString(instanceID) {
		return nil, errorf(codeInstanceIDMalformed,
			"The instance id %q is malformed; expected ins- or lb- followed by 8 lowercase letters or digits.", instanceID)
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
	bound := a.Status == StatusBind || a.Status == StatusBindENI
	tolerateRebind := bound && c.w.Settings.RebindSameTarget == RebindSameTargetTolerate
	if a.Status != StatusUnbind && !tolerateRebind {
		return nil, errorf(codeUnsupportedAddressStatus, "The EIP %s is %s; only an EIP in UNBIND status can be bound.", addressID, a.Status)
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
	if tolerateRebind {
		return c.rebind(a, target)
	}
	if aerr := c.checkTargetFree(target, instanceID != ""); aerr != nil {
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

// rebind answers AssociateAddress of a bound EIP when the RebindSameTarget setting
// tolerates it: its own target gets a task that changes nothing; another target is
// refused with the codes for "already bound to another ENI / private IP".
func (c *actionContext) rebind(a *Address, target bindTarget) (any, *apiError) {
	switch {
	case target.NetworkInterfaceID != a.NetworkInterfaceID:
		return nil, errorf(codeNetworkInterfaceIDNotMatch,
			"The EIP %s is already bound to ENI %s; it cannot be bound to a different ENI (%s).", a.AddressID, a.NetworkInterfaceID, target.NetworkInterfaceID)
	case target.PrivateIP != a.PrivateIP:
		return nil, errorf(codePrivateIPNotMatch,
			"The EIP %s is already bound to private IP %s; it cannot be bound to a different private IP (%s).", a.AddressID, a.PrivateIP, target.PrivateIP)
	}
	// The task does not own the address: it finishes without touching it.
	task := c.e.startTask(c.w, c.now, c.action, Task{
		AddressID: a.AddressID, Kind: TaskKindAssociate,
		InstanceID: target.InstanceID, NetworkInterfaceID: target.NetworkInterfaceID, PrivateIP: target.PrivateIP,
	})
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
		return bindTarget{}, errorf(codeENINotFound, "The private IP %s is not an address of ENI %s.", privateIP, eniID)
	}
	if eni.InstanceID != "" {
		if aerr := checkInstanceCanBind(c.w.instance(eni.InstanceID)); aerr != nil {
			return bindTarget{}, aerr
		}
	}
	return bindTarget{InstanceID: eni.InstanceID, NetworkInterfaceID: eniID, PrivateIP: privateIP}, nil
}

// checkTargetFree applies the rules about what already sits where the EIP goes. They
// are the same whichever way the target was named (viaInstance: by InstanceId), so that
// the instance path and the ENI path to one private IP always agree; only the code
// differs, each path answering with its own.
func (c *actionContext) checkTargetFree(target bindTarget, viaInstance bool) *apiError {
	if other := c.w.addressOnPrivateIP(target.PrivateIP, AddressTypeEIP); other != nil {
		if viaInstance {
			return errorf(codeInstanceAlreadyBindEIP, "The instance %s already holds the EIP %s (%s) on its primary private IP %s.",
				target.InstanceID, other.AddressID, other.Status, target.PrivateIP)
		}
		return errorf(codePrivateIPAlreadyBindEIP, "The private IP %s of ENI %s already holds the EIP %s (%s).",
			target.PrivateIP, target.NetworkInterfaceID, other.AddressID, other.Status)
	}
	if c.w.Settings.AlreadyBindEIP == AlreadyBindEIPInstance && c.isPrimaryIPOfPrimaryENI(target) {
		for _, other := range c.w.Addresses {
			if other.InstanceID == target.InstanceID && other.AddressType == AddressTypeEIP && other.Status != StatusUnbind {
				return errorf(codeInstanceAlreadyBindEIP, "The instance %s already holds the EIP %s (%s).", target.InstanceID, other.AddressID, other.Status)
			}
		}
	}
	if wan := c.w.addressOnPrivateIP(target.PrivateIP, AddressTypeWanIP); wan != nil && c.w.Settings.WanIPOnBind == WanIPOnBindRefuse {
		return errorf(codeInstanceHasWanIP,
			"The instance %s already has the normal public IP %s on %s; return it (ReturnNormalAddresses) before binding an EIP there.",
			target.InstanceID, wan.AddressIP, target.PrivateIP)
	}
	return nil
}

func (c *actionContext) isPrimaryIPOfPrimaryENI(target bindTarget) bool {
	ins := c.w.instance(target.InstanceID)
	if target.InstanceID == "" || ins == nil || ins.PrimaryNetworkInterfaceID != target.NetworkInterfaceID {
		return false
	}
	eni := c.w.eni(target.NetworkInterfaceID)
	return eni != nil && eni.primaryIP() == target.PrivateIP
}

// checkInstanceCanBind: a RUNNING instance, or a STOPPED one that still charges.
func checkInstanceCanBind(ins *Instance) *apiError {
	switch {
	case ins.State == InstanceRunning:
		return nil
	case ins.State == InstanceStopped && ins.StopChargingMode == StopChargingStop:
		return errorf(codeInstanceStatusNotPermit, "The instance %s is stopped in no-charge mode; it cannot take an EIP until it is started.", ins.InstanceID)
	case ins.State == InstanceStopped:
		return nil
	}
	return errorf(codeInvalidInstanceState, "The instance %s is %s; an EIP can be bound only to a RUNNING or STOPPED instance.", ins.InstanceID, ins.State)
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
	if a == nil {
		return nil, addressNotFound(addressID, c.w.Region)
	}
	if a.AddressType != AddressTypeEIP {
		return nil, errorf(codeResourceNotSupport,
			"The address %s is a %s, not an EIP; DisassociateAddress does not unbind it (ReturnNormalAddresses releases a normal public IP).", addressID, a.AddressType)
	}
	if a.Blocked && c.w.Settings.BlockedUnbind == BlockedUnbindRefuse {
		return nil, errorf(codeAddressBlocked, "The EIP %s is blocked; it must be unblocked first.", addressID)
	}
	if a.TaskID != 0 {
		return nil, mutexTaskRunning(a)
	}
	if a.Status != StatusBind && a.Status != StatusBindENI {
		return nil, errorf(codeAddressStatusNotPermit, "The EIP %s is %s; only an EIP in BIND or BIND_ENI status can be unbound.", addressID, a.Status)
	}
	if reallocate {
		if !c.isPrimaryIPOfPrimaryENI(bindTarget{InstanceID: a.InstanceID, NetworkInterfaceID: a.NetworkInterfaceID, PrivateIP: a.PrivateIP}) {
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

// checkAddressUsable is what AssociateAddress requires of an address: it exists, is an
// EIP and is not blocked.
func (c *actionContext) checkAddressUsable(a *Address, addressID string) *apiError {
	if a == nil {
		return addressNotFound(addressID, c.w.Region)
	}
	if a.AddressType != AddressTypeEIP {
		return errorf(codeIncorrectAddressType, "The address %s is a %s, not an EIP; it cannot be bound or unbound.", addressID, a.AddressType)
	}
	if a.Blocked {
		return errorf(codeAddressBlocked, "The EIP %s is blocked; it must be unblocked first.", addressID)
	}
	return nil
}

func addressNotFound(addressID, region string) *apiError {
	return errorf(codeAddressNotFound, "The EIP %s does not exist in region %s.", addressID, region)
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
	if t.Result == TaskFailed && t.FailureCode != "" {
		return nil, errorf(t.FailureCode, "The task %d failed.", t.TaskID)
	}
	return describeTaskResultResponse{TaskId: t.TaskID, Result: t.Result}, nil
}

type quotaView struct {
	QuotaId      string
	QuotaCurrent int64
	QuotaLimit   int64
	QuotaGroup   string // the quotas are per region: the region is their group
}

func (c *actionContext) describeAddressQuota(*describeAddressQuotaRequest) (any, *apiError) {
	set := make([]quotaView, 0, len(c.w.Quotas))
	for _, q := range c.w.Quotas {
		set = append(set, quotaView{QuotaId: q.QuotaID, QuotaCurrent: q.Current, QuotaLimit: q.Limit, QuotaGroup: c.w.Region})
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
	return findFirst(w.Addresses, func(a Address) bool { return a.AddressIP == ip })
}
