package client_test

import (
	"slices"
	"testing"
	"time"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

func TestSelectAddresses(t *testing.T) {
	t.Parallel()
	yes, no := true, false
	tests := []struct {
		name      string
		sel       client.AddressSelection
		want      []string // ids, in order; nil: check count only
		wantCount int
		wantCalls int
	}{
		{
			name:      "names, one query each",
			sel:       client.AddressSelection{Names: []string{"demo-eip-3", "demo-eip-1", "no-such-name"}},
			want:      []string{"eip-demo0001", "eip-demo0003"},
			wantCalls: 3,
		},
		{
			name:      "public IPs in one filter",
			sel:       client.AddressSelection{PublicIPs: []string{"203.0.113.2", "203.0.113.9", "192.0.2.1"}},
			want:      []string{"eip-demo0002", "eip-demo0009"},
			wantCalls: 1,
		},
		{
			name:      "bound",
			sel:       client.AddressSelection{Bound: &yes},
			want:      []string{"eip-demo0002", "eip-demo0004"},
			wantCalls: 1,
		},
		{
			name: "statuses and names together",
			sel:  client.AddressSelection{Statuses: []string{client.StatusBind}, Names: []string{"demo-eip-2", "demo-eip-1"}},
			want: []string{"eip-demo0002"}, wantCalls: 2,
		},
		{
			name:      "a status that is not of the bound kind asked for: nothing, no call",
			sel:       client.AddressSelection{Statuses: []string{client.StatusUnbind}, Bound: &yes},
			want:      []string{},
			wantCalls: 0,
		},
		{
			name:      "ids in one filter; a normal public IP never",
			sel:       client.AddressSelection{IDs: []string{"eip-demo0013", "eip-demo0002", "eip-demo0001"}},
			want:      []string{"eip-demo0001", "eip-demo0002"},
			wantCalls: 1,
		},
		{
			name:      "instances in one filter; a normal public IP never",
			sel:       client.AddressSelection{InstanceIDs: []string{"ins-demo0006", "ins-demo0003", "ins-demo0002"}},
			want:      []string{"eip-demo0002", "eip-demo0004"},
			wantCalls: 1,
		},
		{
			name:      "network interfaces and statuses",
			sel:       client.AddressSelection{NetworkInterfaceIDs: []string{"eni-demo0003", "eni-demo0002"}, Statuses: []string{client.StatusBind}},
			want:      []string{"eip-demo0002", "eip-demo0004"},
			wantCalls: 1,
		},
		{
			name:      "a limit within the first page reads one page",
			sel:       client.AddressSelection{Bound: &no, Limit: 30},
			wantCount: 30,
			wantCalls: 1,
		},
		{
			name:      "a limit past the first page reads the pages it needs",
			sel:       client.AddressSelection{Bound: &no, Limit: 120},
			wantCount: 120,
			wantCalls: 2,
		},
		{
			name:      "unbound, past one page",
			sel:       client.AddressSelection{Bound: &no},
			wantCount: 10 + 150, // the default world's unbound EIPs and the generated ones
			wantCalls: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, emu := newTestClient(t, func(o *emulator.Options) { o.Scale = 150 }, nil)
			got, err := c.SelectAddresses(ctxWithTimeout(t, 30*time.Second), tt.sel)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, a := range got {
				ids = append(ids, a.ID)
			}
			switch {
			case tt.want != nil && !slices.Equal(ids, tt.want):
				t.Errorf("got %v, want %v", ids, tt.want)
			case tt.want == nil && len(ids) != tt.wantCount:
				t.Errorf("got %d addresses, want %d", len(ids), tt.wantCount)
			case !slices.IsSorted(ids):
				t.Errorf("addresses not in id order: %v", ids)
			}
			if calls := emu.Stats().Calls["DescribeAddresses"]; calls != tt.wantCalls {
				t.Errorf("%d DescribeAddresses calls, want %d", calls, tt.wantCalls)
			}
		})
	}
}

func TestSelectAddresses_decodesNames(t *testing.T) {
	t.Parallel()
	c, _ := newTestClient(t, nil, nil)
	got, err := c.SelectAddresses(ctxWithTimeout(t, 30*time.Second), client.AddressSelection{Names: []string{"demo-eip-2"}})
	if err != nil {
		t.Fatal(err)
	}
	want := client.Address{
		ID: "eip-demo0002", Name: "demo-eip-2", PublicIP: "203.0.113.2", Status: client.StatusBind, Type: "EIP",
		InstanceID: "ins-demo0002", NetworkInterfaceID: "eni-demo0002", PrivateIP: "10.0.0.21",
	}
	if len(got) != 1 || got[0] != want {
		t.Errorf("got %+v, want [%+v]", got, want)
	}
}

// Pages that come back full read no further when the totals they report
// have not grown: 200 addresses are two calls, not four.
func TestSelectAddresses_fullPagesReadNoFurther(t *testing.T) {
	t.Parallel()
	no := false
	c, emu := newTestClient(t, func(o *emulator.Options) { o.Scale = 190 }, nil)
	got, err := c.SelectAddresses(ctxWithTimeout(t, 30*time.Second), client.AddressSelection{Bound: &no})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 200 {
		t.Errorf("got %d addresses, want the default world's 10 unbound EIPs and 190 generated ones", len(got))
	}
	if calls := emu.Stats().Calls["DescribeAddresses"]; calls != 2 {
		t.Errorf("%d DescribeAddresses calls, want 2", calls)
	}
}
