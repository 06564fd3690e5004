package emulator_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// everyAction is one well-formed request per action, as raw JSON bodies.
var everyAction = map[string]string{
	"AssociateAddress":          `{"AddressId":"eip-demo0001","InstanceId":"ins-demo0001"}`,
	"DisassociateAddress":       `{"AddressId":"eip-demo0002"}`,
	"DescribeAddresses":         `{}`,
	"DescribeTaskResult":        `{"TaskId":10000001}`,
	"DescribeAddressQuota":      `{}`,
	"DescribeNetworkInterfaces": `{}`,
	"ReturnNormalAddresses":     `{"AddressIps":["198.51.100.61"]}`,
}

// A region that does not exist is an error for every action, never an empty world.
func TestUnknownRegionIsAnError(t *testing.T) {
	for _, tt := range []struct {
		setting, code string
	}{
		{"", "InvalidParameterValue"},
		{emulator.UnknownRegionUnsupportedRegion, "UnsupportedRegion"},
	} {
		e := newEnv(t, func(o *emulator.Options) { o.Settings.UnknownRegion = tt.setting })
		e.unchanged(func() {
			for action, body := range everyAction {
				r := e.raw(rawRequest{Action: action, Region: "ap-guangzhuo", Body: body})
				wantReplyCode(t, r, tt.code)
				if !strings.Contains(r.Message, "ap-guangzhuo") {
					t.Errorf("%s: message %q does not name the region", action, r.Message)
				}
			}
		})
		if got := e.emu.Stats().Errors["DescribeAddresses"][tt.code]; got != 1 {
			t.Errorf("the refusal is counted %d times, want 1", got)
		}
	}
}

// A known region without resources is legitimately empty; a world file may list its
// own regions.
func TestKnownRegionsOfTheWorld(t *testing.T) {
	e := newEnv(t)
	w := e.emu.Snapshot()
	for _, r := range []string{"ap-guangzhou", "ap-shanghai", "na-siliconvalley"} {
		if !slices.Contains(w.Regions, r) {
			t.Fatalf("the default world does not list %s: %v", r, w.Regions)
		}
	}
	wantReplyCode(t, e.raw(rawRequest{Action: "DescribeAddresses", Region: "ap-shanghai"}), "")

	custom := emulator.DefaultWorld()
	custom.Region, custom.Regions = "xx-test-1", []string{"xx-test-2"}
	c := newEnv(t, func(o *emulator.Options) { o.World = custom })
	if got := c.emu.Snapshot().Regions; strings.Join(got, ",") != "xx-test-1,xx-test-2" {
		t.Fatalf("regions = %v, want the world's own and its region", got)
	}
	r := c.raw(rawRequest{Action: "DescribeAddresses", Region: "xx-test-1", Body: `{"AddressIds":["eip-demo0002"]}`})
	wantReplyCode(t, r, "")
	if string(r.Response["TotalCount"]) != "1" {
		t.Fatalf("the world's region: %s", r.Raw)
	}
	r = c.raw(rawRequest{Action: "DescribeAddresses", Region: "xx-test-2"})
	wantReplyCode(t, r, "")
	if string(r.Response["TotalCount"]) != "0" {
		t.Fatalf("another known region: %s", r.Raw)
	}
	wantReplyCode(t, c.raw(rawRequest{Action: "DescribeAddresses", Region: "ap-guangzhou"}), "InvalidParameterValue")
}
