package emulator

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Signature v1: every parameter is in the GET query or a form POST body, and Signature
// is Base64(HMAC(SecretKey, Method + Host + Path + "?" + k1=v1&k2=v2…)) over the others,
// sorted by name, values not URL-encoded; HMAC-SHA256 for SignatureMethod HmacSHA256,
// else HMAC-SHA1.
const (
	signatureV1SHA1   = "HmacSHA1"
	signatureV1SHA256 = "HmacSHA256"
	// maxV1BodyBytes is the documented limit of a POST signed with v1.
	maxV1BodyBytes = 1 << 20
)

// v1CommonParams are the common parameters of signature v1: they are not parameters of
// the action.
var v1CommonParams = []string{"Action", "Version", "Region", "Timestamp", "Nonce", "SecretId",
	"Signature", "SignatureMethod", "Token", "Language", "RequestClient"}

// v1Request is what the v1 verifier looks at.
type v1Request struct {
	Method string
	Host   string // as received, port included: what the official SDKs sign
	Path   string
	Params url.Values
}

// verifyV1 authenticates a request signed with signature v1 and returns the SecretId it
// was signed with and its secret. now is real wall time.
func verifyV1(req v1Request, lookup secretLookup, now time.Time) (string, secret, *apiError) {
	for name, values := range req.Params {
		if len(values) != 1 {
			return "", secret{}, errorf(codeInvalidParameter, "The parameter `%s` appears %d times.", name, len(values))
		}
	}
	method := req.Params.Get("SignatureMethod")
	var newHash func() hash.Hash
	switch method {
	case "", signatureV1SHA1:
		newHash = sha1.New
	case signatureV1SHA256:
		newHash = sha256.New
	default:
		return "", secret{}, errorf(codeInvalidParameterValue, "`SignatureMethod` must be %s or %s, not %q.", signatureV1SHA1, signatureV1SHA256, method)
	}
	for _, name := range []string{"SecretId", "Timestamp", "Nonce"} {
		if req.Params.Get(name) == "" {
			return "", secret{}, missingParameter(name)
		}
	}
	timestamp, err := strconv.ParseInt(req.Params.Get("Timestamp"), 10, 64)
	if err != nil || timestamp < 0 {
		return "", secret{}, errorf(codeInvalidParameterValue, "`Timestamp` must be a Unix time in seconds.")
	}
	if _, err := strconv.ParseUint(req.Params.Get("Nonce"), 10, 64); err != nil {
		return "", secret{}, errorf(codeInvalidParameterValue, "`Nonce` must be a random non-negative integer.")
	}
	if skew := now.Sub(time.Unix(timestamp, 0)); skew > maxTimestampSkew || skew < -maxTimestampSkew {
		return "", secret{}, errorf(codeAuthSignatureExpire,
			"The request timestamp %d differs from the server time by more than five minutes; check the client clock.", timestamp)
	}
	cred, ok := lookup(req.Params.Get("SecretId"))
	if !ok {
		return "", secret{}, errorf(codeAuthSecretIDNotFound, "The SecretId does not exist.")
	}
	got, err := base64.StdEncoding.DecodeString(req.Params.Get("Signature"))
	if err != nil {
		return "", secret{}, errorf(codeAuthSignatureFailure, "The Signature parameter is not Base64.")
	}
	mac := hmac.New(newHash, []byte(cred.Key))
	mac.Write([]byte(v1StringToSign(req)))
	if !hmac.Equal(mac.Sum(nil), got) {
		return "", secret{}, errorf(codeAuthSignatureFailure,
			"The request signature does not match the one computed by the server; check the SecretKey and what was signed (method, Host %q, path %q, parameters).",
			req.Host, req.Path)
	}
	if aerr := checkToken(cred, req.Params.Get("Token"), "`Token`"); aerr != nil {
		return "", secret{}, aerr
	}
	return req.Params.Get("SecretId"), cred, nil
}

// v1StringToSign is Method + Host + Path + "?" + the sorted parameters but Signature.
func v1StringToSign(req v1Request) string {
	var pairs []string
	for _, name := range sortedKeys(req.Params) {
		if name != "Signature" {
			pairs = append(pairs, name+"="+req.Params.Get(name))
		}
	}
	return req.Method + req.Host + req.Path + "?" + strings.Join(pairs, "&")
}

// v1ActionParams are the request's parameters without the common ones.
func v1ActionParams(params url.Values) url.Values {
	out := url.Values{}
	for name, values := range params {
		if !slices.Contains(v1CommonParams, name) {
			out[name] = values
		}
	}
	return out
}
