package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// Control is a client of an emulator's /_emulator/ control surface.
type Control struct {
	base string
	http *http.Client
}

// NewControl returns a control client for the emulator at baseURL.
func NewControl(baseURL string) *Control {
	// No keep-alive: a pooled connection could reach a killed emulator.
	transport := &http.Transport{DisableKeepAlives: true, Proxy: nil}
	return &Control{base: strings.TrimSuffix(baseURL, "/"), http: &http.Client{Timeout: 30 * time.Second, Transport: transport}}
}

func (c *Control) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+"/_emulator/"+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s /_emulator/%s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	switch {
	case err != nil:
		return fmt.Errorf("%s /_emulator/%s: reading the reply: %w", method, path, err)
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("%s /_emulator/%s: HTTP %d: %s", method, path, resp.StatusCode, strings.TrimSpace(string(b)))
	case out != nil:
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s /_emulator/%s: decoding the reply: %w", method, path, err)
		}
	}
	return nil
}

// get decodes the reply to GET /_emulator/path.
func get[T any](ctx context.Context, c *Control, path string) (T, error) {
	var out T
	err := c.call(ctx, http.MethodGet, path, nil, &out)
	return out, err
}

// World returns the emulator's world, tasks settled to its clock.
func (c *Control) World(ctx context.Context) (emulator.World, error) {
	return get[emulator.World](ctx, c, "world")
}

// Requests returns the last requests of an action, oldest first.
func (c *Control) Requests(ctx context.Context, action string) ([]emulator.RecordedRequest, error) {
	return get[[]emulator.RecordedRequest](ctx, c, "requests?action="+url.QueryEscape(action))
}

// Stats returns the call counters.
func (c *Control) Stats(ctx context.Context) (emulator.Stats, error) {
	return get[emulator.Stats](ctx, c, "stats")
}

// ResetStats zeroes the call counters.
func (c *Control) ResetStats(ctx context.Context) error {
	return c.call(ctx, http.MethodPost, "stats/reset", struct{}{}, nil)
}

// InjectFault adds faults, in order.
func (c *Control) InjectFault(ctx context.Context, faults ...emulator.Fault) error {
	for _, f := range faults {
		if err := c.call(ctx, http.MethodPost, "faults", f, nil); err != nil {
			return err
		}
	}
	return nil
}

// Faults lists the active faults with their remaining counts.
func (c *Control) Faults(ctx context.Context) ([]emulator.Fault, error) {
	return get[[]emulator.Fault](ctx, c, "faults")
}

// ClearFaults removes every fault and releases hung tasks.
func (c *Control) ClearFaults(ctx context.Context) error {
	return c.call(ctx, http.MethodDelete, "faults", nil, nil)
}

// WaitSettled polls the world until none of the ids (none given: every
// address) is BINDING or UNBINDING, or for timeout; it returns the last world
// seen.
func (c *Control) WaitSettled(ctx context.Context, ids []string, timeout time.Duration) (emulator.World, error) {
	deadline := time.Now().Add(timeout)
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	for {
		w, err := c.World(ctx)
		busy := slices.ContainsFunc(w.Addresses, func(a emulator.Address) bool {
			return (len(want) == 0 || want[a.AddressID]) && inTransit(a.Status)
		})
		if err != nil || !busy || time.Now().After(deadline) {
			return w, err
		}
		select {
		case <-ctx.Done():
			return w, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func inTransit(status string) bool {
	return status == emulator.StatusBinding || status == emulator.StatusUnbinding
}

// Calls is one phase's API calls by kind: DescribeAddresses, the writes
// (AssociateAddress, DisassociateAddress) and the others; and the error
// answers by code, over every action.
type Calls struct {
	Describe, Write, Other int
	Errors                 map[string]int
}

// CountCalls sorts a Stats into Calls.
func CountCalls(s emulator.Stats) Calls {
	c := Calls{Errors: map[string]int{}}
	for action, n := range s.Calls {
		switch action {
		case "DescribeAddresses":
			c.Describe += n
		case "AssociateAddress", "DisassociateAddress":
			c.Write += n
		default:
			c.Other += n
		}
	}
	for _, codes := range s.Errors {
		for code, n := range codes {
			c.Errors[code] += n
		}
	}
	return c
}

// Plus is the sum of two counts of calls.
func (c Calls) Plus(d Calls) Calls {
	sum := Calls{Describe: c.Describe + d.Describe, Write: c.Write + d.Write, Other: c.Other + d.Other, Errors: map[string]int{}}
	for _, errs := range []map[string]int{c.Errors, d.Errors} {
		for code, n := range errs {
			sum.Errors[code] += n
		}
	}
	return sum
}

// PatchAddress changes an address out of band, as the console would.
func (c *Control) PatchAddress(ctx context.Context, id string, p emulator.AddressPatch) error {
	return c.call(ctx, http.MethodPost, "addresses/"+id, p, nil)
}

// AddNormalPublicIP gives the instance a normal public IP (WanIP) on its
// primary private IP.
func (c *Control) AddNormalPublicIP(ctx context.Context, instanceID string) (emulator.Address, error) {
	var a emulator.Address
	err := c.call(ctx, http.MethodPost, "instances/"+instanceID+"/normal-public-ip", nil, &a)
	return a, err
}
