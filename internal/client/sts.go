package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
)

// STS and the CVM metadata service, called through this client's registry
// (send) rather than the SDK's credential providers (common.RoleArnProvider,
// OIDCRoleArnProvider, CvmRoleProvider): those always call STS over HTTPS at
// sts.tencentcloudapi.com or their Endpoint host, and the metadata service at
// a constant URL, so that neither the endpoint argument nor a loopback
// emulator reaches them; RoleArnProvider sends no Policy or ExternalId; and a
// renewal that fails is only logged, the request then going out with expired
// credentials. Here the calls share the client's endpoint, retry policy,
// rate limits and error type, and renewal is the client's (credentials.go).

// Sessions: the API's default and maximum DurationSeconds.
const (
	DefaultSessionDuration = 7200 * time.Second
	MaxSessionDuration     = 43200 * time.Second
)

// AssumeRoleInput is an STS AssumeRole request.
type AssumeRoleInput struct {
	RoleArn     string
	SessionName string
	// Duration is rounded down to whole seconds; zero leaves the API's default.
	Duration time.Duration
	// Policy is a CAM policy document (JSON) that narrows the session; it is
	// URL-encoded on the wire, as the API wants.
	Policy     string
	ExternalID string
}

// stsCredentialsResponse is the reply of AssumeRole and
// AssumeRoleWithWebIdentity, as far as it is read.
type stsCredentialsResponse struct {
	Response *struct {
		Credentials *struct {
			Token        string
			TmpSecretId  string
			TmpSecretKey string
		}
		ExpiredTime int64
		RequestId   string
	}
}

// AssumeRole obtains temporary credentials of a role, signed with this
// client's credentials.
func (c *Client) AssumeRole(ctx context.Context, in AssumeRoleInput) (Credentials, error) {
	params := map[string]any{"RoleArn": in.RoleArn, "RoleSessionName": in.SessionName}
	if in.Duration > 0 {
		params["DurationSeconds"] = int64(in.Duration / time.Second)
	}
	if in.Policy != "" {
		params["Policy"] = url.QueryEscape(in.Policy)
	}
	if in.ExternalID != "" {
		params["ExternalId"] = in.ExternalID
	}
	return c.stsCredentials(ctx, "AssumeRole", params)
}

// WebIdentityInput is an STS AssumeRoleWithWebIdentity request.
type WebIdentityInput struct {
	ProviderID  string
	Token       string
	RoleArn     string
	SessionName string
	Duration    time.Duration
}

// AssumeRoleWithWebIdentity exchanges a web identity (OIDC) token for
// temporary credentials of a role. The call is not signed.
func (c *Client) AssumeRoleWithWebIdentity(ctx context.Context, in WebIdentityInput) (Credentials, error) {
	params := map[string]any{"ProviderId": in.ProviderID, "WebIdentityToken": in.Token,
		"RoleArn": in.RoleArn, "RoleSessionName": in.SessionName}
	if in.Duration > 0 {
		params["DurationSeconds"] = int64(in.Duration / time.Second)
	}
	return c.stsCredentials(ctx, "AssumeRoleWithWebIdentity", params)
}

func (c *Client) stsCredentials(ctx context.Context, action string, params map[string]any) (Credentials, error) {
	req := tchttp.NewCommonRequest(serviceSTS, versionSTS, action)
	if err := req.SetActionParameters(params); err != nil {
		return Credentials{}, toAPIError(action, err)
	}
	resp := tchttp.NewCommonResponse()
	if err := c.send(ctx, req, resp); err != nil {
		return Credentials{}, err
	}
	var reply stsCredentialsResponse
	if err := json.Unmarshal(resp.GetBody(), &reply); err != nil || reply.Response == nil || reply.Response.Credentials == nil {
		return Credentials{}, &APIError{Action: action, Code: CodeInvalidReply, Message: "the reply has no Credentials"}
	}
	r := reply.Response
	if r.Credentials.TmpSecretId == "" || r.Credentials.TmpSecretKey == "" || r.ExpiredTime <= 0 {
		return Credentials{}, &APIError{Action: action, Code: CodeInvalidReply, RequestID: r.RequestId,
			Message: "the reply's Credentials lack a key or an ExpiredTime"}
	}
	return Credentials{SecretID: r.Credentials.TmpSecretId, SecretKey: r.Credentials.TmpSecretKey,
		Token: r.Credentials.Token, Expires: time.Unix(r.ExpiredTime, 0)}, nil
}

