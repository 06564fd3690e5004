package client

import (
	"context"
	"slices"
	"strconv"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	vpc "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc/v20170312"
	"golang.org/x/sync/errgroup"
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

// AddressTypeWanIP is the type of a normal public IP: it belongs to its
// instance and cannot be bound or unbound like an EIP.
const AddressTypeWanIP = "WanIP"

// allAddressTypes are the documented address types: a DescribeAddresses
// without an address-type filter leaves normal public IPs out.
var allAddressTypes = []string{"EIP", AddressTypeWanIP, "AnycastEIP", "HighQualityEIP", "AntiDDoSEIP", "ResidentialEIP"}

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

// String names the target for messages.
func (t Target) String() string {
	if t.InstanceID != "" {
		return "instance " + t.InstanceID
	}
	return "network interface " + t.NetworkInterfaceID + " private IP " + t.PrivateIP
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

// BoundTo reports whether the address is bound (or binding) to t: to any
// private IP of t's instance, or to t's network interface and private IP.
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
		return "instance " + a.InstanceID + " (" + a.Location().String() + ")"
	case a.InstanceID != "":
		return Target{InstanceID: a.InstanceID}.String()
	default:
		return a.Location().String()
	}
}

// Location is where the address sits: its network interface and private IP
// (empty when it is bound to neither).
func (a *Address) Location() Target {
	return Target{NetworkInterfaceID: a.NetworkInterfaceID, PrivateIP: a.PrivateIP}
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
	resp := vpc.NewAssociateAddressResponse()
	err := c.send(ctx, req, resp)
	var taskID string
	if err == nil {
		taskID, err = taskIDOf(req.GetAction(), resp.Response.TaskId, resp.Response.RequestId)
	}
	c.log(ctx, "AssociateAddress", map[string]any{"address_id": addressID, "task_id": taskID, "error": errString(err)})
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
	req := vpc.NewDisassociateAddressRequest()
	req.AddressId = common.StringPtr(addressID)
	// Sent explicitly either way, so that the request says what was meant.
	req.ReallocateNormalPublicIp = common.BoolPtr(opts.ReallocateNormalPublicIP)
	resp := vpc.NewDisassociateAddressResponse()
	err := c.send(ctx, req, resp)
	var taskID string
	if err == nil {
		taskID, err = taskIDOf(req.GetAction(), resp.Response.TaskId, resp.Response.RequestId)
	}
	c.log(ctx, "DisassociateAddress", map[string]any{
		"address_id": addressID, "reallocate_normal_public_ip": opts.ReallocateNormalPublicIP, "task_id": taskID, "error": errString(err),
	})
	return taskID, err
}

