package emulator

import (
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Snapshot returns a deep copy of the world, tasks settled to the current clock.
func (e *Emulator) Snapshot() World {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.observe()
	e.commit()
	return e.world.clone()
}

// Now returns the emulator clock: Options.Now plus everything AdvanceClock added.
func (e *Emulator) Now() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.clock()
}

// AddressPatch is an out-of-band change to an address: what happens in the console or
// by another tool, behind the client's back. Fields apply in this order: Blocked and
// Arrears, Unbind, Bind*, Delete.
type AddressPatch struct {
	Blocked *bool `json:"blocked,omitempty"`
	Arrears *bool `json:"arrears,omitempty"`
	// Unbind makes the address UNBIND with no target, at once, without a task.
	Unbind bool `json:"unbind,omitempty"`
	// BindInstanceID binds to the instance as AssociateAddress would, but at once: on
	// its primary ENI's primary IP, releasing a normal public IP there.
	BindInstanceID string `json:"bindInstanceId,omitempty"`
	// BindNetworkInterfaceID and BindPrivateIP bind to a private IP of an ENI, at once.
	BindNetworkInterfaceID string `json:"bindNetworkInterfaceId,omitempty"`
	BindPrivateIP          string `json:"bindPrivateIp,omitempty"`
	// Delete releases the address.
	Delete bool `json:"delete,omitempty"`
}

// Errors PatchAddress and SetQuota wrap, so callers (and the HTTP surface) can tell a
// missing thing from a bad request.
var (
	ErrNotFound   = errors.New("not found")
	ErrBadRequest = errors.New("bad request")
)

// PatchAddress changes an address out of band. An address that a running task owns is
// taken from the task: the task still finishes, but no longer touches the address.
func (e *Emulator) PatchAddress(id string, p AddressPatch) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.observe()
	defer e.commit()

	a := e.world.address(id)
	if a == nil {
		return fmt.Errorf("address %s: %w", id, ErrNotFound)
	}
	bindToInstance, bindToENI := p.BindInstanceID != "", p.BindNetworkInterfaceID != "" || p.BindPrivateIP != ""
	switch {
	case bindToInstance && bindToENI:
		return fmt.Errorf("bind to an instance or to an ENI private IP, not both: %w", ErrBadRequest)
	case (bindToInstance || bindToENI) && (p.Unbind || p.Delete):
		return fmt.Errorf("a patch cannot both bind and unbind or delete: %w", ErrBadRequest)
	case bindToENI && (p.BindNetworkInterfaceID == "" || p.BindPrivateIP == ""):
		return fmt.Errorf("bindNetworkInterfaceId and bindPrivateIp go together: %w", ErrBadRequest)
	}

	var target bindTarget
	if bindToInstance || bindToENI {
		c := actionContext{e: e, w: e.world, now: now}
		var aerr *apiError
		if bindToInstance {
			target, aerr = c.patchInstanceTarget(p.BindInstanceID)
		} else {
			target, aerr = c.patchENITarget(p.BindNetworkInterfaceID, p.BindPrivateIP)
		}
		if aerr != nil {
			return fmt.Errorf("%s: %w", aerr.Message, ErrBadRequest)
		}
		if other := e.world.addressOnPrivateIP(target.PrivateIP, AddressTypeEIP); other != nil && other.AddressID != id {
			return fmt.Errorf("private IP %s already holds %s: %w", target.PrivateIP, other.AddressID, ErrBadRequest)
		}
	}

	e.dirty = true
	if p.Blocked != nil {
		a.Blocked = *p.Blocked
	}
	if p.Arrears != nil {
		a.Arrears = *p.Arrears
	}
	if p.Unbind || bindToInstance || bindToENI || p.Delete {
		a.TaskID = 0 // out-of-band change wins over a running task
	}
	if p.Unbind {
		a.Status = StatusUnbind
		clearTarget(a)
	}
	if bindToInstance || bindToENI {
		a.Status = boundStatus(target.InstanceID)
		a.InstanceID, a.NetworkInterfaceID, a.PrivateIP = target.InstanceID, target.NetworkInterfaceID, target.PrivateIP
		if wan := e.world.addressOnPrivateIP(target.PrivateIP, AddressTypeWanIP); wan != nil && wan.AddressID != id {
			e.world.removeAddress(wan.AddressID) // a may move: do nothing with it after this
		}
	}
	if p.Delete {
		e.world.removeAddress(id)
	}
	return nil
}

