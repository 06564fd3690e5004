package emulator

import (
	"cmp"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Address statuses, as documented for the Address.AddressStatus field.
const (
	StatusCreating  = "CREATING"
	StatusBinding   = "BINDING"
	StatusBind      = "BIND"
	StatusUnbinding = "UNBINDING"
	StatusUnbind    = "UNBIND"
	StatusOfflining = "OFFLINING"
	StatusBindENI   = "BIND_ENI"
)

// Address types the emulator models. WanIP is a "normal public IP": it belongs to an
// instance and cannot be associated or disassociated like an EIP.
const (
	AddressTypeEIP   = "EIP"
	AddressTypeWanIP = "WanIP"
)

// Instance states (the CVM InstanceState values). RUNNING and STOPPED instances take
// an EIP, unless stopped in no-charge mode; any other state refuses.
const (
	InstanceRunning      = "RUNNING"
	InstanceStopped      = "STOPPED"
	InstanceLaunchFailed = "LAUNCH_FAILED"
)

// instanceStates are the documented CVM instance states (the instance state table,
// cloud.tencent.com/document/api/213/15753#InstanceStatus).
var instanceStates = []string{"PENDING", InstanceLaunchFailed, InstanceRunning, InstanceStopped,
	"STARTING", "STOPPING", "REBOOTING", "SHUTDOWN", "TERMINATING"}

// Stop-charging modes of a STOPPED instance (the CVM StopChargingMode values).
const (
	StopChargingKeep          = "KEEP_CHARGING"
	StopChargingStop          = "STOP_CHARGING" // "stopped in no-charge mode": binds refused
	StopChargingNotApplicable = "NOT_APPLICABLE"
)

// Task kinds and results.
const (
	TaskKindAssociate    = "associate"
	TaskKindDisassociate = "disassociate"

	TaskRunning = "RUNNING"
	TaskSuccess = "SUCCESS"
	TaskFailed  = "FAILED"
)

// Quota ids served by DescribeAddressQuota. Only TOTAL_EIP_QUOTA (derived from the
// world) and DAILY_PUBLIC_IP_ASSIGN (counted by reallocations) move; the others are
// listed because the documentation lists them.
const (
	QuotaTotalEIP            = "TOTAL_EIP_QUOTA"
	QuotaDailyEIPApply       = "DAILY_EIP_APPLY"
	QuotaDailyPublicIPAssign = "DAILY_PUBLIC_IP_ASSIGN"
)

var (
	addressIDPattern  = regexp.MustCompile(`^eip-[a-z0-9]{8}$`)
	instanceIDPattern = regexp.MustCompile(`^ins-[a-z0-9]{8}$`)
	// lbIDPattern: AssociateAddress documents lb- ids (CLB instances) as InstanceId too.
	lbIDPattern  = regexp.MustCompile(`^lb-[a-z0-9]{8}$`)
	eniIDPattern = regexp.MustCompile(`^eni-[a-z0-9]{8}$`)
)

// DefaultRegions are the regions the built-in world knows (the region list of the
// API's common parameters). A world file may list others in World.Regions.
var DefaultRegions = []string{
	"ap-bangkok", "ap-beijing", "ap-chengdu", "ap-chongqing", "ap-guangzhou", "ap-hongkong",
	"ap-jakarta", "ap-mumbai", "ap-nanjing", "ap-seoul", "ap-shanghai", "ap-shanghai-fsi",
	"ap-shenzhen-fsi", "ap-singapore", "ap-tokyo", "eu-frankfurt", "na-ashburn",
	"na-siliconvalley", "na-toronto", "sa-saopaulo",
}

// World is everything the emulator knows. It is also the JSON of -world files, of the
// persisted state and of GET /_emulator/world.
type World struct {
	// Region is the only region that has resources. Requests for another region of
	// Regions see an empty world; requests for a region not in Regions are refused
	// (Settings.UnknownRegion says with which code).
	Region string `json:"region"`
	// Regions are the regions that exist; empty = DefaultRegions. Region is always one.
	Regions []string `json:"regions,omitempty"`
	// Settings are the settings in force (see Settings); unset fields take defaults.
	Settings          Settings           `json:"settings"`
	Instances         []Instance         `json:"instances"`
	NetworkInterfaces []NetworkInterface `json:"networkInterfaces"`
	Addresses         []Address          `json:"addresses"`
	Quotas            []Quota            `json:"quotas"`
	Tasks             []Task             `json:"tasks"`

	// Accounts, their keys, roles and OIDC identity providers, and the temporary
	// credentials the emulator has issued (see identity.go).
	Accounts      []Account      `json:"accounts"`
	Keys          []Key          `json:"keys"`
	Roles         []Role         `json:"roles"`
	OIDCProviders []OIDCProvider `json:"oidcProviders"`
	Sessions      []Session      `json:"sessions"`

	// ClockOffset is how far AdvanceClock has moved the emulator clock past Options.Now.
	ClockOffset Duration `json:"clockOffset,omitempty"`
	// NextTaskID is the id the next task gets (0 = start at firstTaskID).
	NextTaskID uint64 `json:"nextTaskId,omitempty"`
	// NextWanIPSeq numbers generated normal public IPs (ids and addresses).
	NextWanIPSeq int `json:"nextWanIpSeq,omitempty"`
	// QuotaDay is the UTC+8 date the DAILY_* quota counters belong to.
	QuotaDay string `json:"quotaDay,omitempty"`
}

// Instance is a CVM instance. It binds an EIP on its primary ENI's primary private IP.
type Instance struct {
	InstanceID string `json:"instanceId"`
	// InstanceName is what DescribeInstances shows ("" = 未命名, as an instance created
	// without a name).
	InstanceName              string `json:"instanceName,omitempty"`
	State                     string `json:"state"`
	PrimaryNetworkInterfaceID string `json:"primaryNetworkInterfaceId"`
	// StopChargingMode matters for a STOPPED instance: STOP_CHARGING refuses binds.
	StopChargingMode string `json:"stopChargingMode,omitempty"`
	// Zone is the availability zone ("" = the region's zone 3, e.g. ap-guangzhou-3).
	Zone string `json:"zone,omitempty"`
	// CamRoleName is the CAM role attached to the instance, served by the CVM metadata
	// service when the instance is the metadataInstance setting.
	CamRoleName string `json:"camRoleName,omitempty"`
}

// NetworkInterface is an ENI, attached to an instance (InstanceID set) or dangling.
type NetworkInterface struct {
	NetworkInterfaceID string      `json:"networkInterfaceId"`
	InstanceID         string      `json:"instanceId,omitempty"`
	Primary            bool        `json:"primary,omitempty"`
	PrivateIPs         []PrivateIP `json:"privateIps"`
}

// PrivateIP is one private IPv4 address of an ENI.
type PrivateIP struct {
	Address string `json:"address"`
	Primary bool   `json:"primary,omitempty"`
}

// Address is an EIP or a normal public IP (AddressType WanIP). While bound (or while a
// task moves it) InstanceID/NetworkInterfaceID/PrivateIP name its target.
type Address struct {
	AddressID          string `json:"addressId"`
	AddressName        string `json:"addressName,omitempty"`
	AddressIP          string `json:"addressIp"`
	AddressType        string `json:"addressType"`
	Status             string `json:"status"`
	InstanceID         string `json:"instanceId,omitempty"`
	NetworkInterfaceID string `json:"networkInterfaceId,omitempty"`
	PrivateIP          string `json:"privateIp,omitempty"`
	Blocked            bool   `json:"blocked,omitempty"`
	Arrears            bool   `json:"arrears,omitempty"`
	CreatedTime        string `json:"createdTime"`
	// TaskID is the running task that owns the address (0 = none).
	TaskID uint64 `json:"taskId,omitempty"`
}

// Quota is one DescribeAddressQuota entry.
type Quota struct {
	QuotaID string `json:"quotaId"`
	Current int64  `json:"current"`
	Limit   int64  `json:"limit"`
}

// Task is an asynchronous Associate/Disassociate operation.
type Task struct {
	TaskID    uint64 `json:"taskId"`
	AddressID string `json:"addressId"`
	Kind      string `json:"kind"`
	Result    string `json:"result"`
	// DoneAt is when the task finishes on the emulator clock; zero while it hangs until
	// ClearFaults.
	DoneAt time.Time `json:"doneAt"`
	// Outcome is what Result becomes at DoneAt (SUCCESS, or FAILED by an injected fault).
	Outcome string `json:"outcome"`
	// Hung marks a task created under a task-hang fault; ClearFaults releases it.
	Hung bool `json:"hung,omitempty"`
	// The binding the task is about: the target of an associate, or what a disassociate
	// removes (needed to place a reallocated normal public IP).
	InstanceID         string `json:"instanceId,omitempty"`
	NetworkInterfaceID string `json:"networkInterfaceId,omitempty"`
	PrivateIP          string `json:"privateIp,omitempty"`
	// PreviousStatus is what a failed disassociate restores (BIND or BIND_ENI).
	PreviousStatus string `json:"previousStatus,omitempty"`
	// Reallocate: a successful disassociate gives the instance a new normal public IP.
	Reallocate bool `json:"reallocate,omitempty"`
	// FailureCode, set on a task that ends FAILED, is the error DescribeTaskResult then
	// answers instead of Result FAILED (a task-error fault).
	FailureCode string `json:"failureCode,omitempty"`
}

// Address returns the address with the given id. (A value receiver, so that
// emu.Snapshot().Address(id) works.)
func (w World) Address(id string) (Address, bool) {
	for _, a := range w.Addresses {
		if a.AddressID == id {
			return a, true
		}
	}
	return Address{}, false
}

// AddressesOn returns every address (EIPs and normal public IPs) whose target is the
// instance, in AddressId order.
func (w World) AddressesOn(instanceID string) []Address {
	var out []Address
	for _, a := range w.Addresses {
		if instanceID != "" && a.InstanceID == instanceID {
			out = append(out, a)
		}
	}
	sortByKey(out, addressKey)
	return out
}

// NormalPublicIPs returns the normal public IPs (AddressType WanIP) the instance holds,
// in AddressId order.
func (w World) NormalPublicIPs(instanceID string) []Address {
	var out []Address
	for _, a := range w.AddressesOn(instanceID) {
		if a.AddressType == AddressTypeWanIP {
			out = append(out, a)
		}
	}
	return out
}

// demoCreatedTime is the creation time of every address in the built-in world: fixed, so
// that its JSON is stable.
const demoCreatedTime = "2025-01-01T00:00:00Z"

// DefaultWorld is the built-in world in ap-guangzhou. Tests, examples and the demo rely on
// its exact ids (cmd/qcloud-emulator/README.md says what each is for). No instance of it
// but ins-demo0006 holds a normal public IP, so that binds succeed under the default
// WanIPOnBind setting.
func DefaultWorld() *World {
	w := &World{Region: DefaultRegion}
	addInstance := func(id, state, eni string, ips ...string) *Instance {
		name := "demo-" + strings.TrimPrefix(id, "ins-demo")
		w.Instances = append(w.Instances, Instance{InstanceID: id, InstanceName: name, State: state,
			PrimaryNetworkInterfaceID: eni, Zone: DefaultRegion + "-3"})
		w.NetworkInterfaces = append(w.NetworkInterfaces, NetworkInterface{
			NetworkInterfaceID: eni, InstanceID: id, Primary: true, PrivateIPs: privateIPs(ips...),
		})
		return &w.Instances[len(w.Instances)-1]
	}
	addInstance("ins-demo0001", InstanceRunning, "eni-demo0001", "10.0.0.11", "10.0.0.12").CamRoleName = DefaultCVMRoleName
	addInstance("ins-demo0002", InstanceRunning, "eni-demo0002", "10.0.0.21")
	addInstance("ins-demo0003", InstanceRunning, "eni-demo0003", "10.0.0.31")
	addInstance("ins-demo0004", InstanceLaunchFailed, "eni-demo0004", "10.0.0.41")
	w.NetworkInterfaces = append(w.NetworkInterfaces, NetworkInterface{
		NetworkInterfaceID: "eni-demo0005", PrivateIPs: privateIPs("10.0.1.5"),
	})
	addInstance("ins-demo0005", InstanceStopped, "eni-demo0006", "10.0.0.51").StopChargingMode = StopChargingStop
	addInstance("ins-demo0006", InstanceRunning, "eni-demo0007", "10.0.0.61")
	addInstance("ins-demo0007", InstanceRunning, "eni-demo0008", "10.0.0.71", "10.0.0.72")
	w.NetworkInterfaces = append(w.NetworkInterfaces, NetworkInterface{
		NetworkInterfaceID: "eni-demo0009", InstanceID: "ins-demo0007", PrivateIPs: privateIPs("10.0.2.71", "10.0.2.72"),
	})
	addInstance("ins-demo0008", InstanceStopped, "eni-demo0010", "10.0.0.81").StopChargingMode = StopChargingKeep

	for i := 1; i <= 12; i++ {
		name := fmt.Sprintf("demo-eip-%d", i)
		if i == 12 {
			name = "" // an EIP created without a name
		}
		w.Addresses = append(w.Addresses, Address{
			AddressID:   fmt.Sprintf("eip-demo%04d", i),
			AddressName: name,
			AddressIP:   fmt.Sprintf("203.0.113.%d", i),
			AddressType: AddressTypeEIP,
			Status:      StatusUnbind,
			CreatedTime: demoCreatedTime,
		})
	}
	bind := func(id, instanceID, eni, ip string) *Address {
		a := w.address(id) // the addresses are in id order so far
		a.Status, a.InstanceID, a.NetworkInterfaceID, a.PrivateIP = StatusBind, instanceID, eni, ip
		return a
	}
	bind("eip-demo0002", "ins-demo0002", "eni-demo0002", "10.0.0.21")
	bind("eip-demo0004", "ins-demo0003", "eni-demo0003", "10.0.0.31").Blocked = true
	w.address("eip-demo0003").Arrears = true
	w.address("eip-demo0005").Blocked = true
	// ins-demo0006 was created with a public IP: a normal public IP on its primary IP.
	w.Addresses = append(w.Addresses, Address{
		AddressID: "eip-demo0013", AddressIP: "198.51.100.61", AddressType: AddressTypeWanIP, Status: StatusBind,
		InstanceID: "ins-demo0006", NetworkInterfaceID: "eni-demo0007", PrivateIP: "10.0.0.61", CreatedTime: demoCreatedTime,
	})

	w.Quotas = defaultQuotas()
	w.addDefaultIdentities()
	return w
}

// defaultQuotas are the documented quota ids with the limits of a new account.
func defaultQuotas() []Quota {
	return []Quota{
		{QuotaID: QuotaTotalEIP, Limit: 20},
		{QuotaID: "LOCALBGP_EIP_QUOTA", Limit: 0},
		{QuotaID: "SINGLEISP_EIP_QUOTA", Limit: 0},
		{QuotaID: QuotaDailyEIPApply, Limit: 40},
		{QuotaID: "DAILY_SINGLEISP_APPLY", Limit: 0},
		{QuotaID: QuotaDailyPublicIPAssign, Limit: 10},
		{QuotaID: "MONTHLY_RECOVER_QUOTA", Limit: 5},
		{QuotaID: "TOTAL_EIP6_QUOTA", Limit: 20},
		{QuotaID: "BGP_EIPv6_QUOTA", Limit: 20},
		{QuotaID: "SINGLEISP_EIPv6_QUOTA", Limit: 0},
	}
}

func privateIPs(addrs ...string) []PrivateIP {
	out := make([]PrivateIP, len(addrs))
	for i, a := range addrs {
		out[i] = PrivateIP{Address: a, Primary: i == 0}
	}
	return out
}

// maxScale keeps generated ids within eight characters (ins-sc999999).
const maxScale = 999999

// addScale adds n RUNNING instances ins-scNNNNNN, each with a primary ENI and one private
// IP from 10.128.0.0/9, and n UNBIND EIPs eip-scNNNNNN with public IPs from 100.64.0.0/10.
func (w *World) addScale(n int) error {
	if n < 0 || n > maxScale {
		return fmt.Errorf("scale %d is out of range 0..%d", n, maxScale)
	}
	privateBase := netip.MustParseAddr("10.128.0.0")
	publicBase := netip.MustParseAddr("100.64.0.0")
	for i := 1; i <= n; i++ {
		ins, eni, eip := fmt.Sprintf("ins-sc%06d", i), fmt.Sprintf("eni-sc%06d", i), fmt.Sprintf("eip-sc%06d", i)
		w.Instances = append(w.Instances, Instance{InstanceID: ins, State: InstanceRunning, PrimaryNetworkInterfaceID: eni})
		w.NetworkInterfaces = append(w.NetworkInterfaces, NetworkInterface{
			NetworkInterfaceID: eni, InstanceID: ins, Primary: true,
			PrivateIPs: privateIPs(addIPv4(privateBase, uint32(i)).String()),
		})
		w.Addresses = append(w.Addresses, Address{
			AddressID: eip, AddressIP: addIPv4(publicBase, uint32(i)).String(),
			AddressType: AddressTypeEIP, Status: StatusUnbind, CreatedTime: demoCreatedTime,
		})
	}
	// A generated world may hold more EIPs than the default quota; keep the quota honest.
	if q := findQuota(w.Quotas, QuotaTotalEIP); q != nil {
		q.Limit = max(q.Limit, int64(w.countEIPs()))
	}
	return nil
}

func addIPv4(base netip.Addr, n uint32) netip.Addr {
	b := base.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	v += n
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

func findQuota(qs []Quota, id string) *Quota {
	return findFirst(qs, func(q Quota) bool { return q.QuotaID == id })
}

// findFirst is the first element of s that matches, or nil.
func findFirst[T any](s []T, match func(T) bool) *T {
	if i := slices.IndexFunc(s, match); i >= 0 {
		return &s[i]
	}
	return nil
}

func (w *World) countEIPs() int {
	n := 0
	for _, a := range w.Addresses {
		if a.AddressType == AddressTypeEIP {
			n++
		}
	}
	return n
}

// clone is a deep copy.
func (w *World) clone() World {
	c := *w
	c.Instances = slices.Clone(w.Instances)
	c.NetworkInterfaces = slices.Clone(w.NetworkInterfaces)
	for i := range c.NetworkInterfaces {
		c.NetworkInterfaces[i].PrivateIPs = slices.Clone(c.NetworkInterfaces[i].PrivateIPs)
	}
	c.Addresses = slices.Clone(w.Addresses)
	c.Quotas = slices.Clone(w.Quotas)
	c.Tasks = slices.Clone(w.Tasks)
	c.Regions = slices.Clone(w.Regions)
	c.Accounts = slices.Clone(w.Accounts)
	c.Keys = slices.Clone(w.Keys)
	c.Roles = slices.Clone(w.Roles)
	for i := range c.Roles {
		c.Roles[i].TrustedAccounts = slices.Clone(c.Roles[i].TrustedAccounts)
		c.Roles[i].TrustedOIDCProviders = slices.Clone(c.Roles[i].TrustedOIDCProviders)
	}
	c.OIDCProviders = slices.Clone(w.OIDCProviders)
	for i := range c.OIDCProviders {
		c.OIDCProviders[i].ClientIDs = slices.Clone(c.OIDCProviders[i].ClientIDs)
	}
	c.Sessions = slices.Clone(w.Sessions)
	return c
}

// normalize fills defaults and sorts every collection by id, so that lookups can use
// binary search and DescribeAddresses needs no sort.
func (w *World) normalize() {
	w.Region = cmp.Or(w.Region, DefaultRegion)
	if len(w.Regions) == 0 {
		w.Regions = slices.Clone(DefaultRegions)
	}
	if !slices.Contains(w.Regions, w.Region) {
		w.Regions = append(w.Regions, w.Region)
	}
	slices.Sort(w.Regions)
	w.Regions = slices.Compact(w.Regions)
	w.Settings = w.Settings.withDefaults()
	for i := range w.Addresses {
		w.Addresses[i].AddressType = cmp.Or(w.Addresses[i].AddressType, AddressTypeEIP)
		w.Addresses[i].CreatedTime = cmp.Or(w.Addresses[i].CreatedTime, demoCreatedTime)
	}
	for _, q := range defaultQuotas() {
		if findQuota(w.Quotas, q.QuotaID) == nil {
			w.Quotas = append(w.Quotas, q)
		}
	}
	sortByKey(w.Instances, instanceKey)
	sortByKey(w.NetworkInterfaces, eniKey)
	sortByKey(w.Addresses, addressKey)
	sortByKey(w.Tasks, taskKey)
	w.normalizeIdentities()
	w.NextTaskID = cmp.Or(w.NextTaskID, firstTaskID)
	for _, t := range w.Tasks {
		w.NextTaskID = max(w.NextTaskID, t.TaskID+1)
	}
}

// validate reports the first inconsistency that would make the world misbehave (a
// dangling reference, a duplicate id, a status no rule can leave). It expects a
// normalized world.
func (w *World) validate() error {
	if err := w.Settings.validate(); err != nil {
		return err
	}
	for _, r := range w.Regions {
		if r == "" || strings.ContainsAny(r, " \t/") {
			return fmt.Errorf("region %q is not a region name", r)
		}
	}
	for i, ins := range w.Instances {
		if !instanceIDPattern.MatchString(ins.InstanceID) {
			return fmt.Errorf("instance %q: id must match %s", ins.InstanceID, instanceIDPattern)
		}
		if !slices.Contains(instanceStates, ins.State) {
			return fmt.Errorf("instance %s: state %q is not one of %s", ins.InstanceID, ins.State, strings.Join(instanceStates, ", "))
		}
		switch ins.StopChargingMode {
		case "", StopChargingKeep, StopChargingStop, StopChargingNotApplicable:
		default:
			return fmt.Errorf("instance %s: unknown stopChargingMode %q", ins.InstanceID, ins.StopChargingMode)
		}
		if i > 0 && w.Instances[i-1].InstanceID == ins.InstanceID {
			return fmt.Errorf("instance %s appears twice", ins.InstanceID)
		}
		eni := w.eni(ins.PrimaryNetworkInterfaceID)
		if eni == nil || eni.InstanceID != ins.InstanceID || !eni.Primary {
			return fmt.Errorf("instance %s: primary ENI %q must exist, be attached to it and be marked primary",
				ins.InstanceID, ins.PrimaryNetworkInterfaceID)
		}
	}
	seenIPs := map[string]string{}
	for i, eni := range w.NetworkInterfaces {
		if !eniIDPattern.MatchString(eni.NetworkInterfaceID) {
			return fmt.Errorf("ENI %q: id must match %s", eni.NetworkInterfaceID, eniIDPattern)
		}
		if i > 0 && w.NetworkInterfaces[i-1].NetworkInterfaceID == eni.NetworkInterfaceID {
			return fmt.Errorf("ENI %s appears twice", eni.NetworkInterfaceID)
		}
		if eni.InstanceID != "" && w.instance(eni.InstanceID) == nil {
			return fmt.Errorf("ENI %s: instance %s does not exist", eni.NetworkInterfaceID, eni.InstanceID)
		}
		if eni.Primary && (eni.InstanceID == "" || w.instance(eni.InstanceID).PrimaryNetworkInterfaceID != eni.NetworkInterfaceID) {
			return fmt.Errorf("ENI %s is marked primary but is not its instance's primary ENI", eni.NetworkInterfaceID)
		}
		primaries := 0
		for _, ip := range eni.PrivateIPs {
			if a, err := netip.ParseAddr(ip.Address); err != nil || !a.Is4() {
				return fmt.Errorf("ENI %s: private IP %q is not an IPv4 address", eni.NetworkInterfaceID, ip.Address)
			}
			if other, dup := seenIPs[ip.Address]; dup {
				return fmt.Errorf("private IP %s is on both %s and %s", ip.Address, other, eni.NetworkInterfaceID)
			}
			seenIPs[ip.Address] = eni.NetworkInterfaceID
			if ip.Primary {
				primaries++
			}
		}
		if len(eni.PrivateIPs) == 0 || primaries != 1 {
			return fmt.Errorf("ENI %s must have private IPs with exactly one primary", eni.NetworkInterfaceID)
		}
	}
	validStatus := map[string]bool{StatusCreating: true, StatusBinding: true, StatusBind: true,
		StatusUnbinding: true, StatusUnbind: true, StatusOfflining: true, StatusBindENI: true}
	targets := map[string]string{}
	for i, a := range w.Addresses {
		if !addressIDPattern.MatchString(a.AddressID) {
			return fmt.Errorf("address %q: id must match %s", a.AddressID, addressIDPattern)
		}
		if i > 0 && w.Addresses[i-1].AddressID == a.AddressID {
			return fmt.Errorf("address %s appears twice", a.AddressID)
		}
		if !validStatus[a.Status] {
			return fmt.Errorf("address %s: unknown status %q", a.AddressID, a.Status)
		}
		if ip, err := netip.ParseAddr(a.AddressIP); err != nil || !ip.Is4() {
			return fmt.Errorf("address %s: public IP %q is not an IPv4 address", a.AddressID, a.AddressIP)
		}
		if a.TaskID != 0 {
			if t := w.task(a.TaskID); t == nil || t.Result != TaskRunning || t.AddressID != a.AddressID {
				return fmt.Errorf("address %s: task %d is not a running task on it", a.AddressID, a.TaskID)
			}
		} else if a.Status == StatusBinding || a.Status == StatusUnbinding {
			return fmt.Errorf("address %s is %s but has no running task", a.AddressID, a.Status)
		}
		if a.Status == StatusUnbind {
			continue
		}
		if a.NetworkInterfaceID == "" || a.PrivateIP == "" {
			return fmt.Errorf("address %s is %s but names no ENI and private IP", a.AddressID, a.Status)
		}
		eni := w.eni(a.NetworkInterfaceID)
		if eni == nil || !eni.hasIP(a.PrivateIP) {
			return fmt.Errorf("address %s: private IP %s is not on ENI %s", a.AddressID, a.PrivateIP, a.NetworkInterfaceID)
		}
		if a.InstanceID != eni.InstanceID {
			return fmt.Errorf("address %s: instance %q does not match ENI %s's instance %q",
				a.AddressID, a.InstanceID, eni.NetworkInterfaceID, eni.InstanceID)
		}
		if other, dup := targets[a.PrivateIP]; dup {
			return fmt.Errorf("private IP %s holds both %s and %s", a.PrivateIP, other, a.AddressID)
		}
		targets[a.PrivateIP] = a.AddressID
	}
	for i, t := range w.Tasks {
		if i > 0 && w.Tasks[i-1].TaskID == t.TaskID {
			return fmt.Errorf("task %d appears twice", t.TaskID)
		}
	}
	return w.validateIdentities()
}

// Lookups below expect a normalized world: every collection sorted by its key.

func instanceKey(x Instance) string    { return x.InstanceID }
func eniKey(x NetworkInterface) string { return x.NetworkInterfaceID }
func addressKey(x Address) string      { return x.AddressID }
func taskKey(x Task) uint64            { return x.TaskID }
func sessionKey(x Session) string      { return x.TmpSecretID }

// sortByKey sorts s stably by key.
func sortByKey[T any, K cmp.Ordered](s []T, key func(T) K) {
	slices.SortStableFunc(s, func(x, y T) int { return cmp.Compare(key(x), key(y)) })
}

// searchByKey is where k is (or would go) in s sorted by key, and whether it is there.
func searchByKey[T any, K cmp.Ordered](s []T, k K, key func(T) K) (int, bool) {
	return slices.BinarySearchFunc(s, k, func(x T, k K) int { return cmp.Compare(key(x), k) })
}

// findByKey is the element of s (sorted by key) with key k, or nil.
func findByKey[T any, K cmp.Ordered](s []T, k K, key func(T) K) *T {
	if i, ok := searchByKey(s, k, key); ok {
		return &s[i]
	}
	return nil
}

func (w *World) instance(id string) *Instance    { return findByKey(w.Instances, id, instanceKey) }
func (w *World) eni(id string) *NetworkInterface { return findByKey(w.NetworkInterfaces, id, eniKey) }
func (w *World) address(id string) *Address      { return findByKey(w.Addresses, id, addressKey) }
func (w *World) task(id uint64) *Task            { return findByKey(w.Tasks, id, taskKey) }

func (w *World) insertAddress(a Address) {
	i, _ := searchByKey(w.Addresses, a.AddressID, addressKey)
	w.Addresses = slices.Insert(w.Addresses, i, a)
}

func (w *World) removeAddress(id string) {
	if i, ok := searchByKey(w.Addresses, id, addressKey); ok {
		w.Addresses = slices.Delete(w.Addresses, i, i+1)
	}
}

func (eni *NetworkInterface) hasIP(ip string) bool {
	return slices.ContainsFunc(eni.PrivateIPs, func(p PrivateIP) bool { return p.Address == ip })
}

func (eni *NetworkInterface) primaryIP() string {
	if p := findFirst(eni.PrivateIPs, func(p PrivateIP) bool { return p.Primary }); p != nil {
		return p.Address
	}
	return ""
}

// addressOnPrivateIP returns the address of the given type (or any type when typ is "")
// that targets the private IP, in any status but UNBIND.
func (w *World) addressOnPrivateIP(ip, typ string) *Address {
	for i := range w.Addresses {
		a := &w.Addresses[i]
		if a.PrivateIP == ip && a.Status != StatusUnbind && (typ == "" || a.AddressType == typ) {
			return a
		}
	}
	return nil
}
