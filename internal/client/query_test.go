package client_test

import (
	"cmp"
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
		scale     int // generated UNBIND EIPs beside the default world's ten: 150 unless set
		sel       client.AddressSelection
		want      []string // ids, in order; nil: check count only
		wantCount int
		wantCalls int
		decoded   *client.Address // every field of the one address found
	}{
		{name: "a name, every field decoded", wantCalls: 1,
			sel: client.AddressSelection{Names: []string{"demo-eip-2"}}, want: []string{"eip-demo0002"},
			decoded: &client.Address{ID: "eip-demo0002", Name: "demo-eip-2", PublicIP: "203.0.113.2", Status: client.StatusBind,
				Type: "EIP", InstanceID: "ins-demo0002", NetworkInterfaceID: "eni-demo0002", PrivateIP: "10.0.0.21"}},
		{name: "names, one query each", wantCalls: 3,
			sel:  client.AddressSelection{Names: []string{"demo-eip-3", "demo-eip-1", "no-such-name"}},
			want: []string{"eip-demo0001", "eip-demo0003"}},
		{name: "public IPs in one filter", wantCalls: 1,
			sel:  client.AddressSelection{PublicIPs: []string{"203.0.113.2", "203.0.113.9", "192.0.2.1"}},
			want: []string{"eip-demo0002", "eip-demo0009"}},
		{name: "bound", wantCalls: 1,
			sel:  client.AddressSelection{Bound: &yes},
			want: []string{"eip-demo0002", "eip-demo0004"}},
		{name: "statuses and names together", wantCalls: 2,
			sel:  client.AddressSelection{Statuses: []string{client.StatusBind}, Names: []string{"demo-eip-2", "demo-eip-1"}},
			want: []string{"eip-demo0002"}},
		{name: "a status that is not of the bound kind asked for: nothing, no call", wantCalls: 0,
			sel:  client.AddressSelection{Statuses: []string{client.StatusUnbind}, Bound: &yes},
			want: []string{}},
		{name: "ids in one filter; a normal public IP never", wantCalls: 1,
			sel:  client.AddressSelection{IDs: []string{"eip-demo0013", "eip-demo0002", "eip-demo0001"}},
			want: []string{"eip-demo0001", "eip-demo0002"}},
		{name: "instances in one filter; a normal public IP never", wantCalls: 1,
			sel:  client.AddressSelection{InstanceIDs: []string{"ins-demo0006", "ins-demo0003", "ins-demo0002"}},
			want: []string{"eip-demo0002", "eip-demo0004"}},
		{name: "network interfaces and statuses", wantCalls: 1,
			sel:  client.AddressSelection{NetworkInterfaceIDs: []string{"eni-demo0003", "eni-demo0002"}, Statuses: []string{client.StatusBind}},
			want: []string{"eip-demo0002", "eip-demo0004"}},
		{name: "a limit within the first page reads one page", wantCount: 30, wantCalls: 1,
			sel: client.AddressSelection{Bound: &no, Limit: 30}},
		{name: "a limit past the first page reads the pages it needs", wantCount: 120, wantCalls: 2,
			sel: client.AddressSelection{Bound: &no, Limit: 120}},
		{name: "unbound, past one page", wantCount: 10 + 150, wantCalls: 2,
			sel: client.AddressSelection{Bound: &no}},
		// Full pages read no further when the totals they report have not
		// grown: 200 addresses are two calls, not four.
		{name: "unbound, two full pages", scale: 190, wantCount: 10 + 190, wantCalls: 2,
			sel: client.AddressSelection{Bound: &no}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			scale := cmp.Or(tt.scale, 150)
			c, emu := newTestClient(t, func(o *emulator.Options) { o.Scale = scale }, nil)
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
			if tt.decoded != nil && (len(got) != 1 || got[0] != *tt.decoded) {
				t.Errorf("got %+v, want [%+v]", got, *tt.decoded)
			}
			if calls := emu.Stats().Calls["DescribeAddresses"]; calls != tt.wantCalls {
				t.Errorf("%d DescribeAddresses calls, want %d", calls, tt.wantCalls)
			}
		})
	}
}