// patchInstanceTarget is instanceTarget without the rules that stop a client but not the
// console's owner: the instance may be in any state, and may already hold this EIP.
func (c *actionContext) patchInstanceTarget(instanceID string) (bindTarget, *apiError) {
	ins := c.w.instance(instanceID)
	if ins == nil {
		return bindTarget{}, errorf(codeInstanceNotFound, "instance %s does not exist", instanceID)
	}
	eni := c.w.eni(ins.PrimaryNetworkInterfaceID)
	if eni == nil {
		return bindTarget{}, errorf(codeAddressENIInfoNotFound, "instance %s has no primary ENI", instanceID)
	}
	return bindTarget{InstanceID: instanceID, NetworkInterfaceID: eni.NetworkInterfaceID, PrivateIP: eni.primaryIP()}, nil
}

func (c *actionContext) patchENITarget(eniID, privateIP string) (bindTarget, *apiError) {
	eni := c.w.eni(eniID)
	if eni == nil {
		return bindTarget{}, errorf(codeENINotFound, "ENI %s does not exist", eniID)
	}
	if !eni.hasIP(privateIP) {
		return bindTarget{}, errorf(codePrivateIPNotMatch, "private IP %s is not on ENI %s", privateIP, eniID)
	}
	return bindTarget{InstanceID: eni.InstanceID, NetworkInterfaceID: eniID, PrivateIP: privateIP}, nil
}

// AddNormalPublicIP gives the instance a normal public IP (AddressType WanIP) on the
// primary private IP of its primary ENI, out of band: as a CVM created with a public IP
// has one. It refuses when an address (EIP or normal public IP) already sits there.
func (e *Emulator) AddNormalPublicIP(instanceID string) (Address, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.observe()
	defer e.commit()
	ins := e.world.instance(instanceID)
	if ins == nil {
		return Address{}, fmt.Errorf("instance %s: %w", instanceID, ErrNotFound)
	}
	eni := e.world.eni(ins.PrimaryNetworkInterfaceID)
	ip := eni.primaryIP()
	if other := e.world.addressOnPrivateIP(ip, ""); other != nil {
		return Address{}, fmt.Errorf("the primary private IP %s of %s already holds %s %s (%s): %w",
			ip, instanceID, other.AddressType, other.AddressID, other.Status, ErrBadRequest)
	}
	a := e.allocateWanIP(instanceID, eni.NetworkInterfaceID, ip, now)
	if a == nil {
		return Address{}, fmt.Errorf("no normal public IP could be placed on %s: %w", instanceID, ErrBadRequest)
	}
	e.dirty = true
	return *a, nil
}

// NormalPublicIPs returns the normal public IPs the instance holds (see also
// World.NormalPublicIPs).
func (e *Emulator) NormalPublicIPs(instanceID string) ([]Address, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.observe()
	defer e.commit()
	if e.world.instance(instanceID) == nil {
		return nil, fmt.Errorf("instance %s: %w", instanceID, ErrNotFound)
	}
	return e.world.NormalPublicIPs(instanceID), nil
}

// SetQuota sets the current value of a quota (e.g. DAILY_PUBLIC_IP_ASSIGN to 10 to use
// up today's reallocations). TOTAL_EIP_QUOTA is derived from the world and refused.
func (e *Emulator) SetQuota(quotaID string, current int64) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.observe()
	defer e.commit()
	if quotaID == QuotaTotalEIP {
		return fmt.Errorf("%s counts the EIPs in the world and cannot be set: %w", QuotaTotalEIP, ErrBadRequest)
	}
	if current < 0 {
		return fmt.Errorf("quota %s: current must not be negative: %w", quotaID, ErrBadRequest)
	}
	q := findQuota(e.world.Quotas, quotaID)
	if q == nil {
		return fmt.Errorf("quota %s: %w", quotaID, ErrNotFound)
	}
	q.Current = current
	e.dirty = true
	return nil
}

