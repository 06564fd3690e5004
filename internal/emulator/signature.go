package emulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	tc3Algorithm      = "TC3-HMAC-SHA256"
	tc3Terminator     = "tc3_request"
	authorizationSkip = "SKIP" // the Authorization of an unsigned request
	unsignedPayload   = "UNSIGNED-PAYLOAD"
	maxTimestampSkew  = 300 * time.Second
	headerTimestamp   = "X-TC-Timestamp"
	headerToken       = "X-TC-Token"
	headerContentHash = "X-TC-Content-SHA256"
)

// signedRequest is what the TC3 verifier looks at: the request as received.
type signedRequest struct {
	Method   string
	Host     string // as received, port included
	RawQuery string // for GET the canonical query string is the raw query as the client built it
	Header   http.Header
	Body     []byte
}

// canonicalQuery is the CanonicalQueryString: the query as sent for GET, and for POST
// always the empty string (the parameters are in the body).
func (r signedRequest) canonicalQuery() string {
	if r.Method == http.MethodPost {
		return ""
	}
	return r.RawQuery
}

// signedHosts are the host header values a signature may cover: the Go SDK signs the Host
// as sent, the Node.js SDK without the port. On the real endpoint's default port they
// are one string, so the emulator (on another port) accepts both.
func signedHosts(host string) []string {
	if name := hostWithoutPort(host); name != host && name != "" {
		return []string{host, name}
	}
	return []string{host}
}

// hostWithoutPort is the host name of a Host header value ("[::1]:80" -> "[::1]").
func hostWithoutPort(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		if strings.Contains(h, ":") {
			return "[" + h + "]"
		}
		return h
	}
	return host
}

// tc3Authorization is a parsed Authorization header.
type tc3Authorization struct {
	SecretID      string
	Date          string
	Service       string
	SignedHeaders []string
	Signature     string
}

// verifyTC3 authenticates a request signed with TC3-HMAC-SHA256 and returns the SecretId
// and its secret. now is real wall time, as clients sign with theirs (the expiry of a
// temporary credential, on the emulator clock, comes with the secret). scopes are the
// service names the credential scope may carry.
func verifyTC3(req signedRequest, lookup secretLookup, now time.Time, scopes []string) (string, secret, *apiError) {
	auth, aerr := parseTC3Authorization(req.Header.Get("Authorization"))
	if aerr != nil {
		return "", secret{}, aerr
	}

	rawTimestamp := req.Header.Get(headerTimestamp)
	if rawTimestamp == "" {
		return "", secret{}, missingParameter(headerTimestamp)
	}
	timestamp, err := strconv.ParseInt(rawTimestamp, 10, 64)
	if err != nil || timestamp < 0 {
		return "", secret{}, errorf(codeInvalidParameterValue, "%s must be a Unix time in seconds.", headerTimestamp)
	}
	signedAt := time.Unix(timestamp, 0).UTC()
	if skew := now.Sub(signedAt); skew > maxTimestampSkew || skew < -maxTimestampSkew {
		return "", secret{}, errorf(codeAuthSignatureExpire,
			"The request timestamp %d differs from the server time by more than five minutes; check the client clock.", timestamp)
	}
	if auth.Date != signedAt.Format(time.DateOnly) {
		return "", secret{}, errorf(codeAuthSignatureFailure,
			"The credential scope date %s does not match the UTC date of %s (%s).", auth.Date, headerTimestamp, signedAt.Format(time.DateOnly))
	}
	if !slices.Contains(scopes, auth.Service) {
		return "", secret{}, errorf(codeAuthSignatureFailure,
			"The credential scope names service %q; this request must be signed for %s.", auth.Service, strings.Join(scopes, " or "))
	}

	cred, ok := lookup(auth.SecretID)
	if !ok {
		return "", secret{}, errorf(codeAuthSecretIDNotFound, "The SecretId in the Authorization credential does not exist.")
	}

	if !signatureMatches(req, auth, rawTimestamp, cred.Key) {
		return "", secret{}, errorf(codeAuthSignatureFailure,
			"The request signature does not match the one computed by the server; check the SecretKey and what was signed (method, Host %q, signed headers %s, payload).",
			req.Host, strings.Join(auth.SignedHeaders, ";"))
	}

	if aerr := checkToken(cred, req.Header.Get(headerToken), headerToken); aerr != nil {
		return "", secret{}, aerr
	}
	return auth.SecretID, cred, nil
}

// checkToken applies the rules of temporary credentials (AuthFailure.TokenFailure, the
// only token code): the token must be sent, must be the credential's own, and the
// credential must not have expired. A permanent key needs no token.
func checkToken(cred secret, sent, where string) *apiError {
	if cred.Token == "" {
		return nil
	}
	switch {
	case sent == "":
		return errorf(codeAuthTokenFailure, "This credential is temporary: the request must carry its security token in %s.", where)
	case subtle.ConstantTimeCompare([]byte(sent), []byte(cred.Token)) != 1:
		return errorf(codeAuthTokenFailure, "The security token in %s does not belong to this credential.", where)
	case cred.Expired:
		return errorf(codeAuthTokenFailure, "The temporary credential has expired; request a new one.")
	}
	return nil
}

