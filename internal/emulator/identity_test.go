package emulator_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

func TestDefaultWorldIdentities(t *testing.T) {
	w := emulator.DefaultWorld()
	if len(w.Accounts) != 1 || w.Accounts[0].AccountID != "100000000001" {
		t.Fatalf("accounts = %+v", w.Accounts)
	}
	if len(w.Keys) != 1 || w.Keys[0] != (emulator.Key{SecretID: "AKIDqcloudEmulator", SecretKey: "qcloud-emulator-secret", AccountID: "100000000001"}) {
		t.Fatalf("keys = %+v", w.Keys)
	}
	roles := map[string]emulator.Role{}
	for _, r := range w.Roles {
		roles[r.RoleName] = r
	}
	if r := roles["terraform-ci"]; r.ExternalID != "" || len(r.TrustedOIDCProviders) != 1 || r.TrustedOIDCProviders[0] != "OIDC" {
		t.Fatalf("terraform-ci = %+v", r)
	}
	if r := roles["terraform-ci-external"]; r.ExternalID != "qcloud-emulator-external" {
		t.Fatalf("terraform-ci-external = %+v", r)
	}
	if _, ok := roles["cvm-terraform"]; !ok || w.Instances[0].CamRoleName != "cvm-terraform" {
		t.Fatal("cvm-terraform is not attached to ins-demo0001")
	}
	if len(w.OIDCProviders) != 1 || w.OIDCProviders[0].ProviderID != "OIDC" {
		t.Fatalf("providers = %+v", w.OIDCProviders)
	}
}

// World files written before accounts existed get the default account and key.
func TestWorldFileWithoutIdentities(t *testing.T) {
	const file = `{"region":"ap-guangzhou","instances":[{"instanceId":"ins-aaaa0001","state":"RUNNING","primaryNetworkInterfaceId":"eni-aaaa0001"}],
		"networkInterfaces":[{"networkInterfaceId":"eni-aaaa0001","instanceId":"ins-aaaa0001","primary":true,"privateIps":[{"address":"10.1.0.1","primary":true}]}],
		"addresses":[],"quotas":[]}`
	w, err := emulator.ParseWorld([]byte(file))
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Accounts) != 1 || len(w.Keys) != 1 || w.Keys[0].SecretID != emulator.DefaultSecretID || len(w.Roles) != 0 {
		t.Fatalf("identities = %+v %+v %+v", w.Accounts, w.Keys, w.Roles)
	}
	e := newEnv(t, func(o *emulator.Options) { o.World, o.Credentials = w, nil })
	if who, err := e.callerOf(defaultCred()); err != nil || who.AccountId != emulator.DefaultAccountID {
		t.Fatalf("GetCallerIdentity = %+v, %v", who, err)
	}
	// No role attached to the metadata instance: nothing to serve.
	if status, _ := e.metadata(rolePath); status != 404 {
		t.Fatalf("listing = %d", status)
	}
}

// The world's keys are the credentials, unless Options.Credentials replaces them.
func TestKeysFromTheWorldOrTheOptions(t *testing.T) {
	w := emulator.DefaultWorld()
	w.Accounts = append(w.Accounts, emulator.Account{AccountID: "200000000002"})
	w.Keys = append(w.Keys, emulator.Key{SecretID: "AKIDsecond", SecretKey: "second-key", AccountID: "200000000002"})
	e := newEnv(t, func(o *emulator.Options) { o.World, o.Credentials = w, nil })
	if who, err := e.callerOf(common.NewCredential("AKIDsecond", "second-key")); err != nil || who.AccountId != "200000000002" {
		t.Fatalf("GetCallerIdentity = %+v, %v", who, err)
	}
	// A role of account 100000000001 does not trust account 200000000002.
	var out stsCredentials
	err := call(e.common(common.NewCredential("AKIDsecond", "second-key")), "sts", "AssumeRole",
		map[string]any{"RoleArn": emulator.DefaultRoleArn, "RoleSessionName": "cross"}, &out)
	wantCode(t, err, "UnauthorizedOperation")

	e = newEnv(t, func(o *emulator.Options) {
		o.World = w
		o.Credentials = []emulator.Credential{{SecretID: "AKIDfromOptions", SecretKey: "k"}}
	})
	_, err = e.callerOf(defaultCred())
	wantCode(t, err, "AuthFailure.SecretIdNotFound")
	if who, err := e.callerOf(common.NewCredential("AKIDfromOptions", "k")); err != nil || who.AccountId != emulator.DefaultAccountID {
		t.Fatalf("GetCallerIdentity = %+v, %v", who, err)
	}
	// A fixed token makes the key temporary.
	e = newEnv(t, func(o *emulator.Options) {
		o.Credentials = []emulator.Credential{{SecretID: "AKIDfixed", SecretKey: "k", Token: "fixed-token"}}
	})
	_, err = e.callerOf(common.NewCredential("AKIDfixed", "k"))
	wantCode(t, err, "AuthFailure.TokenFailure")
	e.usableEverywhere(t, common.NewTokenCredential("AKIDfixed", "k", "fixed-token"))
}