// CallerIdentity is who the client's credentials belong to.
type CallerIdentity struct {
	AccountID   string
	Arn         string
	UserID      string
	PrincipalID string
	Type        string
}

// CallerIdentity asks STS who signs this client's requests.
func (c *Client) CallerIdentity(ctx context.Context) (*CallerIdentity, error) {
	req := tchttp.NewCommonRequest(serviceSTS, versionSTS, "GetCallerIdentity")
	resp := tchttp.NewCommonResponse()
	if err := c.send(ctx, req, resp); err != nil {
		return nil, err
	}
	var reply struct {
		Response *struct{ Arn, AccountId, UserId, PrincipalId, Type string }
	}
	if err := json.Unmarshal(resp.GetBody(), &reply); err != nil || reply.Response == nil || reply.Response.AccountId == "" {
		return nil, &APIError{Action: req.GetAction(), Code: CodeInvalidReply, Message: "the reply has no AccountId"}
	}
	r := reply.Response
	return &CallerIdentity{AccountID: r.AccountId, Arn: r.Arn, UserID: r.UserId, PrincipalID: r.PrincipalId, Type: r.Type}, nil
}

// Authenticate obtains the client's credentials now, when they come from a
// source that must be asked (STS, the metadata service), so that a source
// that fails is reported before any other call.
func (c *Client) Authenticate(ctx context.Context) error {
	if c.anonymous {
		return nil
	}
	return c.retry.run(ctx, c.clock, "credentials", false, func(ctx context.Context) (bool, error) {
		return false, c.cred.ensure(ctx)
	}, c.log)
}

// Renewals counts the credentials the client has obtained from its source
// (1 for a key; more once temporary credentials were renewed).
func (c *Client) Renewals() int {
	c.cred.mu.Lock()
	defer c.cred.mu.Unlock()
	return c.cred.renewals
}

// AssumeRoleSource gives credentials of a role, assumed with AssumeRole
// through Via, whose credentials sign the call (the credentials found before
// the role: a key, a profile, a CVM role).
type AssumeRoleSource struct {
	Via   *Client
	Input AssumeRoleInput
}

func (s *AssumeRoleSource) Retrieve(ctx context.Context) (Credentials, error) {
	return s.Via.AssumeRole(ctx, s.Input)
}

func (s *AssumeRoleSource) Name() string { return "AssumeRole of " + s.Input.RoleArn }

// Web identity token problems, before any call: the Code of the APIError.
const (
	CodeTokenFileUnreadable = "ClientError.WebIdentityTokenFile"
	CodeTokenMissing        = "ClientError.WebIdentityTokenMissing"
)

// WebIdentitySource gives credentials of a role for a web identity token:
// Token, or the content of TokenFile, read again at every renewal because CI
// systems and TKE rotate the file.
type WebIdentitySource struct {
	Via       *Client // an anonymous client will do: the call is unsigned
	Input     WebIdentityInput
	TokenFile string
}

func (s *WebIdentitySource) Retrieve(ctx context.Context) (Credentials, error) {
	in := s.Input
	if s.TokenFile != "" {
		b, err := os.ReadFile(s.TokenFile)
		if err != nil {
			return Credentials{}, &APIError{Action: "AssumeRoleWithWebIdentity", Code: CodeTokenFileUnreadable,
				Message: fmt.Sprintf("the web identity token file %s cannot be read: %v", s.TokenFile, unwrapPathError(err)), Cause: err}
		}
		in.Token = strings.TrimSpace(string(b))
		if in.Token == "" {
			return Credentials{}, &APIError{Action: "AssumeRoleWithWebIdentity", Code: CodeTokenMissing,
				Message: fmt.Sprintf("the web identity token file %s is empty", s.TokenFile)}
		}
	}
	if in.Token == "" {
		return Credentials{}, &APIError{Action: "AssumeRoleWithWebIdentity", Code: CodeTokenMissing, Message: "no web identity token was given"}
	}
	return s.Via.AssumeRoleWithWebIdentity(ctx, in)
}

