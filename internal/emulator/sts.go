package emulator

import (
	"cmp"
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Documented limits of STS AssumeRole (cloud.tencent.com/document/product/598/33164,
// tencentcloud.com/document/product/1150/49456).
const (
	maxSessionTags   = 50
	maxTagKeyChars   = 128
	maxTagValueChars = 256
	// maxPolicyBytes bounds the URL-decoded Policy. The size is not documented (the
	// codes PolicyTooLong and ExtendStrategyOverSize are): the emulator's choice.
	maxPolicyBytes = 6144
)

var (
	// sessionNamePattern: AssumeRole RoleSessionName, 2-128 of letters, digits and
	// +=,.@_- (the documented regular expression [\w+=,.@_-]*).
	sessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]{2,128}$`)
	// roleArnPattern: qcs::cam::uin/<uin>:role/<id>, :roleName/<name>, and the service
	// role forms :role/tencentcloudServiceRole/<id>, :role/tencentcloudServiceRoleName/<name>.
	roleArnPattern = regexp.MustCompile(`^qcs::cam::uin/([0-9]{5,20}):(role|roleName)/(.+)$`)
	// mfaSerialPattern: qcs::cam:uin/<ownerUin>::mfa/<type>.
	mfaSerialPattern = regexp.MustCompile(`^qcs::cam:uin/([0-9]{5,20})::mfa/(.+)$`)
)

// roleRef is a parsed role ARN: a role of an account by id or by name.
type roleRef struct {
	accountID, roleID, roleName string
	service                     bool
}

func parseRoleArn(arn string) (roleRef, bool) {
	m := roleArnPattern.FindStringSubmatch(arn)
	if m == nil {
		return roleRef{}, false
	}
	ref := roleRef{accountID: m[1]}
	rest := m[3]
	switch {
	case m[2] == "roleName":
		ref.roleName = rest
	case strings.HasPrefix(rest, "tencentcloudServiceRoleName/"):
		ref.roleName, ref.service = strings.TrimPrefix(rest, "tencentcloudServiceRoleName/"), true
	case strings.HasPrefix(rest, "tencentcloudServiceRole/"):
		ref.roleID, ref.service = strings.TrimPrefix(rest, "tencentcloudServiceRole/"), true
	default:
		ref.roleID = rest
	}
	if ref.roleName != "" && !roleNamePattern.MatchString(ref.roleName) {
		return roleRef{}, false
	}
	if ref.roleName == "" && !roleIDPattern.MatchString(ref.roleID) {
		return roleRef{}, false
	}
	return ref, true
}

// resolve finds the role the ARN names.
func (ref roleRef) resolve(w *World) *Role {
	var r *Role
	if ref.roleName != "" {
		r = w.roleByName(ref.accountID, ref.roleName)
	} else {
		r = w.roleByID(ref.accountID, ref.roleID)
	}
	if r == nil || r.ServiceRole != ref.service {
		return nil
	}
	return r
}

// maxDuration is the longest session the role grants, in seconds.
func (r *Role) maxDuration() int64 {
	if r.SessionDuration > 0 {
		return r.SessionDuration
	}
	return maxSessionSeconds
}

// credentialsView is the documented Credentials structure.
type credentialsView struct {
	Token        string
	TmpSecretId  string
	TmpSecretKey string
}

// assumeRoleResponse is the response of AssumeRole and AssumeRoleWithWebIdentity:
// ExpiredTime is a JSON number (Unix seconds), Expiration RFC 3339 in UTC.
type assumeRoleResponse struct {
	Credentials credentialsView
	ExpiredTime int64
	Expiration  string
}

func sessionResponse(s *Session) assumeRoleResponse {
	return assumeRoleResponse{
		Credentials: credentialsView{Token: s.Token, TmpSecretId: s.TmpSecretID, TmpSecretKey: s.TmpSecretKey},
		ExpiredTime: s.ExpiresAt.Unix(),
		Expiration:  s.ExpiresAt.UTC().Format(time.RFC3339),
	}
}

func paramError(format string, args ...any) *apiError {
	return errorf(codeParamError, format, args...)
}

// assumeRole follows the rule list of the STS reference (section 6.5), in this order:
// required parameters, their shapes, the policy, MFA, the role, its session length,
// then trust and the external id.
func (c *actionContext) assumeRole(req *assumeRoleRequest) (any, *apiError) {
	arn, sessionName := deref(req.RoleArn), deref(req.RoleSessionName)
	switch {
	case arn == "":
		return nil, missingParameter("RoleArn")
	case sessionName == "":
		return nil, missingParameter("RoleSessionName")
	case !sessionNamePattern.MatchString(sessionName):
		return nil, paramError("`RoleSessionName` %q must be 2 to 128 letters, digits or +=,.@_-.", sessionName)
	}
	ref, ok := parseRoleArn(arn)
	if !ok {
		return nil, paramError("`RoleArn` %q is not a role ARN (qcs::cam::uin/<uin>:roleName/<name> or qcs::cam::uin/<uin>:role/<roleId>).", arn)
	}
	duration := int64(defaultSessionSeconds)
	if req.DurationSeconds != nil {
		if *req.DurationSeconds > maxSessionSeconds {
			return nil, errorf(codeOverTimeError, "`DurationSeconds` %d exceeds the maximum of %d seconds.", *req.DurationSeconds, maxSessionSeconds)
		}
		if *req.DurationSeconds == 0 {
			return nil, paramError("`DurationSeconds` must be at least 1 second.")
		}
		duration = int64(*req.DurationSeconds)
	}
	if id := deref(req.ExternalId); req.ExternalId != nil && !externalIDPattern.MatchString(id) {
		return nil, paramError("`ExternalId` %q must be 2 to 128 letters, digits or =,.@:/_-.", id)
	}
	if aerr := checkSessionTags(req.Tags); aerr != nil {
		return nil, aerr
	}
	if req.Policy != nil {
		if aerr := checkSessionPolicy(*req.Policy); aerr != nil {
			return nil, aerr
		}
	}
	if req.SerialNumber != nil || req.TokenCode != nil {
		if aerr := checkMFA(deref(req.SerialNumber)); aerr != nil {
			return nil, aerr
		}
	}

	w := c.e.world // roles are global, whatever the region
	role := ref.resolve(w)
	if role == nil {
		return nil, errorf(codeRoleNotFound, "The role %s does not exist.", arn)
	}
	if duration > role.maxDuration() {
		return nil, errorf(codeOverTimeError, "`DurationSeconds` %d exceeds the role's maximum session duration of %d seconds.", duration, role.maxDuration())
	}
	who, _ := w.callerOf(c.secretID)
	if !slices.Contains(role.TrustedAccounts, who.accountID()) {
		return nil, errorf(codeUnauthorizedOperation, "The role %s does not trust account %s: it may not assume the role.", role.RoleName, who.accountID())
	}
	if role.ExternalID != "" && deref(req.ExternalId) != role.ExternalID {
		return nil, errorf(codeUnauthorizedOperation, "The role %s requires its external id: `ExternalId` is missing or does not match.", role.RoleName)
	}
	s := c.e.issueSession(c.now, Session{
		Kind: SessionAssumeRole, AccountID: role.AccountID, RoleID: role.RoleID, RoleName: role.RoleName,
		SessionName: sessionName, PrincipalID: who.uin(),
	}, time.Duration(duration)*time.Second)
	return sessionResponse(s), nil
}

func checkSessionTags(tags []sessionTag) *apiError {
	if len(tags) > maxSessionTags {
		return paramError("`Tags` holds %d tags; at most %d are allowed.", len(tags), maxSessionTags)
	}
	seen := map[string]bool{}
	for i, t := range tags {
		key, value := deref(t.Key), deref(t.Value)
		switch {
		case t.Key == nil || key == "":
			return paramError("`Tags.%d.Key` is required.", i)
		case t.Value == nil:
			return paramError("`Tags.%d.Value` is required.", i)
		case len([]rune(key)) > maxTagKeyChars:
			return paramError("`Tags.%d.Key` is longer than %d characters.", i, maxTagKeyChars)
		case len([]rune(value)) > maxTagValueChars:
			return paramError("`Tags.%d.Value` is longer than %d characters.", i, maxTagValueChars)
		case seen[key]:
			return paramError("`Tags` holds the key %q twice.", key)
		}
		seen[key] = true
	}
	return nil
}

// checkSessionPolicy checks an AssumeRole Policy: URL-encoded (the server decodes it),
// CAM policy syntax (version 2.0, statements with effect, action and resource), and no
// principal element.
func checkSessionPolicy(encoded string) *apiError {
	decoded, err := url.QueryUnescape(encoded)
	if err != nil {
		return errorf(codeStrategyFormatError, "`Policy` is not URL-encoded: %v.", err)
	}
	if len(decoded) > maxPolicyBytes {
		return errorf(codePolicyTooLong, "`Policy` is %d bytes once decoded; at most %d are accepted.", len(decoded), maxPolicyBytes)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(decoded), &doc); err != nil || doc == nil {
		return errorf(codeStrategyFormatError, "`Policy` is not a JSON policy document.")
	}
	var version string
	if json.Unmarshal(doc["version"], &version) != nil || version != "2.0" {
		return errorf(codeStrategyFormatError, "`Policy` must have \"version\": \"2.0\".")
	}
	var statements []map[string]json.RawMessage
	if raw := doc["statement"]; json.Unmarshal(raw, &statements) != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(raw, &one) != nil || one == nil {
			return errorf(codeStrategyFormatError, "`Policy` must have a \"statement\" (an object or an array of objects).")
		}
		statements = []map[string]json.RawMessage{one}
	}
	if len(statements) == 0 {
		return errorf(codeStrategyFormatError, "`Policy` has no statement.")
	}
	for i, st := range statements {
		for key := range st {
			if strings.EqualFold(key, "principal") {
				return errorf(codeStrategyInvalid, "`Policy` statement %d has a principal element, which a session policy may not have.", i)
			}
		}
		var effect string
		if json.Unmarshal(st["effect"], &effect) != nil || (!strings.EqualFold(effect, "allow") && !strings.EqualFold(effect, "deny")) {
			return errorf(codeStrategyFormatError, "`Policy` statement %d needs \"effect\": \"allow\" or \"deny\".", i)
		}
		for _, field := range []string{"action", "resource"} {
			if !isStringOrStrings(st[field]) {
				return errorf(codeStrategyFormatError, "`Policy` statement %d needs %q: a string or an array of strings.", i, field)
			}
		}
	}
	return nil
}

func isStringOrStrings(raw json.RawMessage) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one != ""
	}
	var many []string
	return json.Unmarshal(raw, &many) == nil && len(many) > 0
}

// checkMFA: the only supported MFA type is softToken; the emulator models no MFA
// device, so a well-formed one fails its check.
func checkMFA(serial string) *apiError {
	m := mfaSerialPattern.FindStringSubmatch(serial)
	if m == nil {
		return paramError("`SerialNumber` %q is not an MFA device (qcs::cam:uin/<ownerUin>::mfa/softToken).", serial)
	}
	if m[2] != "softToken" {
		return errorf(codeMFATypeNotSupported, "The MFA type %q is not supported; only softToken is.", m[2])
	}
	return errorf(codeCheckMFAError, "The MFA check failed: the emulator has no MFA device %s.", serial)
}

// assumeRoleWithWebIdentity follows section 6.6 of the STS reference: required
// parameters, DurationSeconds, the role ARN, the token (WebIdentityTokenError for a
// bad, expired or foreign one), the role (InternalError.GetRoleError: this action lists
// no RoleNotFound), then trust.
func (c *actionContext) assumeRoleWithWebIdentity(req *assumeRoleWithWebIdentityRequest) (any, *apiError) {
	for _, p := range []struct {
		name  string
		value *string
	}{{"ProviderId", req.ProviderId}, {"WebIdentityToken", req.WebIdentityToken}, {"RoleArn", req.RoleArn}, {"RoleSessionName", req.RoleSessionName}} {
		if deref(p.value) == "" {
			return nil, missingParameter(p.name)
		}
	}
	duration := int64(defaultSessionSeconds)
	if req.DurationSeconds != nil {
		// This action lists no OverTimeError: a duration out of range is a parameter error.
		if *req.DurationSeconds > maxSessionSeconds || *req.DurationSeconds <= 0 {
			return nil, paramError("`DurationSeconds` must be 1 to %d seconds (got %d).", maxSessionSeconds, *req.DurationSeconds)
		}
		duration = *req.DurationSeconds
	}
	arn := *req.RoleArn
	ref, ok := parseRoleArn(arn)
	if !ok {
		return nil, paramError("`RoleArn` %q is not a role ARN (qcs::cam::uin/<uin>:roleName/<name> or qcs::cam::uin/<uin>:role/<roleId>).", arn)
	}
	w := c.e.world
	provider := w.oidcProvider(ref.accountID, *req.ProviderId)
	if provider == nil {
		return nil, errorf(codeWebIdentityTokenError, "The identity provider %q does not exist in account %s.", *req.ProviderId, ref.accountID)
	}
	claims, err := verifyWebIdentityToken(provider, *req.WebIdentityToken, c.now)
	if err != nil {
		return nil, errorf(codeWebIdentityTokenError, "The WebIdentityToken is not valid for provider %s: %v.", provider.ProviderID, err)
	}
	role := ref.resolve(w)
	if role == nil {
		return nil, errorf(codeGetRoleError, "The role %s could not be found.", arn)
	}
	if !slices.Contains(role.TrustedOIDCProviders, provider.ProviderID) {
		return nil, errorf(codeUnauthorizedOperation, "The role %s does not trust the identity provider %s.", role.RoleName, provider.ProviderID)
	}
	if duration > role.maxDuration() {
		return nil, paramError("`DurationSeconds` %d exceeds the role's maximum session duration of %d seconds.", duration, role.maxDuration())
	}
	_ = claims // the subject could be matched against trust conditions; the emulator has none
	s := c.e.issueSession(c.now, Session{
		Kind: SessionWebIdentity, AccountID: role.AccountID, RoleID: role.RoleID, RoleName: role.RoleName,
		SessionName: *req.RoleSessionName, PrincipalID: role.AccountID,
	}, time.Duration(duration)*time.Second)
	return sessionResponse(s), nil
}

type callerIdentityResponse struct {
	Arn, AccountId, UserId, PrincipalId, Type string
}

// getCallerIdentity answers who signed: a key (Type CAMUser, the only type documented for
// one) or an issued credential (CAMRole, UserId <roleId>:<sessionName>).
func (c *actionContext) getCallerIdentity(*getCallerIdentityRequest) (any, *apiError) {
	who, ok := c.e.world.callerOf(c.secretID)
	switch {
	case !ok:
		return nil, errorf("AuthFailure.AccessKeyIllegal", "The key is not valid.")
	case who.Session != nil:
		s := who.Session
		return callerIdentityResponse{
			Arn:       "qcs::sts:" + s.AccountID + ":assumed-role/" + s.RoleID,
			AccountId: s.AccountID, UserId: s.RoleID + ":" + s.SessionName, PrincipalId: s.PrincipalID, Type: "CAMRole",
		}, nil
	}
	uin := who.uin()
	return callerIdentityResponse{
		Arn:       "qcs::cam::uin/" + who.accountID() + ":uin/" + uin,
		AccountId: who.accountID(), UserId: uin, PrincipalId: uin, Type: "CAMUser",
	}, nil
}

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
