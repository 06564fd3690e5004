package client

import (
	"context"
	"strconv"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	vpc "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc/v20170312"
)

// Address statuses, as the API spells them.
const (
	StatusCreating  = "CREATING"
	StatusBinding   = "BINDING"
	StatusBind      = "BIND"
	StatusUnbinding = "UNBINDING"
	StatusUnbind    = "UNBIND"
	StatusOffline   = "OFFLINING"
	StatusBindENI   = "BIND_ENI"
)

// Address types, as the API spells them. A normal public IP (WanIP) belongs to
// its instance and cannot be bound or unbound like an EIP.
const (
	AddressTypeEIP   = "EIP"
	AddressTypeWanIP = "WanIP"
)

// allAddressTypes are the documented address types: a DescribeAddresses
// without an address-type filter leaves normal public IPs out.
var allAddressTypes = []string{"EIP", "WanIP", "AnycastEIP", "HighQualityEIP", "AntiDDoSEIP", "ResidentialEIP"}

// Address is the part of the API's Address this provider uses.
type Address struct {
	ID                 string
	Name               string
	PublicIP           string
	Status             string
	Type               string
	InstanceID         string
	NetworkInterfaceID string
	PrivateIP          string
	Blocked            bool
	Arrears            bool
}

// Target is what an EIP is bound to: an instance, or a private IP of a network
// interface.
type Target struct {
	InstanceID         string
	NetworkInterfaceID string
	PrivateIP          string
}

// IsBound reports whether the address is bound, or being bound or unbound, to
// something.
func (a *Address) IsBound() bool {
	switch a.Status {
	case StatusBind, StatusBindENI, StatusBinding, StatusUnbinding:
		return true
	}
	return false
}

// IsSettled reports whether no operation is in flight on the address.
func (a *Address) IsSettled() bool {
	return a.Status != StatusBinding && a.Status != StatusUnbinding && a.Status != StatusCreating
}

// BoundTo reports whether the address is bound (or binding) to t. An instance
// target matches on the instance; an ENI target on the ENI and private IP.
func (a *Address) BoundTo(t Target) bool {
	if !a.IsBound() {
		return false
	}
	if t.InstanceID != "" {
		return a.InstanceID == t.InstanceID
	}
	return a.NetworkInterfaceID == t.NetworkInterfaceID && a.PrivateIP == t.PrivateIP
}

// Describe names what the address is bound to, for messages.
func (a *Address) Describe() string {
	switch {
	case !a.IsBound():
		return "nothing (" + a.Status + ")"
	case a.NetworkInterfaceID != "" && a.InstanceID != "":
		return "instance " + a.InstanceID + " (network interface " + a.NetworkInterfaceID + ", private IP " + a.PrivateIP + ")"
	case a.InstanceID != "":
		return "instance " + a.InstanceID
	default:
		return "network interface " + a.NetworkInterfaceID + " private IP " + a.PrivateIP
	}
}

// Associate binds the address to t and returns the asynchronous task's id.
func (c *Client) Associate(ctx context.Context, addressID string, t Target) (string, error) {
	req := vpc.NewAssociateAddressRequest()
	req.AddressId = common.StringPtr(addressID)
	if t.InstanceID != "" {
		req.InstanceId = common.StringPtr(t.InstanceID)
	} else {
		req.NetworkInterfaceId = common.StringPtr(t.NetworkInterfaceID)
		req.PrivateIpAddress = common.StringPtr(t.PrivateIP)
	}
	c.reads.invalidate(addressID)
	var taskID string
	err := c.do(ctx, actionAssociate, func(ctx context.Context) error {
		resp, err := c.sdk.AssociateAddressWithContext(ctx, req)
		if err != nil {
			return err
		}
		if resp.Response == nil {
			return &APIError{Action: actionAssociate, Code: CodeInvalidReply, Message: "the reply has no Response"}
		}
		taskID, err = checkTaskID(actionAssociate, resp.Response.TaskId, resp.Response.RequestId)
		return err
	})
	c.log(ctx, "AssociateAddress accepted", map[string]any{"address_id": addressID, "task_id": taskID, "error": errString(err)})
	return taskID, err
}

// UnbindOptions are DisassociateAddress's choices.
type UnbindOptions struct {
	// ReallocateNormalPublicIP gives the instance a new normal public IP in
	// place of the EIP.
	ReallocateNormalPublicIP bool
}