// parseTC3Authorization parses
// "TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request, SignedHeaders=a;b, Signature=HEX".
func parseTC3Authorization(header string) (tc3Authorization, *apiError) {
	invalid := func(why string) (tc3Authorization, *apiError) {
		return tc3Authorization{}, errorf(codeAuthInvalidAuthorization, "The Authorization header is invalid: %s.", why)
	}
	if header == "" {
		return invalid("it is missing")
	}
	algorithm, rest, ok := strings.Cut(header, " ")
	if !ok || algorithm != tc3Algorithm {
		return invalid("it must start with " + tc3Algorithm + " (signature v1 goes in the Signature parameter, not in this header)")
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		key, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return invalid("each part must be Key=Value")
		}
		switch key {
		case "Credential", "SignedHeaders", "Signature":
		default:
			return invalid("unexpected part " + strconv.Quote(key))
		}
		if _, dup := fields[key]; dup {
			return invalid(key + " appears twice")
		}
		fields[key] = value
	}
	var auth tc3Authorization

	scope := strings.Split(fields["Credential"], "/")
	if len(scope) != 4 || scope[0] == "" || scope[3] != tc3Terminator {
		return invalid("Credential must be SecretId/Date/Service/" + tc3Terminator)
	}
	if _, err := time.Parse(time.DateOnly, scope[1]); err != nil {
		return invalid("the Credential date must be YYYY-MM-DD")
	}
	auth.SecretID, auth.Date, auth.Service = scope[0], scope[1], scope[2]

	names := fields["SignedHeaders"]
	if names == "" {
		return invalid("SignedHeaders is missing")
	}
	seen := map[string]bool{}
	for _, name := range strings.Split(names, ";") {
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" || seen[name] {
			return invalid("SignedHeaders must list distinct header names separated by ';'")
		}
		seen[name] = true
		auth.SignedHeaders = append(auth.SignedHeaders, name)
	}
	if !seen["content-type"] || !seen["host"] {
		return invalid("SignedHeaders must include content-type and host")
	}

	auth.Signature = fields["Signature"]
	if len(auth.Signature) != sha256.Size*2 || strings.ToLower(auth.Signature) != auth.Signature {
		return invalid("Signature must be 64 lowercase hex digits")
	}
	if _, err := hex.DecodeString(auth.Signature); err != nil {
		return invalid("Signature must be 64 lowercase hex digits")
	}
	return auth, nil
}

// signatureMatches recomputes the signature. Header values are used as received (that is
// what the official SDKs sign); the documentation says values are lowercased, so a
// signature over lowercased values is accepted too. The host is one of signedHosts.
func signatureMatches(req signedRequest, auth tc3Authorization, timestamp, secretKey string) bool {
	for _, host := range signedHosts(req.Host) {
		for _, lower := range []bool{false, true} {
			canonical, changed := canonicalRequest(req, host, auth.SignedHeaders, lower)
			if lower && !changed {
				break // the lowercased form is the same string: nothing new to try
			}
			want := tc3Signature(secretKey, auth.Date, auth.Service, timestamp, canonical)
			if hmac.Equal([]byte(want), []byte(auth.Signature)) {
				return true
			}
		}
	}
	return false
}

// canonicalRequest builds the TC3 canonical request with the given host. changed
// reports whether lowercasing the header values altered anything.
func canonicalRequest(req signedRequest, host string, signedHeaders []string, lowerValues bool) (canonical string, changed bool) {
	var headers strings.Builder
	for _, name := range signedHeaders {
		value := req.Header.Get(name)
		if name == "host" {
			value = host
		}
		value = strings.TrimSpace(value)
		if lowerValues {
			lowered := strings.ToLower(value)
			changed = changed || lowered != value
			value = lowered
		}
		headers.WriteString(name + ":" + value + "\n")
	}
	payloadHash := sha256Hex(req.Body)
	if req.Header.Get(headerContentHash) == unsignedPayload {
		payloadHash = sha256Hex([]byte(unsignedPayload))
	}
	canonical = req.Method + "\n/\n" + req.canonicalQuery() + "\n" + headers.String() + "\n" +
		strings.Join(signedHeaders, ";") + "\n" + payloadHash
	return canonical, changed
}

func tc3Signature(secretKey, date, service, timestamp, canonical string) string {
	kDate := hmacSHA256([]byte("TC3"+secretKey), date)
	kService := hmacSHA256(kDate, service)
	kSigning := hmacSHA256(kService, tc3Terminator)
	stringToSign := tc3Algorithm + "\n" + timestamp + "\n" + date + "/" + service + "/" + tc3Terminator + "\n" +
		sha256Hex([]byte(canonical))
	return hex.EncodeToString(hmacSHA256(kSigning, stringToSign))
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