func (s *WebIdentitySource) Name() string {
	return "AssumeRoleWithWebIdentity of " + s.Input.RoleArn
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// DefaultMetadataEndpoint is the CVM instance metadata service.
const DefaultMetadataEndpoint = "http://metadata.tencentyun.com"

// metadataRolePath is where the metadata service serves a CAM role's
// temporary credentials.
const metadataRolePath = "/latest/meta-data/cam/security-credentials/"

// Metadata service problems: the Code of the APIError.
const (
	CodeRoleNotAttached     = "ClientError.CVMRoleNotAttached"
	CodeMetadataUnreachable = "ClientError.MetadataUnreachable"
)

// CVMRoleSource gives the credentials of the CAM role attached to the CVM
// instance this runs on, from the metadata service at Endpoint (its root URL;
// empty is DefaultMetadataEndpoint). Via's HTTP transport, clock and retry
// policy are used; the metadata service is not an API action.
type CVMRoleSource struct {
	Via      *Client
	Endpoint string
	Role     string
	HTTP     *http.Client // nil: a client with Via's request timeout
}

func (s *CVMRoleSource) Name() string { return "the CVM metadata service (role " + s.Role + ")" }

func (s *CVMRoleSource) Retrieve(ctx context.Context) (Credentials, error) {
	endpoint := strings.TrimSuffix(s.Endpoint, "/")
	if endpoint == "" {
		endpoint = DefaultMetadataEndpoint
	}
	u := endpoint + metadataRolePath + url.PathEscape(s.Role)
	hc := s.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: s.Via.requestTimeout}
	}
	const action = "metadata"
	var got Credentials
	err := s.Via.retry.run(ctx, s.Via.clock, action, false, func(ctx context.Context) (bool, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return false, &APIError{Action: action, Code: CodeMetadataUnreachable, Message: err.Error()}
		}
		resp, err := hc.Do(req)
		if err != nil {
			// Not retried: off a CVM instance nothing answers, and waiting a
			// minute to say so helps no one.
			return true, &APIError{Action: action, Code: CodeMetadataUnreachable, Cause: err,
				Message: truncate("the metadata service at " + endpoint + " did not answer: " + err.Error())}
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		switch {
		case resp.StatusCode == http.StatusNotFound:
			return true, &APIError{Action: action, Code: CodeRoleNotAttached,
				Message: fmt.Sprintf("the metadata service at %s has no role %s: no such CAM role is attached to this instance", endpoint, s.Role)}
		case resp.StatusCode != http.StatusOK:
			return true, &APIError{Action: action, Code: CodeHTTPStatus, HTTPStatus: resp.StatusCode,
				Message: fmt.Sprintf("the metadata service at %s answered HTTP %d", endpoint, resp.StatusCode)}
		}
		var reply struct {
			TmpSecretId, TmpSecretKey, Token, Code string
			ExpiredTime                            int64
		}
		if json.Unmarshal(body, &reply) != nil || reply.Code != "Success" || reply.TmpSecretId == "" || reply.TmpSecretKey == "" {
			return true, &APIError{Action: action, Code: CodeInvalidReply,
				Message: fmt.Sprintf("the metadata service at %s answered with no credentials for role %s", endpoint, s.Role)}
		}
		got = Credentials{SecretID: reply.TmpSecretId, SecretKey: reply.TmpSecretKey, Token: reply.Token}
		if reply.ExpiredTime > 0 {
			got.Expires = time.Unix(reply.ExpiredTime, 0)
		}
		return true, nil
	}, s.Via.log)
	return got, err
}