func TestWorldIdentitiesAreChecked(t *testing.T) {
	for name, mutate := range map[string]func(w *emulator.World){
		"account not a UIN":       func(w *emulator.World) { w.Accounts[0].AccountID = "acct" },
		"account twice":           func(w *emulator.World) { w.Accounts = append(w.Accounts, w.Accounts[0]) },
		"key of no account":       func(w *emulator.World) { w.Keys[0].AccountID = "100000000009" },
		"key without a secret":    func(w *emulator.World) { w.Keys[0].SecretKey = "" },
		"key id with a slash":     func(w *emulator.World) { w.Keys[0].SecretID = "AKID/x" },
		"key twice":               func(w *emulator.World) { w.Keys = append(w.Keys, w.Keys[0]) },
		"role id not a number":    func(w *emulator.World) { w.Roles[0].RoleID = "role-1" },
		"role name with a space":  func(w *emulator.World) { w.Roles[0].RoleName = "terraform ci" },
		"role of no account":      func(w *emulator.World) { w.Roles[0].AccountID = "100000000009" },
		"role name twice":         func(w *emulator.World) { w.Roles[1].RoleName = w.Roles[0].RoleName },
		"role trusts no provider": func(w *emulator.World) { w.Roles[0].TrustedOIDCProviders = []string{"NOPE"} },
		"role session too long":   func(w *emulator.World) { w.Roles[0].SessionDuration = 43201 },
		"external id malformed":   func(w *emulator.World) { w.Roles[1].ExternalID = "x" },
		"provider without a key":  func(w *emulator.World) { w.OIDCProviders[0].SigningKey = "" },
		"instance role unknown":   func(w *emulator.World) { w.Instances[0].CamRoleName = "nobody" },
		"instance state unknown":  func(w *emulator.World) { w.Instances[0].State = "SLEEPING" },
		"session without a token": func(w *emulator.World) { w.Sessions = []emulator.Session{{TmpSecretID: "AKIDx", TmpSecretKey: "k"}} },
		"session expiring at issue": func(w *emulator.World) {
			w.Sessions = []emulator.Session{{TmpSecretID: "AKIDx", TmpSecretKey: "k", Token: "t"}}
		},
		"setting sessionLifetime":  func(w *emulator.World) { w.Settings.SessionLifetime = "soon" },
		"setting metadataInstance": func(w *emulator.World) { w.Settings.MetadataInstance = "i-1" },
	} {
		t.Run(name, func(t *testing.T) {
			w := emulator.DefaultWorld()
			mutate(w)
			b, _ := json.Marshal(w)
			if _, err := emulator.ParseWorld(b); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	// A session the world file carries works.
	w := emulator.DefaultWorld()
	w.Sessions = []emulator.Session{{TmpSecretID: "AKIDfromFile", TmpSecretKey: "k", Token: "t", Kind: "assume-role",
		AccountID: "100000000001", RoleID: emulator.DefaultRoleID, RoleName: "terraform-ci", SessionName: "file",
		PrincipalID: "100000000001", IssuedAt: testEpoch, ExpiresAt: testEpoch.Add(time.Hour)}}
	b, _ := json.Marshal(w)
	parsed, err := emulator.ParseWorld(b)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(o *emulator.Options) { o.World = parsed })
	who, err := e.callerOf(common.NewTokenCredential("AKIDfromFile", "k", "t"))
	if err != nil || !strings.HasSuffix(who.UserId, ":file") {
		t.Fatalf("GetCallerIdentity = %+v, %v", who, err)
	}
}