// taskIDOf validates the TaskId that AssociateAddress and DisassociateAddress
// reply with: a string of digits. A reply without a usable one still came
// from an API that may have accepted the write.
func taskIDOf(action string, taskID, requestID *string) (string, error) {
	why := ""
	switch {
	case taskID == nil || *taskID == "":
		why = "the reply has no TaskId"
	default:
		if _, err := strconv.ParseUint(*taskID, 10, 64); err != nil {
			why = "the reply's TaskId " + strconv.Quote(*taskID) + " is not a number"
		}
	}
	if why != "" {
		return "", &APIError{Action: action, Code: CodeInvalidReply, Message: why, RequestID: deref(requestID), MaybeApplied: true}
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

const describePageSize = 100

// Addresses returns every address the query matches: the first page, then
// the others together (as many at once as the rate limit lets start).
func (c *Client) Addresses(ctx context.Context, q Query) ([]Address, error) {
	return c.addressesUpTo(ctx, q, 0)
}

// addressesUpTo is Addresses reading no more pages than limit addresses
// need (limit > 0): the first the API lists. It may return more than limit.
func (c *Client) addressesUpTo(ctx context.Context, q Query, limit int) ([]Address, error) {
	first, total, err := c.describePage(ctx, q, 0)
	if err != nil {
		return nil, err
	}
	if limit > 0 {
		if len(first) >= limit {
			return first, nil
		}
		return c.pagesAfter(ctx, q, first, min(total, int64(limit)), false)
	}
	return c.addressesAfter(ctx, q, first, total)
}

// addressesAfter reads the pages of q after first, which the API said hold
// total addresses in all.
func (c *Client) addressesAfter(ctx context.Context, q Query, first []Address, total int64) ([]Address, error) {
	return c.pagesAfter(ctx, q, first, total, true)
}

// pagesAfter reads the pages of q after first that hold the first total
// addresses. With readOn, addresses that appeared meanwhile (a page's
// TotalCount above total) are read too.
func (c *Client) pagesAfter(ctx context.Context, q Query, first []Address, total int64, readOn bool) ([]Address, error) {
	if int64(len(first)) >= total || len(first) < describePageSize {
		return first, nil
	}
	pages := make([][]Address, (total+describePageSize-1)/describePageSize)
	totals := make([]int64, len(pages))
	pages[0], totals[0] = first, total
	g, gctx := errgroup.WithContext(ctx)
	for p := 1; p < len(pages); p++ {
		g.Go(func() error {
			page, pageTotal, err := c.describePage(gctx, q, int64(p)*describePageSize)
			pages[p], totals[p] = page, pageTotal
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var all []Address
	for _, page := range pages {
		all = append(all, page...)
	}
	if readOn && slices.Max(totals) > total {
		// More appeared while listing: read on from there.
		rest, err := c.Addresses(ctx, Query{IDs: q.IDs, Filters: q.Filters})
		if err != nil {
			return nil, err
		}
		all = dedupe(append(all, rest...))
	}
	return all, nil
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
	resp := vpc.NewDescribeAddressesResponse()
	if err := c.send(ctx, req, resp); err != nil {
		return nil, 0, err
	}
	var page []Address
	for _, a := range resp.Response.AddressSet {
		if a != nil && a.AddressId != nil {
			page = append(page, addressFromAPI(a))
		}
	}
	total := int64(len(page)) + offset
	if resp.Response.TotalCount != nil {
		total = *resp.Response.TotalCount
	}
	return page, total, nil
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

func dedupe(addresses []Address) []Address {
	seen := map[string]bool{}
	out := addresses[:0]
	for _, a := range addresses {
		if !seen[a.ID] {
			seen[a.ID] = true
			out = append(out, a)
		}
	}
	return out
}

// Task results, as the API spells them.
const (
	taskSuccess = "SUCCESS"
	taskFailed  = "FAILED"
)

// taskResult returns SUCCESS, FAILED or RUNNING for a task id as
// AssociateAddress and DisassociateAddress return it (a string of digits;
// DescribeTaskResult takes it as a number).
func (c *Client) taskResult(ctx context.Context, taskID string) (string, error) {
	n, err := strconv.ParseUint(taskID, 10, 64)
	if err != nil {
		return "", &APIError{Action: "DescribeTaskResult", Code: CodeInvalidReply, Message: "task id " + strconv.Quote(taskID) + " is not a number"}
	}
	req := vpc.NewDescribeTaskResultRequest()
	req.TaskId = common.Uint64Ptr(n)
	resp := vpc.NewDescribeTaskResultResponse()
	if err := c.send(ctx, req, resp); err != nil {
		return "", err
	}
	if resp.Response.Result == nil {
		return "", &APIError{Action: req.GetAction(), Code: CodeInvalidReply, Message: "the reply has no Result", RequestID: deref(resp.Response.RequestId)}
	}
	return *resp.Response.Result, nil
}

// Quota is one of the account's EIP quotas.
type Quota struct {
	ID      string
	Current int64
	Limit   int64
}

// Left is how many the quota still allows.
func (q Quota) Left() int64 { return max(q.Limit-q.Current, 0) }

// quotaDailyReallocation counts today's normal public IPs given back by
// DisassociateAddress with ReallocateNormalPublicIp.
const quotaDailyReallocation = "DAILY_PUBLIC_IP_ASSIGN"

// DailyReallocationQuota returns the account's DAILY_PUBLIC_IP_ASSIGN quota,
// or nil when the API does not list it.
func (c *Client) DailyReallocationQuota(ctx context.Context) (*Quota, error) {
	req := vpc.NewDescribeAddressQuotaRequest()
	resp := vpc.NewDescribeAddressQuotaResponse()
	if err := c.send(ctx, req, resp); err != nil {
		return nil, err
	}
	for _, q := range resp.Response.QuotaSet {
		if q != nil && deref(q.QuotaId) == quotaDailyReallocation {
			return &Quota{ID: quotaDailyReallocation, Current: derefInt(q.QuotaCurrent), Limit: derefInt(q.QuotaLimit)}, nil
		}
	}
	return nil, nil
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
