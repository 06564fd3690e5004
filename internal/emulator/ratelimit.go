package emulator

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"math"
	"time"

	"golang.org/x/time/rate"
)

// RateLimit sets the request rates the emulator allows, per action per SecretId, in
// requests per second; 0 turns a limit off, and the zero RateLimit turns them all off.
type RateLimit struct {
	// Write is the rate of each write action (AssociateAddress, DisassociateAddress,
	// ReturnNormalAddresses), Read that of each Describe* action.
	Write float64 `json:"write"`
	Read  float64 `json:"read"`
	// Actions overrides the rate of single actions (0 = that action unlimited).
	Actions map[string]float64 `json:"actions,omitempty"`
	// Scale multiplies every rate (0 counts as 1): 2 doubles the documented limits.
	Scale float64 `json:"scale,omitempty"`
}

// DocumentedRateLimit is the documented default request rate of each action.
func DocumentedRateLimit() RateLimit {
	return RateLimit{Write: 10, Read: 20, Actions: map[string]float64{
		"DescribeAddressQuota":      10,
		"DescribeNetworkInterfaces": 100,
		"ReturnNormalAddresses":     2,
		"DescribeInstances":         40,
		"AssumeRole":                600,
		"AssumeRoleWithWebIdentity": 20, // the China site; the international site says 80
		"GetCallerIdentity":         20,
	}}
}

// throttleCode is the code a throttled request for the action answers: AssumeRole lists
// no RequestLimitExceeded, only InvalidParameter.OverLimit ("frequency limit
// exceeded"); every other action answers the rateLimitCode setting's.
func throttleCode(action, setting string) string {
	if action == "AssumeRole" {
		return codeOverLimit
	}
	return setting
}

// ForAction is the rate of the action, Scale applied (0 = unlimited).
func (r RateLimit) ForAction(action string) float64 {
	limit, ok := r.Actions[action]
	if !ok {
		limit = r.Read
		if writeActions[action] {
			limit = r.Write
		}
	}
	if r.Scale > 0 {
		limit *= r.Scale
	}
	return limit
}

func (r RateLimit) clone() RateLimit {
	r.Actions = maps.Clone(r.Actions)
	return r
}

// ValidateRateLimit reports why r cannot be used: a negative or non-finite rate, or an
// unknown action.
func ValidateRateLimit(r RateLimit) error { return validRateLimit(r) }

func validRateLimit(r RateLimit) error {
	bad := func(v float64) bool { return v < 0 || math.IsNaN(v) || math.IsInf(v, 0) }
	if bad(r.Write) || bad(r.Read) || bad(r.Scale) {
		return errors.New("emulator: rate limits must be finite and not negative (0 = off)")
	}
	for action, v := range r.Actions {
		if actionParams[action] == nil {
			return fmt.Errorf("emulator: rate limit for unknown action %q", action)
		}
		if bad(v) {
			return errors.New("emulator: rate limits must be finite and not negative (0 = off)")
		}
	}
	return nil
}

// rateLimiter keeps one token bucket per action per SecretId, as the cloud limits each
// action per account. The buckets run on the emulator clock, so a fake clock makes
// throttling deterministic. A bucket holds max(rate, 1) tokens, rounded up.
type rateLimiter struct {
	buckets map[bucketKey]*rate.Limiter
}

type bucketKey struct{ action, secretID string }

func (l *rateLimiter) reset() { l.buckets = map[bucketKey]*rate.Limiter{} }

// allow takes a token from the bucket of (action, secretID) that refills at perSecond.
func (l *rateLimiter) allow(action, secretID string, perSecond float64, now time.Time) bool {
	key := bucketKey{action, secretID}
	b := l.buckets[key]
	if b == nil {
		b = rate.NewLimiter(rate.Limit(perSecond), int(math.Ceil(math.Max(perSecond, 1)))) // starts full
		l.buckets[key] = b
	}
	return b.AllowN(now, 1)
}

// limit applies the rate limit of the action to a request signed with secretID.
func (e *Emulator) limit(action, secretID string) *apiError {
	e.mu.Lock()
	defer e.mu.Unlock()
	perSecond := e.rateLimit.ForAction(action)
	if perSecond <= 0 || e.limiter.allow(action, secretID, perSecond, e.clock()) {
		return nil
	}
	return throttled(throttleCode(action, e.world.Settings.RateLimitCode), action,
		fmt.Sprintf("Too many %s requests: the limit is %g per second for this account.", action, perSecond))
}

// throttled is a throttling answer with one of the documented throttling codes.
func throttled(code, action, message string) *apiError {
	message = cmp.Or(message, fmt.Sprintf("Too many %s requests; retry later.", action))
	return &apiError{Code: code, Message: message}
}

// SetRateLimit changes the rate limits; buckets start full again. A negative or
// non-finite rate, or an unknown action, is refused.
func (e *Emulator) SetRateLimit(r RateLimit) error {
	if err := validRateLimit(r); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.rateLimit = r.clone()
	e.limiter.reset()
	return nil
}

// RateLimit returns the rate limits in force.
func (e *Emulator) RateLimit() RateLimit {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.rateLimit.clone()
}
