package client

import (
	"context"
	"slices"
	"sync"
	"time"
)

// AddressesOn returns every address bound to the target, normal public IPs
// included: on the instance (any of its private IPs), or on the network
// interface's private IP. It is answered from the snapshot of bound addresses
// when there is one; otherwise the targets asked for within a short window
// are fetched together, up to 100 per DescribeAddresses call.
func (c *Client) AddressesOn(ctx context.Context, t Target) ([]Address, error) {
	if snap := c.reads.completeSnapshot(); snap != nil {
		var on []Address
		for _, a := range snap {
			if t.holds(&a) {
				on = append(on, a)
			}
		}
		return on, nil
	}
	q := holderQuery{filter: "instance-id", value: t.InstanceID}
	if t.InstanceID == "" {
		q = holderQuery{filter: "network-interface-id", value: t.NetworkInterfaceID}
	}
	found, err := c.holders.get(ctx, q)
	return slices.DeleteFunc(found, func(a Address) bool { return !t.holds(&a) }), err
}

// holds reports whether the address is bound to a private IP the target
// names: one of the instance's, or the interface's given one.
func (t Target) holds(a *Address) bool {
	if !a.IsBound() {
		return false
	}
	if t.InstanceID != "" {
		return a.InstanceID == t.InstanceID
	}
	return a.NetworkInterfaceID == t.NetworkInterfaceID && a.PrivateIP == t.PrivateIP
}

// holderQuery selects addresses by one filter value.
type holderQuery struct {
	filter string // instance-id or network-interface-id
	value  string
}

type holderRequest struct {
	ctx   context.Context
	q     holderQuery
	reply chan holderResult
}

type holderResult struct {
	addresses []Address
	err       error
}

// holderReader gathers AddressesOn queries into shared DescribeAddresses
// calls, as addressReader does for single addresses.
type holderReader struct {
	c       *Client
	mu      sync.Mutex
	pending []*holderRequest
	running bool
}

func (h *holderReader) get(ctx context.Context, q holderQuery) ([]Address, error) {
	req := &holderRequest{ctx: ctx, q: q, reply: make(chan holderResult, 1)}
	h.mu.Lock()
	h.pending = append(h.pending, req)
	if !h.running {
		h.running = true
		time.AfterFunc(readWindow, h.flush)
	}
	h.mu.Unlock()
	select {
	case res := <-req.reply:
		return res.addresses, res.err
	case <-ctx.Done():
		return nil, contextError(ctx, actionDescribe, "reading the addresses on "+q.value)
	}
}

// flush answers every pending query.
func (h *holderReader) flush() {
	h.mu.Lock()
	batch := h.pending
	h.pending, h.running = nil, false
	h.mu.Unlock()
	callers := make([]context.Context, len(batch))
	byFilter := map[string][]string{}
	for i, p := range batch {
		callers[i] = p.ctx
		if !slices.Contains(byFilter[p.q.filter], p.q.value) {
			byFilter[p.q.filter] = append(byFilter[p.q.filter], p.q.value)
		}
	}
	ctx, cancel := batchContext(callers, h.c.retry.readBudget)
	defer cancel()
	found := map[holderQuery][]Address{}
	failed := map[string]error{}
	for filter, values := range byFilter {
		for chunk := range slices.Chunk(values, maxAddressIDsPerCall) {
			addrs, err := h.c.Addresses(ctx, Query{Filters: []Filter{{Name: filter, Values: chunk}, {Name: "address-type", Values: allAddressTypes}}})
			if err != nil {
				failed[filter] = err
				continue
			}
			for _, a := range addrs {
				key := holderQuery{filter: filter, value: a.InstanceID}
				if filter == "network-interface-id" {
					key.value = a.NetworkInterfaceID
				}
				found[key] = append(found[key], a)
			}
		}
	}
	for _, p := range batch {
		p.reply <- holderResult{addresses: found[p.q], err: failed[p.q.filter]}
	}
}
