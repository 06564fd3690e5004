package emulator_test

import (
	"testing"
	"time"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// Each action has its documented rate (DocumentedRateLimit, the default options); the
// clock is frozen, so a bucket holds exactly its rate.
func TestDocumentedRateLimitPerAction(t *testing.T) {
	for action, rate := range map[string]int{
		"AssociateAddress":          10,
		"DisassociateAddress":       10,
		"DescribeAddresses":         20,
		"DescribeTaskResult":        20,
		"DescribeAddressQuota":      10,
		"DescribeNetworkInterfaces": 100,
		"ReturnNormalAddresses":     2,
	} {
		t.Run(action, func(t *testing.T) {
			e := newEnv(t, func(o *emulator.Options) { o.RateLimit = emulator.DefaultOptions().RateLimit })
			// Requests that fail the action's own rules still take a token.
			body := map[string]string{
				"AssociateAddress":      `{"AddressId":"eip-zzzzzzzz","InstanceId":"ins-demo0001"}`,
				"DisassociateAddress":   `{"AddressId":"eip-zzzzzzzz"}`,
				"DescribeTaskResult":    `{"TaskId":1}`,
				"ReturnNormalAddresses": `{"AddressIps":["192.0.2.1"]}`,
			}[action]
			for i := 1; i <= rate; i++ {
				if r := e.raw(rawRequest{Action: action, Body: body}); r.Code == "RequestLimitExceeded" {
					t.Fatalf("request %d of %d throttled", i, rate)
				}
			}
			wantReplyCode(t, e.raw(rawRequest{Action: action, Body: body}), "RequestLimitExceeded")
			e.emu.AdvanceClock(time.Second)
			if r := e.raw(rawRequest{Action: action, Body: body}); r.Code == "RequestLimitExceeded" {
				t.Fatal("the bucket did not refill")
			}
		})
	}
}

func TestRateLimitScaleAndOverrides(t *testing.T) {
	limit := emulator.DocumentedRateLimit()
	limit.Scale = 0.5
	limit.Actions["DescribeAddresses"] = 0 // unlimited
	e := newEnv(t, func(o *emulator.Options) { o.RateLimit = limit })
	for i := 0; i < 50; i++ {
		wantReplyCode(t, e.raw(rawRequest{Action: "DescribeAddresses"}), "")
	}
	for i := 0; i < 5; i++ { // DescribeAddressQuota: 10 × 0.5
		wantReplyCode(t, e.raw(rawRequest{}), "")
	}
	wantReplyCode(t, e.raw(rawRequest{}), "RequestLimitExceeded")
	if err := e.emu.SetRateLimit(emulator.RateLimit{Actions: map[string]float64{"NoSuchAction": 1}}); err == nil {
		t.Fatal("a limit for an unknown action was accepted")
	}
}

// The rate limiter answers with the code the RateLimitCode setting names, and so does a
// throttle fault (or with its own code).
func TestThrottlingCodes(t *testing.T) {
	codes := []string{"RequestLimitExceeded", "RequestLimitExceeded.UinLimitExceeded", "RequestLimitExceeded.IPLimitExceeded",
		"RequestLimitExceeded.GlobalRegionUinLimitExceeded", "LimitExceeded.ActionLimited"}
	for _, code := range codes {
		t.Run(code, func(t *testing.T) {
			e := newEnv(t, func(o *emulator.Options) {
				o.RateLimit = emulator.RateLimit{Write: 1, Read: 1}
				o.Settings.RateLimitCode = code
			})
			wantReplyCode(t, e.raw(rawRequest{}), "")
			wantReplyCode(t, e.raw(rawRequest{}), code)

			f := newEnv(t)
			mustInject(t, f, emulator.Fault{Action: "DescribeNetworkInterfaces", Kind: emulator.FaultThrottle, Code: code, Count: 1})
			f.unchanged(func() {
				wantReplyCode(t, f.raw(rawRequest{Action: "DescribeNetworkInterfaces"}), code)
			})
			wantReplyCode(t, f.raw(rawRequest{Action: "DescribeNetworkInterfaces"}), "")
		})
	}
	// Without a code the fault answers the setting's.
	e := newEnv(t, func(o *emulator.Options) { o.Settings.RateLimitCode = "RequestLimitExceeded.IPLimitExceeded" })
	mustInject(t, e, emulator.Fault{Kind: emulator.FaultThrottle, Count: 1})
	wantReplyCode(t, e.raw(rawRequest{Action: "AssociateAddress", Body: everyAction["AssociateAddress"]}), "RequestLimitExceeded.IPLimitExceeded")
	wantAddress(t, e.address("eip-demo0001"), "UNBIND", "", "", "")
	for _, bad := range []string{"InternalError", "RequestLimitExceeded.Nope"} {
		if err := e.emu.InjectFault(emulator.Fault{Kind: emulator.FaultThrottle, Code: bad}); err == nil {
			t.Errorf("a throttle fault with code %s was accepted", bad)
		}
	}
	if _, err := emulator.New(emulator.Options{Settings: emulator.Settings{RateLimitCode: "InternalError"}}); err == nil {
		t.Fatal("RateLimitCode InternalError was accepted")
	}
}