// Disassociate unbinds the address and returns the asynchronous task's id.
func (c *Client) Disassociate(ctx context.Context, addressID string, opts UnbindOptions) (string, error) {
	reallocate := opts.ReallocateNormalPublicIP
	req := vpc.NewDisassociateAddressRequest()
	req.AddressId = common.StringPtr(addressID)
	// Sent explicitly either way, so that the request says what was meant.
	req.ReallocateNormalPublicIp = common.BoolPtr(reallocate)
	c.reads.invalidate(addressID)
	var taskID string
	err := c.do(ctx, actionDisassociate, func(ctx context.Context) error {
		resp, err := c.sdk.DisassociateAddressWithContext(ctx, req)
		if err != nil {
			return err
		}
		if resp.Response == nil {
			return &APIError{Action: actionDisassociate, Code: CodeInvalidReply, Message: "the reply has no Response"}
		}
		taskID, err = checkTaskID(actionDisassociate, resp.Response.TaskId, resp.Response.RequestId)
		return err
	})
	c.log(ctx, "DisassociateAddress accepted", map[string]any{
		"address_id": addressID, "reallocate_normal_public_ip": reallocate, "task_id": taskID, "error": errString(err),
	})
	return taskID, err
}

// checkTaskID validates the TaskId that AssociateAddress and
// DisassociateAddress reply with: a string of digits.
func checkTaskID(action string, taskID, requestID *string) (string, error) {
	if taskID == nil || *taskID == "" {
		return "", &APIError{Action: action, Code: CodeInvalidReply, Message: "the reply has no TaskId", RequestID: deref(requestID)}
	}
	if _, err := strconv.ParseUint(*taskID, 10, 64); err != nil {
		return "", &APIError{Action: action, Code: CodeInvalidReply, Message: "the reply's TaskId " + strconv.Quote(*taskID) + " is not a number", RequestID: deref(requestID)}
	}
	return *taskID, nil
}

// Filter narrows DescribeAddresses; values are ORed, filters ANDed.
type Filter struct {
	Name   string
	Values []string
}

// Query selects addresses: by ids (at most 100), by filters, or both.
type Query struct {
	IDs     []string
	Filters []Filter
}

// Addresses returns every address the query matches, following the pages.
func (c *Client) Addresses(ctx context.Context, q Query) ([]Address, error) {
	return c.addressesFrom(ctx, q, nil)
}

// addressesFrom is Addresses continuing after the first pages, already read.
func (c *Client) addressesFrom(ctx context.Context, q Query, first []Address) ([]Address, error) {
	all := first
	for offset := int64(len(first)); ; {
		page, total, err := c.describePage(ctx, q, offset)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		offset += int64(len(page))
		if len(page) == 0 || offset >= total {
			return all, nil
		}
	}
}

// describePage makes one DescribeAddresses call.
func (c *Client) describePage(ctx context.Context, q Query, offset int64) ([]Address, int64, error) {
	req := vpc.NewDescribeAddressesRequest()
	if len(q.IDs) > 0 {
		req.AddressIds = common.StringPtrs(q.IDs)
	}
	for _, f := range q.Filters {
		req.Filters = append(req.Filters, &vpc.Filter{Name: common.StringPtr(f.Name), Values: common.StringPtrs(f.Values)})
	}
	req.Offset = common.Int64Ptr(offset)
	req.Limit = common.Int64Ptr(describePageSize)
	var page []Address
	var total int64
	err := c.do(ctx, actionDescribe, func(ctx context.Context) error {
		resp, err := c.sdk.DescribeAddressesWithContext(ctx, req)
		if err != nil {
			return err
		}
		if resp.Response == nil {
			return &APIError{Action: actionDescribe, Code: CodeInvalidReply, Message: "the reply has no Response"}
		}
		page = page[:0]
		for _, a := range resp.Response.AddressSet {
			if a == nil || a.AddressId == nil {
				continue
			}
			page = append(page, addressFromAPI(a))
		}
		total = int64(len(page)) + offset
		if resp.Response.TotalCount != nil {
			total = *resp.Response.TotalCount
		}
		return nil
	})
	return page, total, err
}

func addressFromAPI(a *vpc.Address) Address {
	return Address{
		ID:                 deref(a.AddressId),
		Name:               deref(a.AddressName),
		PublicIP:           deref(a.AddressIp),
		Status:             deref(a.AddressStatus),
		Type:               deref(a.AddressType),
		InstanceID:         deref(a.InstanceId),
		NetworkInterfaceID: deref(a.NetworkInterfaceId),
		PrivateIP:          deref(a.PrivateAddressIp),
		Blocked:            a.IsBlocked != nil && *a.IsBlocked,
		Arrears:            a.IsArrears != nil && *a.IsArrears,
	}
}

// Task results, as the API spells them.
const (
	TaskSuccess = "SUCCESS"
	TaskFailed  = "FAILED"
	TaskRunning = "RUNNING"
)

