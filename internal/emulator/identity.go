package emulator

import (
	"crypto/rand"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// The built-in identities: one account that owns the default key, two roles it may
// assume (one of them guarded by an external id) and that trust the OIDC provider, and
// the role attached to ins-demo0001 for the CVM metadata service.
const (
	DefaultAccountID = "100000000001"

	DefaultRoleName = "terraform-ci"
	DefaultRoleID   = "4611686018427397920"
	DefaultRoleArn  = "qcs::cam::uin/" + DefaultAccountID + ":roleName/" + DefaultRoleName

	DefaultExternalRoleName = "terraform-ci-external"
	DefaultExternalRoleID   = "4611686018427397921"
	DefaultExternalID       = "qcloud-emulator-external"

	DefaultCVMRoleName = "cvm-terraform"
	DefaultCVMRoleID   = "4611686018427397922"

	DefaultOIDCProviderID = "OIDC"
	// DefaultOIDCIssuer and DefaultOIDCClientID are the iss and aud of the tokens the
	// emulator mints for the default provider (aud as TKE's service account tokens).
	DefaultOIDCIssuer   = "https://oidc.qcloud-emulator.invalid"
	DefaultOIDCClientID = "sts.cloud.tencent.com"
	// defaultOIDCSigningKey signs the default provider's tokens (HMAC-SHA256). It is no
	// secret: the tokens are good for this emulator only.
	defaultOIDCSigningKey = "qcloud-emulator-oidc-signing-key"
)

// Session lengths (seconds) of the STS API: the default and the maximum of
// DurationSeconds, and of a role's SessionDuration.
const (
	defaultSessionSeconds = 7200
	maxSessionSeconds     = 43200
)

// maxSessions bounds the issued credentials the world keeps; the ones that expired first
// go first. Expired ones are kept until then, so that they are refused as expired
// (AuthFailure.TokenFailure) rather than unknown.
const maxSessions = 10000

// Session kinds: how the temporary credential was issued.
const (
	SessionAssumeRole  = "assume-role"
	SessionWebIdentity = "web-identity"
	SessionCVMRole     = "cvm-role"
)

// Account is a root account (its UIN). The world's resources (instances, ENIs,
// addresses) belong to the first account; keys and roles name theirs.
type Account struct {
	AccountID string `json:"accountId"`
}

// Key is a permanent API key (SecretId/SecretKey) of an account: of the root account
// itself, or of one of its sub-users (UIN).
type Key struct {
	SecretID  string `json:"secretId"`
	SecretKey string `json:"secretKey"`
	AccountID string `json:"accountId"`
	// UIN is the sub-user the key belongs to; "" = the root account itself.
	UIN string `json:"uin,omitempty"`
	// Token, when set, makes the key a fixed temporary credential: requests must carry
	// this token (X-TC-Token, or Token with signature v1). It never expires.
	Token string `json:"token,omitempty"`
}

// Role is a CAM role: who may assume it, and for how long.
type Role struct {
	RoleID    string `json:"roleId"`
	RoleName  string `json:"roleName"`
	AccountID string `json:"accountId"`
	// ServiceRole roles are named by the service-role ARN forms
	// (…:role/tencentcloudServiceRole/<id>, …:role/tencentcloudServiceRoleName/<name>).
	ServiceRole bool `json:"serviceRole,omitempty"`
	// TrustedAccounts may assume the role with AssumeRole: any key of the account, or a
	// credential issued for one of its roles.
	TrustedAccounts []string `json:"trustedAccounts,omitempty"`
	// TrustedOIDCProviders (ProviderIds of the role's account) may assume the role with
	// AssumeRoleWithWebIdentity.
	TrustedOIDCProviders []string `json:"trustedOidcProviders,omitempty"`
	// ExternalID, when set, must be sent as ExternalId by AssumeRole.
	ExternalID string `json:"externalId,omitempty"`
	// SessionDuration is the longest session the role grants, in seconds (0 = 43200,
	// the API's maximum), as CAM's CreateRole SessionDuration.
	SessionDuration int64 `json:"sessionDuration,omitempty"`
}

// OIDCProvider is a CAM OIDC identity provider of an account. The emulator is its
// issuer: POST /_emulator/oidc/token mints tokens signed with SigningKey.
type OIDCProvider struct {
	ProviderID string `json:"providerId"`
	AccountID  string `json:"accountId"`
	// Issuer is the iss of its tokens.
	Issuer string `json:"issuer"`
	// ClientIDs are the accepted aud values (empty = any).
	ClientIDs []string `json:"clientIds,omitempty"`
	// SigningKey is the HMAC-SHA256 key of its tokens (HS256 JWTs).
	SigningKey string `json:"signingKey"`
}

// Session is a temporary credential the emulator issued. It is accepted on every
// service, with its token, until ExpiresAt on the emulator clock.
type Session struct {
	TmpSecretID  string `json:"tmpSecretId"`
	TmpSecretKey string `json:"tmpSecretKey"`
	Token        string `json:"token"`
	// Kind is assume-role, web-identity or cvm-role.
	Kind string `json:"kind"`
	// AccountID owns the role; RoleID, RoleName name it.
	AccountID   string `json:"accountId"`
	RoleID      string `json:"roleId"`
	RoleName    string `json:"roleName"`
	SessionName string `json:"sessionName"`
	// PrincipalID is the UIN that asked for the credential (for web identity and CVM
	// roles, the role's account).
	PrincipalID string `json:"principalId"`
	// InstanceID is the instance the metadata service issued a cvm-role credential for.
	InstanceID string    `json:"instanceId,omitempty"`
	IssuedAt   time.Time `json:"issuedAt"`
	ExpiresAt  time.Time `json:"expiresAt"`
}

var (
	uinPattern = regexp.MustCompile(`^[0-9]{5,20}$`)
	// roleIDPattern: CAM role ids are decimal numbers.
	roleIDPattern = regexp.MustCompile(`^[0-9]{1,32}$`)
	// roleNamePattern: CAM role names (CreateRole: letters, digits and +=,.@_-).
	roleNamePattern = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	// externalIDPattern: AssumeRole ExternalId, 2-128 of letters, digits and =,.@:/-.
	externalIDPattern = regexp.MustCompile(`^[\w+=,.@:/-]{2,128}$`)
)

// addDefaultIdentities gives the built-in world its account, key, roles and provider.
func (w *World) addDefaultIdentities() {
	w.Accounts = []Account{{AccountID: DefaultAccountID}}
	w.Keys = []Key{{SecretID: DefaultSecretID, SecretKey: DefaultSecretKey, AccountID: DefaultAccountID}}
	w.Roles = []Role{
		{RoleID: DefaultRoleID, RoleName: DefaultRoleName, AccountID: DefaultAccountID,
			TrustedAccounts: []string{DefaultAccountID}, TrustedOIDCProviders: []string{DefaultOIDCProviderID}},
		{RoleID: DefaultExternalRoleID, RoleName: DefaultExternalRoleName, AccountID: DefaultAccountID,
			TrustedAccounts: []string{DefaultAccountID}, ExternalID: DefaultExternalID},
		{RoleID: DefaultCVMRoleID, RoleName: DefaultCVMRoleName, AccountID: DefaultAccountID},
	}
	w.OIDCProviders = []OIDCProvider{{ProviderID: DefaultOIDCProviderID, AccountID: DefaultAccountID,
		Issuer: DefaultOIDCIssuer, ClientIDs: []string{DefaultOIDCClientID}, SigningKey: defaultOIDCSigningKey}}
}

// normalizeIdentities gives a world without accounts the default account, and one
// without keys the default key (so world files written before accounts existed keep
// working), and sorts the sessions for lookups.
func (w *World) normalizeIdentities() {
	if len(w.Accounts) == 0 {
		w.Accounts = []Account{{AccountID: DefaultAccountID}}
	}
	if len(w.Keys) == 0 {
		w.Keys = []Key{{SecretID: DefaultSecretID, SecretKey: DefaultSecretKey, AccountID: w.Accounts[0].AccountID}}
	}
	sortByKey(w.Sessions, sessionKey)
}

// validateIdentities checks the identities' shapes and references.
func (w *World) validateIdentities() error {
	accounts := map[string]bool{}
	for _, a := range w.Accounts {
		if !uinPattern.MatchString(a.AccountID) {
			return fmt.Errorf("account %q: the id must be a UIN (5 to 20 digits)", a.AccountID)
		}
		if accounts[a.AccountID] {
			return fmt.Errorf("account %s appears twice", a.AccountID)
		}
		accounts[a.AccountID] = true
	}
	secretIDs := map[string]bool{}
	for _, k := range w.Keys {
		if err := checkSecretID(k.SecretID); err != nil {
			return fmt.Errorf("key %q: %w", k.SecretID, err)
		}
		if k.SecretKey == "" {
			return fmt.Errorf("key %s has no secretKey", k.SecretID)
		}
		if !accounts[k.AccountID] {
			return fmt.Errorf("key %s: account %q is not one of accounts", k.SecretID, k.AccountID)
		}
		if k.UIN != "" && !uinPattern.MatchString(k.UIN) {
			return fmt.Errorf("key %s: uin %q is not a UIN", k.SecretID, k.UIN)
		}
		if secretIDs[k.SecretID] {
			return fmt.Errorf("key %s appears twice", k.SecretID)
		}
		secretIDs[k.SecretID] = true
	}
	providers := map[string]bool{}
	for _, p := range w.OIDCProviders {
		if p.ProviderID == "" || p.Issuer == "" || p.SigningKey == "" {
			return fmt.Errorf("OIDC provider %q needs a providerId, an issuer and a signingKey", p.ProviderID)
		}
		if !accounts[p.AccountID] {
			return fmt.Errorf("OIDC provider %s: account %q is not one of accounts", p.ProviderID, p.AccountID)
		}
		if providers[p.AccountID+"/"+p.ProviderID] {
			return fmt.Errorf("OIDC provider %s appears twice in account %s", p.ProviderID, p.AccountID)
		}
		providers[p.AccountID+"/"+p.ProviderID] = true
	}
	roleIDs, roleNames := map[string]bool{}, map[string]bool{}
	for _, r := range w.Roles {
		switch {
		case !roleIDPattern.MatchString(r.RoleID):
			return fmt.Errorf("role %q: roleId %q must be a decimal number", r.RoleName, r.RoleID)
		case !roleNamePattern.MatchString(r.RoleName):
			return fmt.Errorf("role %q: roleName must be 1 to 128 letters, digits or +=,.@_-", r.RoleName)
		case !accounts[r.AccountID]:
			return fmt.Errorf("role %s: account %q is not one of accounts", r.RoleName, r.AccountID)
		case roleIDs[r.RoleID]:
			return fmt.Errorf("role id %s appears twice", r.RoleID)
		case roleNames[r.AccountID+"/"+r.RoleName]:
			return fmt.Errorf("role %s appears twice in account %s", r.RoleName, r.AccountID)
		case r.ExternalID != "" && !externalIDPattern.MatchString(r.ExternalID):
			return fmt.Errorf("role %s: externalId must be 2 to 128 letters, digits or =,.@:/_-", r.RoleName)
		case r.SessionDuration < 0 || r.SessionDuration > maxSessionSeconds:
			return fmt.Errorf("role %s: sessionDuration must be 0 to %d seconds", r.RoleName, maxSessionSeconds)
		}
		roleIDs[r.RoleID], roleNames[r.AccountID+"/"+r.RoleName] = true, true
		for _, a := range r.TrustedAccounts {
			if !uinPattern.MatchString(a) {
				return fmt.Errorf("role %s: trusted account %q is not a UIN", r.RoleName, a)
			}
		}
		for _, p := range r.TrustedOIDCProviders {
			if !providers[r.AccountID+"/"+p] {
				return fmt.Errorf("role %s: OIDC provider %q is not a provider of account %s", r.RoleName, p, r.AccountID)
			}
		}
	}
	for _, ins := range w.Instances {
		if ins.CamRoleName != "" && w.resourceRole(ins.CamRoleName) == nil {
			return fmt.Errorf("instance %s: CAM role %q is not a role of account %s", ins.InstanceID, ins.CamRoleName, w.Accounts[0].AccountID)
		}
	}
	for i, s := range w.Sessions {
		switch {
		case s.TmpSecretID == "" || s.TmpSecretKey == "" || s.Token == "":
			return fmt.Errorf("session %q needs a tmpSecretId, a tmpSecretKey and a token", s.TmpSecretID)
		case secretIDs[s.TmpSecretID]:
			return fmt.Errorf("session %s has the SecretId of a key", s.TmpSecretID)
		case i > 0 && w.Sessions[i-1].TmpSecretID == s.TmpSecretID:
			return fmt.Errorf("session %s appears twice", s.TmpSecretID)
		case !s.ExpiresAt.After(s.IssuedAt):
			return fmt.Errorf("session %s expires before it is issued", s.TmpSecretID)
		}
	}
	return nil
}

func checkSecretID(id string) error {
	if id == "" {
		return errors.New("a SecretId must not be empty")
	}
	if strings.ContainsAny(id, "/, ") {
		return errors.New("a SecretId must not contain '/', ',' or spaces")
	}
	return nil
}

// resourceRole is the role of that name in the account that owns the world's
// resources (the first account): the role an instance can carry.
func (w *World) resourceRole(name string) *Role {
	if len(w.Accounts) == 0 {
		return nil
	}
	return w.roleByName(w.Accounts[0].AccountID, name)
}

func (w *World) roleByName(accountID, name string) *Role {
	return findFirst(w.Roles, func(r Role) bool { return r.AccountID == accountID && r.RoleName == name })
}

func (w *World) roleByID(accountID, id string) *Role {
	return findFirst(w.Roles, func(r Role) bool { return r.AccountID == accountID && r.RoleID == id })
}

func (w *World) oidcProvider(accountID, id string) *OIDCProvider {
	return findFirst(w.OIDCProviders, func(p OIDCProvider) bool { return p.AccountID == accountID && p.ProviderID == id })
}

func (w *World) key(secretID string) *Key {
	return findFirst(w.Keys, func(k Key) bool { return k.SecretID == secretID })
}

func (w *World) session(secretID string) *Session { return findByKey(w.Sessions, secretID, sessionKey) }

// secret is what a signature verifier needs to know of a SecretId.
type secret struct {
	Key string
	// Token is the token requests must carry ("" = a permanent key, which needs none).
	Token string
	// Expired: a temporary credential at or past its expiry.
	Expired bool
}

// secretLookup finds the secret of a SecretId.
type secretLookup func(secretID string) (secret, bool)

// secretOf is the secret of a key or of an issued credential, expiry judged at now.
func (w *World) secretOf(secretID string, now time.Time) (secret, bool) {
	if k := w.key(secretID); k != nil {
		return secret{Key: k.SecretKey, Token: k.Token}, true
	}
	if s := w.session(secretID); s != nil {
		return secret{Key: s.TmpSecretKey, Token: s.Token, Expired: !now.Before(s.ExpiresAt)}, true
	}
	return secret{}, false
}

// caller is who signed a request: a key, or an issued credential.
type caller struct {
	Key     *Key
	Session *Session
}

// accountID is the account the caller acts in: the key's, or the role's.
func (c caller) accountID() string {
	if c.Session != nil {
		return c.Session.AccountID
	}
	if c.Key != nil {
		return c.Key.AccountID
	}
	return ""
}

// uin is the UIN that asks when the caller requests a credential.
func (c caller) uin() string {
	if c.Key != nil && c.Key.UIN != "" {
		return c.Key.UIN
	}
	return c.accountID()
}

// callerOf is the caller with the SecretId (copies, so the world may change).
func (w *World) callerOf(secretID string) (caller, bool) {
	if k := w.key(secretID); k != nil {
		c := *k
		return caller{Key: &c}, true
	}
	if s := w.session(secretID); s != nil {
		c := *s
		return caller{Session: &c}, true
	}
	return caller{}, false
}

// grantedDuration is what the emulator grants for a requested duration: the request,
// capped by the SessionLifetime setting.
func (w *World) grantedDuration(requested time.Duration) time.Duration {
	if limit := w.Settings.sessionCap(); limit > 0 && limit < requested {
		return limit
	}
	return requested
}

// issueSession adds a new temporary credential (the id, key and token are generated)
// valid for the requested duration, capped by the SessionLifetime setting, from now.
// Callers hold mu.
func (e *Emulator) issueSession(now time.Time, s Session, requested time.Duration) *Session {
	w := e.world
	now = now.Truncate(time.Second) // ExpiredTime is in Unix seconds
	s.IssuedAt, s.ExpiresAt = now.UTC(), now.Add(w.grantedDuration(requested)).UTC()
	for {
		s.TmpSecretID = "AKID" + randomToken(32)
		if w.key(s.TmpSecretID) == nil && w.session(s.TmpSecretID) == nil {
			break
		}
	}
	s.TmpSecretKey = randomToken(32)
	s.Token = randomToken(128)
	i, _ := searchByKey(w.Sessions, s.TmpSecretID, sessionKey)
	w.Sessions = slices.Insert(w.Sessions, i, s)
	pruneSessions(w, s.TmpSecretID)
	e.dirty = true
	return w.session(s.TmpSecretID)
}

// pruneSessions drops the credentials that expire first while there are more than
// maxSessions, never the one just issued (keep).
func pruneSessions(w *World, keep string) {
	excess := len(w.Sessions) - maxSessions
	if excess <= 0 {
		return
	}
	byExpiry := slices.DeleteFunc(slices.Clone(w.Sessions), func(s Session) bool { return s.TmpSecretID == keep })
	slices.SortStableFunc(byExpiry, func(x, y Session) int { return x.ExpiresAt.Compare(y.ExpiresAt) })
	drop := map[string]bool{}
	for _, s := range byExpiry[:excess] {
		drop[s.TmpSecretID] = true
	}
	w.Sessions = slices.DeleteFunc(w.Sessions, func(s Session) bool { return drop[s.TmpSecretID] })
}

const tokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomToken is n random letters and digits.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = tokenAlphabet[int(b[i])%len(tokenAlphabet)]
	}
	return string(b)
}