// AdvanceClock moves the emulator clock forward by d (d <= 0 does nothing). Tasks due by
// then finish and daily quotas roll over at the next observation. Signature timestamps
// are still checked against real time.
func (e *Emulator) AdvanceClock(d time.Duration) {
	if d <= 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.world.ClockOffset += Duration(d)
	e.dirty = true
	e.observe()
	e.commit()
}

// SetTaskDelay sets how long tasks created from now on run (d < 0 counts as 0).
func (e *Emulator) SetTaskDelay(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.taskDelay = max(d, 0)
}

// Reset restores the state New started from: the configured world (not one loaded from
// StatePath), clock offset 0, quotas, the configured task delay and rate limits; stats
// and faults are cleared.
func (e *Emulator) Reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	w := e.initial.clone()
	e.world = &w
	e.taskDelay = e.initialTaskDelay
	e.rateLimit = e.initialRateLimit.clone()
	e.limiter.reset()
	e.faults = nil
	e.stats.reset()
	e.dirty = true
	e.observe()
	e.commit()
}

// settingsBody is the JSON of POST /_emulator/settings: every field is optional, and
// only those given change. The settings keys are those of Settings.
type settingsBody struct {
	TaskDelay *Duration `json:"taskDelay,omitempty"`
	RateLimit *struct {
		Write   *float64           `json:"write,omitempty"`
		Read    *float64           `json:"read,omitempty"`
		Scale   *float64           `json:"scale,omitempty"`
		Actions map[string]float64 `json:"actions,omitempty"`
	} `json:"rateLimit,omitempty"`
	Settings
}

// currentSettings is the JSON of GET /_emulator/settings: the task delay, the rate
// limits, the region (read only) and every setting.
func (e *Emulator) currentSettings() map[string]any {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[string]any{"taskDelay": Duration(e.taskDelay), "rateLimit": e.rateLimit.clone(),
		"region": e.world.Region, "regions": e.world.Regions}
	for _, info := range settingInfos {
		out[info.Key] = e.world.Settings.Get(info.Key)
	}
	return out
}

// applySettings checks the whole body first, so that a bad field changes nothing.
func (e *Emulator) applySettings(s settingsBody) error {
	if s.TaskDelay != nil && *s.TaskDelay < 0 {
		return fmt.Errorf("taskDelay must not be negative: %w", ErrBadRequest)
	}
	if err := s.validate(); err != nil { // the Settings keys
		return fmt.Errorf("%v: %w", err, ErrBadRequest)
	}
	limit := e.RateLimit()
	if r := s.RateLimit; r != nil {
		if r.Write != nil {
			limit.Write = *r.Write
		}
		if r.Read != nil {
			limit.Read = *r.Read
		}
		if r.Scale != nil {
			limit.Scale = *r.Scale
		}
		for action, v := range r.Actions {
			if limit.Actions == nil {
				limit.Actions = map[string]float64{}
			}
			limit.Actions[action] = v
		}
		if err := validRateLimit(limit); err != nil {
			return fmt.Errorf("%v: %w", err, ErrBadRequest)
		}
	}
	if s.RateLimit != nil {
		if err := e.SetRateLimit(limit); err != nil {
			return fmt.Errorf("%v: %w", err, ErrBadRequest)
		}
	}
	if err := e.SetSettings(s.Settings); err != nil {
		return err
	}
	if s.TaskDelay != nil {
		e.SetTaskDelay(time.Duration(*s.TaskDelay))
	}
	return nil
}

// isLoopbackPeer reports whether a RemoteAddr ("host:port") is a loopback address: the
// control surface has no authentication, so only the local machine may use it.
func isLoopbackPeer(remoteAddr string) bool {
	ap, err := netip.ParseAddrPort(remoteAddr)
	if err != nil {
		return false
	}
	return ap.Addr().Unmap().IsLoopback()
}
