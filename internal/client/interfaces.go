package client

import (
	"context"
	"sync"

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
// exist is an error IsInterfaceNotFound recognizes. What interfaces are
// attached to and which of their IPs are primary changes rarely, and never
// through this provider: each is read once per client (a Terraform command's
// plan or apply).
func (c *Client) LookupNetworkInterface(ctx context.Context, id string) (*NetworkInterface, error) {
	return c.interfaces.get(id, func() (*NetworkInterface, error) {
		req := vpc.NewDescribeNetworkInterfacesRequest()
		req.NetworkInterfaceIds = common.StringPtrs([]string{id})
		resp := vpc.NewDescribeNetworkInterfacesResponse()
		err := c.send(ctx, req, resp)
		if HasCode(err, "ResourceNotFound") {
			err = notFound(req.GetAction(), CodeInterfaceNotFound, "the network interface "+id)
		}
		if err != nil {
			return nil, err
		}
		for _, n := range resp.Response.NetworkInterfaceSet {
			if n == nil || deref(n.NetworkInterfaceId) != id {
				continue
			}
			eni := &NetworkInterface{ID: id, Primary: n.Primary != nil && *n.Primary}
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
			return eni, nil
		}
		// The action's documented answer for an unknown id is ResourceNotFound
		// (above); an empty set says the same.
		return nil, notFound(req.GetAction(), CodeInterfaceNotFound, "the network interface "+id)
	})
}

// lookupCache remembers the answers of lookups by id: found, or not found.
// Other errors are not remembered.
type lookupCache[T any] struct {
	mu      sync.Mutex
	entries map[string]*cacheEntry[T]
}

type cacheEntry[T any] struct {
	done  chan struct{}
	value *T
	err   error
}

// get answers from the cache, or runs read once for all callers of id.
func (l *lookupCache[T]) get(id string, read func() (*T, error)) (*T, error) {
	l.mu.Lock()
	if l.entries == nil {
		l.entries = map[string]*cacheEntry[T]{}
	}
	e, ok := l.entries[id]
	if !ok {
		e = &cacheEntry[T]{done: make(chan struct{})}
		l.entries[id] = e
		l.mu.Unlock()
		e.value, e.err = read()
		if e.err != nil && !IsInterfaceNotFound(e.err) && !IsInstanceNotFound(e.err) {
			l.mu.Lock()
			delete(l.entries, id) // not an answer: the next caller asks again
			l.mu.Unlock()
		}
		close(e.done)
		return e.value, e.err
	}
	l.mu.Unlock()
	<-e.done
	return e.value, e.err
}
