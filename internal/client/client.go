// Package client is a small typed client for the Tencent Cloud API actions
// the provider calls, over the official SDK. It owns everything between a
// caller and the wire: the registry of actions (actions.go), one error type,
// one retry policy, rate limiting, waiting for asynchronous tasks, and
// batched reads of addresses. It knows nothing of Terraform.
package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	vpc "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc/v20170312"
	"golang.org/x/time/rate"
)

const (
	defaultRequestTimeout = 30 * time.Second
	// DefaultEndpoint describes where calls go without an endpoint: each
	// service's own domain, such as vpc.tencentcloudapi.com.
	DefaultEndpoint     = "https://<service>.tencentcloudapi.com"
	rootDomain          = "tencentcloudapi.com"
	requestClientPrefix = "terraform-provider-qcloud_"
)

// LogFunc receives the client's structured log lines. Fields never hold
// credentials.
type LogFunc func(ctx context.Context, msg string, fields map[string]any)

// Config is everything the client needs; the caller resolves credentials.
type Config struct {
	// SecretID, SecretKey and SecurityToken are a key known beforehand.
	SecretID      string
	SecretKey     string
	SecurityToken string
	// Credentials, in place of the three fields above, is where the client
	// gets credentials from, renewing temporary ones before they expire.
	Credentials CredentialSource
	// Anonymous clients have no credentials: they send only the actions that
	// are not signed (AssumeRoleWithWebIdentity).
	Anonymous bool
	Region    string
	// Endpoint is one URL every service is called at (an emulator, a proxy).
	// Empty means each service's own domain; a URL whose host is a service's
	// domain, such as https://vpc.ap-guangzhou.tencentcloudapi.com, names
	// that domain's siblings for the other services.
	Endpoint string
	// Version is the provider's version, sent in the request-client header.
	Version string
	// RateLimit: a zero field keeps the documented per-action rates.
	RateLimit RateLimit
	// RequestTimeout bounds one HTTP round trip; zero means 30 s.
	RequestTimeout time.Duration
	// HTTPTransport replaces the SDK's transport (tests, proxies); nil keeps it.
	HTTPTransport http.RoundTripper
	// Clock replaces the wall clock (tests).
	Clock Clock
	Log   LogFunc
}

// Client is safe for concurrent use.
type Client struct {
	sdk            *common.Client
	cred           *credential
	anonymous      bool
	region         string
	endpoint       string
	rateLimit      RateLimit
	requestTimeout time.Duration
	retry          retryPolicy
	clock          Clock
	log            LogFunc

	pacersMu sync.Mutex
	pacers   map[string]*rate.Limiter

	reads      *addressReader
	interfaces *lookupCache[NetworkInterface]
	instances  *lookupCache[Instance]
}

