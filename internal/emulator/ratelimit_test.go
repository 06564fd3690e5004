package emulator_test

import (
	"sync/atomic"
	"testing"
	"time"

	vpc "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc/v20170312"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// The emulator clock is frozen in these tests, so buckets refill only when the test
// advances it: throttling is exact.
func TestRateLimitPerActionPerSecretID(t *testing.T) {
	e := newEnv(t, func(o *emulator.Options) {
		o.RateLimit = emulator.RateLimit{Write: 2, Read: 3}
		o.Credentials = append(o.Credentials, emulator.Credential{SecretID: "AKIDsecond", SecretKey: "second-key"})
	})
	describe := func(c *env) error { _, err := c.describe(vpc.NewDescribeAddressesRequest()); return err }

	// Rejected (unauthenticated) requests take no token.
	for i := 0; i < 5; i++ {
		wantReplyCode(t, e.raw(rawRequest{Action: "DescribeAddresses", SecretID: emulator.DefaultSecretID, SecretKey: "wrong"}), "AuthFailure.SignatureFailure")
	}
	for i := 1; i <= 3; i++ {
		if err := describe(e); err != nil {
			t.Fatalf("read %d of 3: %v", i, err)
		}
	}
	wantCode(t, describe(e), "RequestLimitExceeded")

	// Another action has its own bucket, and so has another SecretId.
	if _, err := e.vpc.DescribeAddressQuota(vpc.NewDescribeAddressQuotaRequest()); err != nil {
		t.Fatalf("another action was throttled: %v", err)
	}
	second := &env{t: t, vpc: newSDKClient(t, e.srv.URL, sdkConfig{ID: "AKIDsecond", Key: "second-key"})}
	if err := describe(second); err != nil {
		t.Fatalf("another SecretId was throttled: %v", err)
	}

	// Writes: 2 per second, errors included; a throttled write changes nothing.
	wantCode(t, errOf(e.disassociate("eip-zzzzzzzz", false)), "InvalidAddressId.NotFound")
	e.mustDisassociate("eip-demo0002", false)
	e.unchanged(func() { wantCode(t, errOf(e.disassociate("eip-demo0004", false)), "RequestLimitExceeded") })
	e.mustAssociate("eip-demo0001", "ins-demo0001") // AssociateAddress has its own bucket
	e.finishTasks()                                 // also refills by a second
	if _, err := e.associate("eip-demo0006", "ins-demo0003"); codeOf(err) == "RequestLimitExceeded" {
		t.Fatal("the bucket did not refill")
	}

	// Half a second refills half the rate.
	for i := 0; describe(e) == nil; i++ {
		if i == 10 {
			t.Fatal("reads are never throttled once the bucket is empty")
		}
	}
	e.emu.AdvanceClock(500 * time.Millisecond)
	if err := describe(e); err != nil {
		t.Fatalf("after 0.5s at 3/s: %v", err)
	}
	wantCode(t, describe(e), "RequestLimitExceeded")

	if s := e.emu.Stats(); s.Errors["DescribeAddresses"]["RequestLimitExceeded"] < 2 {
		t.Fatalf("throttled requests are not counted: %s", mustJSON(s))
	}
}

func TestRateLimitOffAndSetRateLimit(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 100; i++ {
		if _, err := e.describe(vpc.NewDescribeAddressesRequest()); err != nil {
			t.Fatalf("request %d with limits off: %v", i, err)
		}
	}
	noError(t, e.emu.SetRateLimit(emulator.RateLimit{Read: 1}))
	_, err := e.describe(vpc.NewDescribeAddressesRequest())
	noError(t, err)
	wantCode(t, errOf(e.describe(vpc.NewDescribeAddressesRequest())), "RequestLimitExceeded")
	if err := e.emu.SetRateLimit(emulator.RateLimit{Read: -1}); err == nil {
		t.Fatal("a negative rate was accepted")
	}
}

// On a clock that moves, the documented 20/s lets a burst of 20 through, throttles the
// rest, and refills 20 tokens a second.
func TestRateLimitRefillsWithTheClock(t *testing.T) {
	var offset atomic.Int64 // nanoseconds past testEpoch, set by the test
	e := newEnv(t, func(o *emulator.Options) {
		o.Now = func() time.Time { return testEpoch.Add(time.Duration(offset.Load())) }
		o.RateLimit = emulator.DefaultOptions().RateLimit
	})
	allowed := 0
	for i := 0; i < 40; i++ {
		offset.Store(int64(i) * int64(10*time.Millisecond)) // 40 requests in 390 ms
		_, err := e.describe(vpc.NewDescribeAddressesRequest())
		switch code := codeOf(err); code {
		case "":
			allowed++
		case "RequestLimitExceeded":
		default:
			t.Fatalf("request %d: %v", i, err)
		}
	}
	// 20 at once, then one every 50 ms of the 390: 27.
	if allowed != 27 {
		t.Fatalf("%d of 40 requests in 390 ms went through at 20/s, want 27", allowed)
	}
	offset.Add(int64(time.Second))
	for i := 0; i < 20; i++ {
		if _, err := e.describe(vpc.NewDescribeAddressesRequest()); err != nil {
			t.Fatalf("a second later, request %d: %v", i, err)
		}
	}
}

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
