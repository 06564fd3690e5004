package emulator

import (
	"cmp"
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// defaultTokenTTL is how long a minted web identity token lasts when the request names
// no ttl.
const defaultTokenTTL = time.Hour

// defaultTokenSubject is the sub of a minted token when the request names none.
const defaultTokenSubject = "system:serviceaccount:default:terraform"

// WebIdentityTokenRequest asks the emulator, as an OIDC issuer, for a web identity token
// (POST /_emulator/oidc/token). Every field is optional.
type WebIdentityTokenRequest struct {
	// TTL is how long the token is valid (default 1h) on the emulator clock.
	TTL Duration `json:"ttl,omitempty"`
	// Provider is the ProviderId (default OIDC), of the first account unless Account
	// names another.
	Provider string `json:"provider,omitempty"`
	Account  string `json:"account,omitempty"`
	// Subject is the sub claim (default system:serviceaccount:default:terraform).
	Subject string `json:"subject,omitempty"`
	// Audience is the aud claim (default the provider's first client id).
	Audience string `json:"audience,omitempty"`
}

// webIdentityClaims are the claims of a minted token.
type webIdentityClaims struct {
	Issuer    string `json:"iss"`
	Subject   string `json:"sub"`
	Audience  string `json:"aud,omitempty"`
	IssuedAt  int64  `json:"iat"`
	ExpiresAt int64  `json:"exp"`
}

type jwtHeader struct {
	Alg string `json:"alg"`
	Typ string `json:"typ"`
	Kid string `json:"kid,omitempty"`
}

// WebIdentityToken mints a web identity token that AssumeRoleWithWebIdentity accepts for
// the provider until it expires: an HS256 JWT signed with the provider's signing key,
// whose iss is the provider's issuer.
func (e *Emulator) WebIdentityToken(req WebIdentityTokenRequest) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.clock()
	if req.TTL < 0 {
		return "", fmt.Errorf("ttl must be positive: %w", ErrBadRequest)
	}
	ttl := cmp.Or(time.Duration(req.TTL), defaultTokenTTL)
	account := cmp.Or(req.Account, e.world.Accounts[0].AccountID)
	id := cmp.Or(req.Provider, DefaultOIDCProviderID)
	p := e.world.oidcProvider(account, id)
	if p == nil {
		return "", fmt.Errorf("OIDC provider %s of account %s: %w", id, account, ErrNotFound)
	}
	claims := webIdentityClaims{Issuer: p.Issuer, Subject: req.Subject, Audience: req.Audience,
		IssuedAt: now.Unix(), ExpiresAt: now.Add(ttl).Unix()}
	claims.Subject = cmp.Or(claims.Subject, defaultTokenSubject)
	if claims.Audience == "" && len(p.ClientIDs) > 0 {
		claims.Audience = p.ClientIDs[0]
	}
	return signJWT(p.SigningKey, jwtHeader{Alg: "HS256", Typ: "JWT", Kid: p.ProviderID}, claims), nil
}

func signJWT(key string, header jwtHeader, claims webIdentityClaims) string {
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	signed := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	return signed + "." + base64.RawURLEncoding.EncodeToString(hmacSHA256([]byte(key), signed))
}

// verifyWebIdentityToken checks a token for the provider at now: an HS256 JWT with the
// provider's signature, issuer and (when it lists client ids) audience, not expired.
func verifyWebIdentityToken(p *OIDCProvider, token string, now time.Time) (webIdentityClaims, error) {
	var claims webIdentityClaims
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return claims, errors.New("it is not a JWT (header.payload.signature)")
	}
	var header jwtHeader
	if err := decodeJWTPart(parts[0], &header); err != nil {
		return claims, fmt.Errorf("its header: %w", err)
	}
	if header.Alg != "HS256" {
		return claims, fmt.Errorf("its algorithm %q is not the provider's (HS256)", header.Alg)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, hmacSHA256([]byte(p.SigningKey), parts[0]+"."+parts[1])) {
		return claims, errors.New("its signature is not the provider's")
	}
	if err := decodeJWTPart(parts[1], &claims); err != nil {
		return claims, fmt.Errorf("its claims: %w", err)
	}
	switch {
	case claims.Issuer != p.Issuer:
		return claims, fmt.Errorf("its issuer %q is not the provider's", claims.Issuer)
	case len(p.ClientIDs) > 0 && !slices.Contains(p.ClientIDs, claims.Audience):
		return claims, fmt.Errorf("its audience %q is not a client id of the provider", claims.Audience)
	case !now.Before(time.Unix(claims.ExpiresAt, 0)):
		return claims, fmt.Errorf("it expired at %s", time.Unix(claims.ExpiresAt, 0).UTC().Format(time.RFC3339))
	}
	return claims, nil
}

func decodeJWTPart(part string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return errors.New("not base64url")
	}
	if err := json.Unmarshal(b, v); err != nil {
		return errors.New("not JSON")
	}
	return nil
}
