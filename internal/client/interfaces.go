package client

import (
	"context"
	"slices"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	vpc "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc/v20170312"
)

// NetworkInterface is the part of the API's NetworkInterface this provider
// uses: which instance it is attached to, whether it is that instance's
// primary one, and its private IPs.
type NetworkInterface struct {
	ID         string
	InstanceID string
	Primary    bool
	PrimaryIP  string
	PrivateIPs []string
}

// IsInstancePrimaryIP reports whether ip is the primary private IP of this
// interface and the interface is the primary one of an instance (of
// instanceID, unless it is ""): where binding to the instance puts an EIP, and
// the only place DisassociateAddress can reallocate a normal public IP.
func (n *NetworkInterface) IsInstancePrimaryIP(instanceID, ip string) bool {
	return n != nil && n.Primary && n.InstanceID != "" && (instanceID == "" || n.InstanceID == instanceID) && n.PrimaryIP == ip
}

// LookupNetworkInterface reads one network interface. One that does not
// exist is an error IsInterfaceNotFound recognizes.
func (c *Client) LookupNetworkInterface(ctx context.Context, id string) (*NetworkInterface, error) {
	return c.interfaces.get(ctx, id)
}

// LookupNetworkInterfaces reads many network interfaces, up to 100 a call,
// and returns those that exist.
func (c *Client) LookupNetworkInterfaces(ctx context.Context, ids []string) (map[string]*NetworkInterface, error) {
	answers, err := c.interfaces.getMany(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := map[string]*NetworkInterface{}
	for id, a := range answers {
		if a.err == nil {
			out[id] = a.value
		}
	}
	return out, nil
}

// describeNetworkInterfaces reads up to 100 interfaces in one call. A call
// refused because one of its ids does not exist (ResourceNotFound, the
// action's documented answer) is read again an id at a time.
func (c *Client) describeNetworkInterfaces(ctx context.Context, ids []string) (map[string]*NetworkInterface, error) {
	req := vpc.NewDescribeNetworkInterfacesRequest()
	req.NetworkInterfaceIds = common.StringPtrs(ids)
	req.Limit = common.Uint64Ptr(maxIDsPerCall)
	resp := vpc.NewDescribeNetworkInterfacesResponse()
	err := c.send(ctx, req, resp)
	found := map[string]*NetworkInterface{}
	switch {
	case HasCode(err, "ResourceNotFound") && len(ids) > 1:
		return oneAtATime(ctx, ids, c.describeNetworkInterfaces)
	case HasCode(err, "ResourceNotFound"):
		return found, nil
	case err != nil:
		return nil, err
	}
	for _, n := range resp.Response.NetworkInterfaceSet {
		if n != nil && slices.Contains(ids, deref(n.NetworkInterfaceId)) {
			found[deref(n.NetworkInterfaceId)] = interfaceFromAPI(n)
		}
	}
	return found, nil
}

// listNetworkInterfaces reads the region's interfaces from offset, 100 of
// them, and how many there are in all.
func (c *Client) listNetworkInterfaces(ctx context.Context, offset int) (map[string]*NetworkInterface, int, error) {
	req := vpc.NewDescribeNetworkInterfacesRequest()
	req.Offset = common.Uint64Ptr(uint64(offset))
	req.Limit = common.Uint64Ptr(maxIDsPerCall)
	resp := vpc.NewDescribeNetworkInterfacesResponse()
	if err := c.send(ctx, req, resp); err != nil {
		return nil, 0, err
	}
	found := map[string]*NetworkInterface{}
	for _, n := range resp.Response.NetworkInterfaceSet {
		if n != nil {
			found[deref(n.NetworkInterfaceId)] = interfaceFromAPI(n)
		}
	}
	total := 0
	if resp.Response.TotalCount != nil {
		total = int(*resp.Response.TotalCount)
	}
	return found, total, nil
}

func interfaceFromAPI(n *vpc.NetworkInterface) *NetworkInterface {
	eni := &NetworkInterface{ID: deref(n.NetworkInterfaceId), Primary: n.Primary != nil && *n.Primary}
	if n.Attachment != nil {
		eni.InstanceID = deref(n.Attachment.InstanceId)
	}
	for _, ip := range n.PrivateIpAddressSet {
		if ip == nil {
			continue
		}
		eni.PrivateIPs = append(eni.PrivateIPs, deref(ip.PrivateIpAddress))
		if ip.Primary != nil && *ip.Primary {
			eni.PrimaryIP = deref(ip.PrivateIpAddress)
		}
	}
	return eni
}