// New builds a client. It makes no network call.
func New(cfg Config) (*Client, error) {
	switch {
	case cfg.Credentials != nil && (cfg.SecretID != "" || cfg.SecretKey != "" || cfg.SecurityToken != "" || cfg.Anonymous):
		return nil, fmt.Errorf("credentials are given twice: a source and a key (or anonymous)")
	case cfg.Credentials == nil && !cfg.Anonymous && (cfg.SecretID == "" || cfg.SecretKey == ""):
		return nil, fmt.Errorf("a secret ID and a secret key are required")
	}
	if cfg.Region == "" {
		return nil, fmt.Errorf("a region is required")
	}
	cpf := profile.NewClientProfile()
	cpf.Language = "en-US"
	cpf.HttpProfile.ReqTimeout = int((requestTimeoutOf(cfg) + time.Second - 1) / time.Second)
	endpoint := DefaultEndpoint
	if cfg.Endpoint != "" {
		u, err := url.Parse(cfg.Endpoint)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, fmt.Errorf("endpoint %q is not an http(s) URL with a host", cfg.Endpoint)
		}
		cpf.HttpProfile.Scheme = strings.ToUpper(u.Scheme)
		if service, root, ok := strings.Cut(u.Hostname(), "."); ok && u.Port() == "" && strings.HasSuffix(root, rootDomain) && actionsOfService(service) {
			cpf.HttpProfile.RootDomain = root
		} else {
			cpf.HttpProfile.Endpoint = u.Host + strings.TrimSuffix(u.Path, "/")
		}
		endpoint = u.Scheme + "://" + u.Host + strings.TrimSuffix(u.Path, "/")
	}

	log := cfg.Log
	if log == nil {
		log = func(context.Context, string, map[string]any) {}
	}
	clock := cfg.Clock
	if clock == nil {
		clock = RealClock{}
	}
	source := cfg.Credentials
	if source == nil {
		source = StaticCredentials{Source: "the configured key",
			Credentials: Credentials{SecretID: cfg.SecretID, SecretKey: cfg.SecretKey, Token: cfg.SecurityToken}}
	}
	cred := newCredential(source, clock, log)
	// The VPC client is a common client with the VPC defaults; it sends any
	// service's request (send checks it is a registered action).
	sdk, err := vpc.NewClient(cred, cfg.Region, cpf)
	if err != nil {
		return nil, fmt.Errorf("building the API client: %w", err)
	}
	transport := cfg.HTTPTransport
	if transport == nil {
		transport = http.DefaultTransport
		if base, ok := http.DefaultTransport.(*http.Transport); ok {
			own := base.Clone()
			own.IdleConnTimeout = 30 * time.Second // as the SDK's own
			transport = own
		}
	}
	sdk.WithHttpTransport(statusRecorder{next: transport})
	sdk.WithRequestClient(requestClientPrefix + sanitizeVersion(cfg.Version))

	c := &Client{
		sdk:            &sdk.Client,
		cred:           cred,
		anonymous:      cfg.Anonymous,
		region:         cfg.Region,
		endpoint:       endpoint,
		rateLimit:      cfg.RateLimit,
		requestTimeout: requestTimeoutOf(cfg),
		retry:          defaultRetryPolicy,
		clock:          clock,
		log:            log,
		pacers:         map[string]*rate.Limiter{},
	}
	c.reads = newAddressReader(c)
	c.interfaces = newLookupCache(c, "DescribeNetworkInterfaces", c.describeNetworkInterfaces, func(id string) error {
		return notFound("DescribeNetworkInterfaces", CodeInterfaceNotFound, "the network interface "+id)
	})
	c.interfaces.listPage = c.listNetworkInterfaces
	c.instances = newLookupCache(c, "DescribeInstances", c.describeInstances, func(id string) error {
		return notFound("DescribeInstances", CodeInstanceNotFound, "the instance "+id)
	})
	return c, nil
}

// Region is the region every call goes to.
func (c *Client) Region() string { return c.region }

// Endpoint is where calls go, for messages.
func (c *Client) Endpoint() string { return c.endpoint }

// actionsOfService reports whether a registered action belongs to service.
func actionsOfService(service string) bool {
	for _, a := range actions {
		if a.service == service {
			return true
		}
	}
	return false
}

// sanitizeVersion keeps the characters the SDK allows in its request-client
// header ([0-9a-zA-Z-_ ,;.]); it drops the whole value otherwise.
func sanitizeVersion(v string) string {
	if v == "" {
		return "dev"
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', strings.ContainsRune("-_.", r):
			return r
		}
		return '_'
	}, v)
}

// replyStatus receives the HTTP status of an attempt's reply: the SDK reports
// a reply that is not an API answer (a proxy's 404 page, a gateway's 502)
// without it, and the retry policy needs it.
type replyStatus struct{ code int }

type replyStatusKey struct{}

func withReplyStatus(ctx context.Context, s *replyStatus) context.Context {
	return context.WithValue(ctx, replyStatusKey{}, s)
}

// statusRecorder notes each reply's status in its attempt's replyStatus.
type statusRecorder struct{ next http.RoundTripper }

func (t statusRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if s, ok := r.Context().Value(replyStatusKey{}).(*replyStatus); ok && resp != nil {
		s.code = resp.StatusCode
	}
	return resp, err
}
