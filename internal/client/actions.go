package client

import (
	"context"
	"math"
	"reflect"
	"time"

	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	vpc "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc/v20170312"
	"golang.org/x/time/rate"
)

// action is what the client knows of one API action it calls. Every request
// goes through send, which refuses an action that is not registered here:
// adding an action is one entry below and the method that calls it.
type action struct {
	service string
	version string
	// rate is the documented limit, in requests per second per account.
	rate float64
	// write: the action changes the world. A write is retried until its
	// caller's deadline (a read gives up after the read budget), is paced by
	// RateLimit.Write and never bursts.
	write bool
	// unsigned actions are sent without a signature or a token
	// (Authorization: SKIP).
	unsigned bool
	// invalidates names the addresses a write changes: their reads go to the
	// API from the moment it is sent.
	invalidates func(req tchttp.Request) []string
}

const (
	serviceVPC = "vpc"
	serviceCVM = "cvm"
	serviceSTS = "sts"
	versionVPC = "2017-03-12"
	versionCVM = "2017-03-12"
	versionSTS = "2018-08-13"
)

// actions is the registry. Rates are the API's documented limits.
var actions = map[string]action{
	"AssociateAddress":          {service: serviceVPC, version: versionVPC, rate: 10, write: true, invalidates: addressOf},
	"DisassociateAddress":       {service: serviceVPC, version: versionVPC, rate: 10, write: true, invalidates: addressOf},
	"DescribeAddresses":         {service: serviceVPC, version: versionVPC, rate: 20},
	"DescribeTaskResult":        {service: serviceVPC, version: versionVPC, rate: 20},
	"DescribeAddressQuota":      {service: serviceVPC, version: versionVPC, rate: 10},
	"DescribeNetworkInterfaces": {service: serviceVPC, version: versionVPC, rate: 100},
	"DescribeInstances":         {service: serviceCVM, version: versionCVM, rate: 40},
	// STS (the documented rates: AssumeRole 600/s, AssumeRoleWithWebIdentity
	// 20/s on the China site's page, 80/s on the international one: the lower,
	// GetCallerIdentity 20/s). They obtain credentials; none writes.
	"AssumeRole":                {service: serviceSTS, version: versionSTS, rate: 600},
	"AssumeRoleWithWebIdentity": {service: serviceSTS, version: versionSTS, rate: 20, unsigned: true},
	"GetCallerIdentity":         {service: serviceSTS, version: versionSTS, rate: 20},
}

// RateLimit caps the requests per second the client sends of each action. A
// zero field keeps each action's documented rate.
type RateLimit struct {
	// Write applies to each write action.
	Write float64
	// Read applies to each read action.
	Read float64
}

// rateOf is the rate the client sends a at.
func (r RateLimit) rateOf(a action) float64 {
	configured := r.Read
	if a.write {
		configured = r.Write
	}
	if configured > 0 {
		return configured
	}
	return a.rate
}

// burstOf is how many calls of a may start at once. Writes never burst. Reads
// may start half a second's worth at once (a plan's check reads an EIP and
// what sits on its target together; a listing fetches its pages together):
// a server counting the documented rate per second then never sees more than
// it allows, even when replies' latencies vary by up to half a second.
func burstOf(a action, perSecond float64) int {
	if a.write {
		return 1
	}
	return max(1, int(math.Ceil(perSecond/2)))
}

// limiter is the pacer of the action: calls are spaced evenly at its rate.
func (c *Client) limiter(name string, a action) *rate.Limiter {
	c.pacersMu.Lock()
	defer c.pacersMu.Unlock()
	l, ok := c.pacers[name]
	if !ok {
		perSecond := c.rateLimit.rateOf(a)
		l = rate.NewLimiter(rate.Limit(perSecond), burstOf(a, perSecond))
		c.pacers[name] = l
	}
	return l
}

