package client

import (
	"context"
	"slices"
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
			if n != nil && deref(n.NetworkInterfaceId) == id {
				return interfaceFromAPI(n), nil
			}
		}
		// The action's documented answer for an unknown id is ResourceNotFound
		// (above); an empty set says the same.
		return nil, notFound(req.GetAction(), CodeInterfaceNotFound, "the network interface "+id)
	})
}

// maxInterfaceIDs is the documented limit of ids in one
// DescribeNetworkInterfaces call.
const maxInterfaceIDs = 100

// LookupNetworkInterfaces reads many network interfaces, up to 100 a call,
// into the cache LookupNetworkInterface answers from, and returns those that
// exist. A call refused because one of its ids does not exist is read again
// an id at a time.
func (c *Client) LookupNetworkInterfaces(ctx context.Context, ids []string) (map[string]*NetworkInterface, error) {
	var unread []string
	for _, id := range ids {
		if !c.interfaces.has(id) && !slices.Contains(unread, id) {
			unread = append(unread, id)
		}
	}
	for chunk := range slices.Chunk(unread, maxInterfaceIDs) {
		req := vpc.NewDescribeNetworkInterfacesRequest()
		req.NetworkInterfaceIds = common.StringPtrs(chunk)
		req.Limit = common.Uint64Ptr(maxInterfaceIDs)
		resp := vpc.NewDescribeNetworkInterfacesResponse()
		err := c.send(ctx, req, resp)
		if HasCode(err, "ResourceNotFound") {
			continue // read one at a time below
		}
		if err != nil {
			return nil, err
		}
		found := map[string]*NetworkInterface{}
		for _, n := range resp.Response.NetworkInterfaceSet {
			if n != nil && slices.Contains(chunk, deref(n.NetworkInterfaceId)) {
				found[deref(n.NetworkInterfaceId)] = interfaceFromAPI(n)
			}
		}
		for _, id := range chunk {
			if eni, ok := found[id]; ok {
				c.interfaces.put(id, eni, nil)
			} else {
				c.interfaces.put(id, nil, notFound(req.GetAction(), CodeInterfaceNotFound, "the network interface "+id))
			}
		}
	}
	out := map[string]*NetworkInterface{}
	for _, id := range ids {
		eni, err := c.LookupNetworkInterface(ctx, id)
		switch {
		case IsInterfaceNotFound(err):
		case err != nil:
			return nil, err
		default:
			out[id] = eni
		}
	}
	return out, nil
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

// has reports whether the cache holds an answer for id.
func (l *lookupCache[T]) has(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.entries[id]
	return ok
}

// put records an answer for id, unless one is there or being read.
func (l *lookupCache[T]) put(id string, value *T, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.entries == nil {
		l.entries = map[string]*cacheEntry[T]{}
	}
	if _, ok := l.entries[id]; !ok {
		e := &cacheEntry[T]{done: make(chan struct{}), value: value, err: err}
		close(e.done)
		l.entries[id] = e
	}
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
