package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// metadataPrefix is the path of the CVM instance metadata service
// (http://metadata.tencentyun.com/latest/meta-data/), served at the emulator's address
// for the instance the metadataInstance setting names.
const metadataPrefix = "/latest/meta-data/"

// metadataRolePath lists the instance's CAM role; metadataRolePath + <role> serves its
// temporary credentials (cloud.tencent.com/document/product/213/47668).
const metadataRolePath = metadataPrefix + "cam/security-credentials/"

// metadataCredentials is the JSON the metadata service answers for a role, as the SDKs'
// CVM role providers parse it: Code "Success", ExpiredTime a number (Unix seconds),
// Expiration RFC 3339.
type metadataCredentials struct {
	TmpSecretId  string
	TmpSecretKey string
	ExpiredTime  int64
	Expiration   string
	Token        string
	Code         string
}

// serveMetadata answers GET requests of the metadata service. Like the control surface
// it has no authentication (the real one answers the instance itself only), so it
// answers loopback peers only.
func (e *Emulator) serveMetadata(w http.ResponseWriter, r *http.Request) {
	if !isLoopbackPeer(r.RemoteAddr) {
		http.Error(w, "the metadata service answers loopback clients only", http.StatusForbidden)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.observe()
	defer e.commit()
	ins := e.world.instance(e.world.Settings.MetadataInstance)

	path := r.URL.Path
	switch {
	case path == metadataPrefix+"instance-id" && ins != nil:
		writeText(w, ins.InstanceID)
	case path == metadataRolePath && ins != nil && ins.CamRoleName != "":
		// The bare name: the SDKs append the whole body to the URL.
		writeText(w, ins.CamRoleName)
	case strings.HasPrefix(path, metadataRolePath) && path != metadataRolePath && ins != nil && ins.CamRoleName != "" &&
		strings.TrimPrefix(path, metadataRolePath) == ins.CamRoleName:
		role := e.world.resourceRole(ins.CamRoleName)
		if role == nil {
			http.NotFound(w, r)
			return
		}
		s := e.instanceRoleSession(now, ins, role)
		b, _ := json.Marshal(metadataCredentials{
			TmpSecretId: s.TmpSecretID, TmpSecretKey: s.TmpSecretKey, Token: s.Token,
			ExpiredTime: s.ExpiresAt.Unix(), Expiration: s.ExpiresAt.UTC().Format(time.RFC3339), Code: "Success",
		})
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	default:
		// No such path, no such instance, no role attached, or another role than the
		// attached one: the SDKs read 404 as "no role bound".
		http.NotFound(w, r)
	}
}

func writeText(w http.ResponseWriter, s string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(s))
}

// instanceRoleSession is the credential served for the instance's role: the current one
// while more than half its life is left, else a new one (7200 s, capped by
// SessionLifetime), so that it rotates before it expires, as documented. Callers hold mu.
func (e *Emulator) instanceRoleSession(now time.Time, ins *Instance, role *Role) *Session {
	for i := len(e.world.Sessions) - 1; i >= 0; i-- {
		s := &e.world.Sessions[i]
		if s.Kind != SessionCVMRole || s.InstanceID != ins.InstanceID || s.RoleID != role.RoleID {
			continue
		}
		if left := s.ExpiresAt.Sub(now); left > s.ExpiresAt.Sub(s.IssuedAt)/2 {
			return s
		}
	}
	return e.issueSession(now, Session{
		Kind: SessionCVMRole, AccountID: role.AccountID, RoleID: role.RoleID, RoleName: role.RoleName,
		SessionName: ins.InstanceID, PrincipalID: role.AccountID, InstanceID: ins.InstanceID,
	}, defaultSessionSeconds*time.Second)
}