// TaskResult returns SUCCESS, FAILED or RUNNING for a task id as
// AssociateAddress and DisassociateAddress return it (a string of digits;
// DescribeTaskResult takes it as a number).
func (c *Client) TaskResult(ctx context.Context, taskID string) (string, error) {
	n, err := strconv.ParseUint(taskID, 10, 64)
	if err != nil {
		return "", &APIError{Action: actionTaskResult, Code: CodeInvalidReply, Message: "task id " + strconv.Quote(taskID) + " is not a number"}
	}
	req := vpc.NewDescribeTaskResultRequest()
	req.TaskId = common.Uint64Ptr(n)
	var result string
	err = c.do(ctx, actionTaskResult, func(ctx context.Context) error {
		resp, err := c.sdk.DescribeTaskResultWithContext(ctx, req)
		if err != nil {
			return err
		}
		if resp.Response == nil || resp.Response.Result == nil {
			return &APIError{Action: actionTaskResult, Code: CodeInvalidReply, Message: "the reply has no Result"}
		}
		result = *resp.Response.Result
		return nil
	})
	return result, err
}

// Quota is one of the account's EIP quotas.
type Quota struct {
	ID      string
	Current int64
	Limit   int64
}

// QuotaDailyReallocation counts today's normal public IPs given back by
// DisassociateAddress with ReallocateNormalPublicIp.
const QuotaDailyReallocation = "DAILY_PUBLIC_IP_ASSIGN"

// DailyReallocationQuota returns the account's DAILY_PUBLIC_IP_ASSIGN quota,
// or nil when the API does not list it.
func (c *Client) DailyReallocationQuota(ctx context.Context) (*Quota, error) {
	quotas, err := c.AddressQuotas(ctx)
	if err != nil {
		return nil, err
	}
	for _, q := range quotas {
		if q.ID == QuotaDailyReallocation {
			return &q, nil
		}
	}
	return nil, nil
}

// AddressQuotas returns the account's EIP quotas.
func (c *Client) AddressQuotas(ctx context.Context) ([]Quota, error) {
	var quotas []Quota
	err := c.do(ctx, actionDescribeQuota, func(ctx context.Context) error {
		resp, err := c.sdk.DescribeAddressQuotaWithContext(ctx, vpc.NewDescribeAddressQuotaRequest())
		if err != nil {
			return err
		}
		if resp.Response == nil {
			return &APIError{Action: actionDescribeQuota, Code: CodeInvalidReply, Message: "the reply has no Response"}
		}
		quotas = quotas[:0]
		for _, q := range resp.Response.QuotaSet {
			if q == nil || q.QuotaId == nil {
				continue
			}
			quotas = append(quotas, Quota{ID: *q.QuotaId, Current: derefInt(q.QuotaCurrent), Limit: derefInt(q.QuotaLimit)})
		}
		return nil
	})
	return quotas, err
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefInt(n *int64) int64 {
	if n == nil {
		return 0
	}
	return *n
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// NetworkInterface is the part of the API's NetworkInterface this provider
// uses: which instance it is attached to, whether it is that instance's
// primary one, and which of its private IPs is primary.
type NetworkInterface struct {
	ID         string
	InstanceID string
	Primary    bool
	PrimaryIP  string
}

// IsInstancePrimaryIP reports whether ip is the primary private IP of this
// interface and the interface is the primary one of an instance (of
// instanceID, unless it is ""): where binding to the instance puts an EIP, and
// the only place DisassociateAddress can reallocate a normal public IP.
func (n *NetworkInterface) IsInstancePrimaryIP(instanceID, ip string) bool {
	return n != nil && n.Primary && n.InstanceID != "" && (instanceID == "" || n.InstanceID == instanceID) && n.PrimaryIP == ip
}

// LookupNetworkInterface reads one network interface; nil without error when
// it does not exist.
func (c *Client) LookupNetworkInterface(ctx context.Context, id string) (*NetworkInterface, error) {
	req := vpc.NewDescribeNetworkInterfacesRequest()
	req.NetworkInterfaceIds = common.StringPtrs([]string{id})
	var eni *NetworkInterface
	err := c.do(ctx, actionDescribeENIs, func(ctx context.Context) error {
		resp, err := c.sdk.DescribeNetworkInterfacesWithContext(ctx, req)
		if err != nil {
			return err
		}
		if resp.Response == nil {
			return &APIError{Action: actionDescribeENIs, Code: CodeInvalidReply, Message: "the reply has no Response"}
		}
		eni = nil
		for _, n := range resp.Response.NetworkInterfaceSet {
			if n == nil || deref(n.NetworkInterfaceId) != id {
				continue
			}
			eni = &NetworkInterface{ID: id, Primary: n.Primary != nil && *n.Primary}
			if n.Attachment != nil {
				eni.InstanceID = deref(n.Attachment.InstanceId)
			}
			for _, ip := range n.PrivateIpAddressSet {
				if ip != nil && ip.Primary != nil && *ip.Primary {
					eni.PrimaryIP = deref(ip.PrivateIpAddress)
				}
			}
		}
		return nil
	})
	if HasCode(err, "ResourceNotFound") {
		return nil, nil // the action's documented answer for an unknown id
	}
	return eni, err
}
