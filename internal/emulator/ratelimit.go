package emulator

import (
	"errors"
	"math"
	"time"
)

// rateLimiter keeps one token bucket per action per SecretId, as the cloud limits each
// action per account. Buckets run on the emulator clock, so a fake clock makes
// throttling deterministic.
type rateLimiter struct {
	buckets map[bucketKey]*tokenBucket
}

type bucketKey struct{ action, secretID string }

type tokenBucket struct {
	tokens float64
	last   time.Time
}

func (l *rateLimiter) reset() { l.buckets = map[bucketKey]*tokenBucket{} }

// allow takes a token from the bucket of (action, secretID) refilled at rate per second,
// holding at most burst = max(rate, 1) tokens. rate 0 means no limit.
func (l *rateLimiter) allow(action, secretID string, rate float64, now time.Time) bool {
	if rate <= 0 {
		return true
	}
	burst := math.Max(rate, 1)
	key := bucketKey{action, secretID}
	b := l.buckets[key]
	if b == nil {
		b = &tokenBucket{tokens: burst, last: now}
		l.buckets[key] = b
	}
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = math.Min(burst, b.tokens+elapsed.Seconds()*rate)
	}
	b.last = now // a clock moved backwards (Reset) simply restarts the refill from here
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func (r RateLimit) forAction(action string) float64 {
	if writeActions[action] {
		return r.Write
	}
	return r.Read
}

func validRateLimit(r RateLimit) error {
	if r.Write < 0 || r.Read < 0 || math.IsNaN(r.Write) || math.IsNaN(r.Read) || math.IsInf(r.Write, 0) || math.IsInf(r.Read, 0) {
		return errors.New("emulator: rate limits must be finite and not negative (0 = off)")
	}
	return nil
}

// SetRateLimit changes the per-action rate limits; buckets start full again. A negative
// or non-finite rate is refused.
func (e *Emulator) SetRateLimit(r RateLimit) error {
	if err := validRateLimit(r); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.rateLimit = r
	e.limiter.reset()
	return nil
}