// waitTurn waits for a turn under the limiter. It refuses at once a turn that
// would come after ctx's deadline, and hands back the turn of a caller that
// stops waiting, as rate.Limiter.Wait does, on the client's clock.
func (c *Client) waitTurn(ctx context.Context, l *rate.Limiter) error {
	now := c.clock.Now()
	r := l.ReserveN(now, 1)
	delay := r.DelayFrom(now)
	if deadline, ok := ctx.Deadline(); ok && now.Add(delay).After(deadline) {
		r.CancelAt(now)
		return errNoTurn
	}
	if err := sleep(ctx, c.clock, delay); err != nil {
		r.CancelAt(c.clock.Now())
		return err
	}
	return nil
}

// send makes one call of a registered action, retrying under the retry
// policy, paced by the action's limiter. The returned error is an *APIError.
func (c *Client) send(ctx context.Context, req tchttp.Request, resp tchttp.Response) error {
	name := req.GetAction()
	a, ok := actions[name]
	if !ok || a.service != req.GetService() || a.version != req.GetVersion() {
		return &APIError{Action: name, Code: CodeUnregisteredAction,
			Message: "the client does not know this action (" + req.GetService() + " " + req.GetVersion() + "); it was not sent"}
	}
	if c.anonymous && !a.unsigned {
		return &APIError{Action: name, Code: CodeUnregisteredAction,
			Message: "a client without credentials sends only unsigned actions; it was not sent"}
	}
	if a.invalidates != nil {
		for _, id := range a.invalidates(req) {
			c.reads.invalidate(id)
		}
	}
	l := c.limiter(name, a)
	return c.retry.run(ctx, c.clock, name, a.write, func(ctx context.Context) (bool, error) {
		if a.unsigned {
			req.SetSkipSign(true)
		} else if err := c.cred.ensure(ctx); err != nil {
			// Credentials that could not be obtained: nothing was sent.
			return false, err
		}
		if err := c.waitTurn(ctx, l); err != nil {
			return false, err
		}
		return true, c.attempt(ctx, req, resp)
	}, c.log)
}

// attempt sends the request once, with the per-request timeout, so that a
// reply that never comes costs one attempt, not the whole operation. The SDK
// panics on some malformed replies (a body of `null`, for one): that becomes
// an error like any other unusable reply.
func (c *Client) attempt(ctx context.Context, req tchttp.Request, resp tchttp.Response) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &APIError{Code: CodeParseError, Message: truncate("the reply could not be decoded: " + toString(p))}
		}
	}()
	attemptCtx, cancel := context.WithTimeout(ctx, c.requestTimeout)
	defer cancel()
	status := &replyStatus{}
	req.SetContext(withReplyStatus(attemptCtx, status))
	if err = c.sdk.Send(req, resp); err != nil {
		apiErr := toAPIError(req.GetAction(), err)
		if apiErr.Code == CodeParseError || apiErr.Code == CodeHTTPStatus {
			apiErr.HTTPStatus = status.code
		}
		return apiErr
	}
	if !hasResponse(resp) {
		return &APIError{Action: req.GetAction(), Code: CodeInvalidReply, Message: "the reply has no Response"}
	}
	return nil
}

// hasResponse reports whether a typed SDK response got its Response field
// (a reply of {"Response":null} decodes without error).
func hasResponse(resp tchttp.Response) bool {
	v := reflect.ValueOf(resp)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return false
	}
	field := v.Elem().FieldByName("Response")
	return !field.IsValid() || !field.IsNil()
}

// addressOf names the address a bind or unbind request is for.
func addressOf(req tchttp.Request) []string {
	switch r := req.(type) {
	case *vpc.AssociateAddressRequest:
		return []string{deref(r.AddressId)}
	case *vpc.DisassociateAddressRequest:
		return []string{deref(r.AddressId)}
	}
	return nil
}

// requestTimeoutOf is the per-request timeout for cfg.
func requestTimeoutOf(cfg Config) time.Duration {
	if cfg.RequestTimeout > 0 {
		return cfg.RequestTimeout
	}
	return defaultRequestTimeout
}
