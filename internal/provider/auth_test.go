package provider_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/acctest"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

const externalRoleArn = "qcs::cam::uin/" + emulator.DefaultAccountID + ":roleName/" + emulator.DefaultExternalRoleName

// authEmulator is an emulator whose sessions last as long as requested.
func authEmulator(t *testing.T) *acctest.Cloud {
	t.Helper()
	opts := emulator.DefaultOptions()
	opts.Settings.SessionLifetime = emulator.SessionLifetimeNone
	return acctest.NewEmulator(t, opts)
}

// authProvider is a provider block pointing at the emulator, with body for
// its authentication.
func authProvider(cloud *acctest.Cloud, body string) string {
	return fmt.Sprintf("provider \"qcloud\" {\n  endpoint = %q\n  region   = %q\n%s\n}\n", cloud.Endpoint(), emulator.DefaultRegion, body)
}

// withKey is the emulator's default key as provider arguments.
const withKey = "  secret_id  = \"" + emulator.DefaultSecretID + "\"\n  secret_key = \"" + emulator.DefaultSecretKey + "\"\n"

// ciRole is an assume_role block for role arn, in session "ci", with more
// argument lines.
func ciRole(arn string, lines ...string) string {
	return assumeRoleBlock(append([]string{attr("role_arn", arn), attr("session_name", "ci")}, lines...)...)
}

func assumeRoleBlock(lines ...string) string {
	return "  assume_role {\n    " + strings.Join(lines, "\n    ") + "\n  }\n"
}

// testAuthApplies applies and destroys importOnlyResource with the provider
// authenticated by body.
func testAuthApplies(t *testing.T, cloud *acctest.Cloud, body string) {
	t.Helper()
	testCheckDestroy(t, cloud.CheckUnbound(acctest.EmulatorFreeEIP), resource.TestStep{Config: authProvider(cloud, body) + importOnlyResource})
}

// testProviderFails expects the provider block cfg to fail with an error
// matching pattern: in a Terraform plan when viaTerraform (one case of each
// test, to cover how Terraform shows it), else over the protocol.
func testProviderFails(t *testing.T, viaTerraform bool, cfg, pattern string) {
	t.Helper()
	if viaTerraform {
		testPlanFails(t, cfg+importOnlyResource, pattern)
		return
	}
	_, diags := authConfigureOverProtocol(t, cfg)
	checkErrors(t, "configuring the provider", diags, pattern)
}

// authConfigureOverProtocol does in a new provider what Terraform does with
// the provider block cfg before a plan: ValidateProviderConfig, then, unless
// that failed, ConfigureProvider; it returns the diagnostics of both.
func authConfigureOverProtocol(t *testing.T, cfg string) (tfprotov6.ProviderServer, []*tfprotov6.Diagnostic) {
	t.Helper()
	srv, err := acctest.ProtoV6ProviderFactories[acctest.ProviderName]()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := srv.GetProviderSchema(t.Context(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	providerType := schemas.Provider.ValueType()
	config := dynamicValue(t, providerType, hclValue(t, providerType, cfg))
	validated, err := srv.ValidateProviderConfig(t.Context(), &tfprotov6.ValidateProviderConfigRequest{Config: config})
	if err != nil {
		t.Fatal(err)
	}
	if hasDiagnostic(validated.Diagnostics, tfprotov6.DiagnosticSeverityError, "") {
		return srv, validated.Diagnostics // Terraform stops there too
	}
	configured, err := srv.ConfigureProvider(t.Context(), &tfprotov6.ConfigureProviderRequest{Config: config})
	if err != nil {
		t.Fatal(err)
	}
	return srv, append(validated.Diagnostics, configured.Diagnostics...)
}

// authAppliesOverProtocol is testAuthApplies without Terraform: the provider
// authenticated by body binds the test's EIP to its instance, and unbinds it.
func authAppliesOverProtocol(t *testing.T, cloud *acctest.Cloud, body string) {
	t.Helper()
	srv, diags := authConfigureOverProtocol(t, authProvider(cloud, body))
	schemas, err := srv.GetProviderSchema(t.Context(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	w := walkOn(t, srv, schemas.ResourceSchemas["qcloud_eip_association"].ValueType())
	created, bound := w.create(byInstance(cloud.EIPID, cloud.InstanceID)...)
	// Any diagnostic, even a warning, fails the test.
	if diags = append(diags, bound...); len(diags) > 0 || created == nil {
		t.Fatalf("configure, plan and bind: %s", describeDiagnostics(diags))
	}
	if unbound := w.apply(created.NewState, w.none, created.Private, w.none); len(unbound.Diagnostics) > 0 {
		t.Fatalf("unbind: %s", describeDiagnostics(unbound.Diagnostics))
	}
	must(t, cloud.CheckUnbound(cloud.EIPID))
}

// callsBut lists the calls other than those actions.
func callsBut(cloud *acctest.Cloud, actions ...string) map[string]int {
	out := map[string]int{}
	for action, n := range cloud.Emulator.Stats().Calls {
		if !slices.Contains(actions, action) {
			out[action] = n
		}
	}
	return out
}

// assertNoAPIWork fails t when the emulator saw anything but the
// credential calls: an authentication failure must stop before any other.
func assertNoAPIWork(t *testing.T, cloud *acctest.Cloud) {
	t.Helper()
	if other := callsBut(cloud, "AssumeRole", "AssumeRoleWithWebIdentity", "GetCallerIdentity"); len(other) > 0 {
		t.Errorf("the emulator saw calls beyond STS: %v", other)
	}
}

func TestAccProvider_assumeRole(t *testing.T) {
	acctest.EmulatorOnly(t, "uses the emulator's roles")
	acctest.Parallel(t)
	cloud := authEmulator(t)
	testAuthApplies(t, cloud, withKey+assumeRoleBlock(
		attr("role_arn", externalRoleArn), attr("session_name", "terraform-test"), attr("session_duration", 900),
		attr("external_id", emulator.DefaultExternalID),
		`policy = jsonencode({version = "2.0", statement = [{effect = "allow", action = ["vpc:*", "cvm:DescribeInstances"], resource = ["*"]}]})`,
	))
	if cloud.WriteCalls() != 2 || cloud.Emulator.Stats().Calls["AssumeRole"] == 0 {
		t.Errorf("want a bind and an unbind under the assumed role; saw %s", cloud.CallsOf())
	}
	// Every VPC call was signed with a session of the role, never the key.
	for _, s := range cloud.Emulator.Snapshot().Sessions {
		if s.RoleName != emulator.DefaultExternalRoleName || s.SessionName != "terraform-test" {
			t.Errorf("session %+v, want the role's terraform-test", s.RoleName)
		}
	}
}

// The environment variables of the official provider assume the role too.
func TestAccProvider_assumeRoleFromEnvironment(t *testing.T) {
	acctest.EmulatorOnly(t, "uses the emulator's roles")
	cloud := authEmulator(t)
	t.Setenv("TENCENTCLOUD_SECRET_ID", emulator.DefaultSecretID)
	t.Setenv("TENCENTCLOUD_SECRET_KEY", emulator.DefaultSecretKey)
	t.Setenv("TENCENTCLOUD_ASSUME_ROLE_ARN", externalRoleArn)
	t.Setenv("TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME", "from-env")
	t.Setenv("TENCENTCLOUD_ASSUME_ROLE_SESSION_DURATION", "1800")
	t.Setenv("TENCENTCLOUD_ASSUME_ROLE_EXTERNAL_ID", emulator.DefaultExternalID)
	testAuthApplies(t, cloud, "")
	if cloud.WriteCalls() != 2 || cloud.Emulator.Stats().Calls["AssumeRole"] == 0 {
		t.Errorf("want a bind and an unbind under the role from the environment; saw %s", cloud.CallsOf())
	}
	t.Setenv("TENCENTCLOUD_ASSUME_ROLE_SESSION_DURATION", "50000")
	testProviderFails(t, false, authProvider(cloud, ""), `Invalid session duration.*1 to 43200 seconds.*"50000".*TENCENTCLOUD_ASSUME_ROLE_SESSION_DURATION`)
}

// Each way assume_role fails is a diagnostic naming the source and the fix,
// and nothing but STS is called.
func TestAccProvider_assumeRoleErrors(t *testing.T) {
	acctest.EmulatorOnly(t, "uses the emulator's roles")
	t.Setenv("HOME", t.TempDir()) // no profile to fall back on
	cloud := authEmulator(t)
	for i, tt := range []struct{ name, body, want string }{
		{"role not found", withKey + ciRole("qcs::cam::uin/100000000001:roleName/nope"),
			`Role not found.*assume_role \(role_arn qcs::cam::uin/100000000001:roleName/nope.*ResourceNotFound.RoleNotFound`},
		{"external id missing", withKey + ciRole(externalRoleArn), `Role cannot be assumed.*external_id.*UnauthorizedOperation`},
		{"external id wrong", withKey + ciRole(externalRoleArn, attr("external_id", "not-the-id")),
			`Role cannot be assumed.*external_id.*UnauthorizedOperation`},
		{"duration out of range", withKey + ciRole(emulator.DefaultRoleArn, attr("session_duration", 43201)),
			`session_duration.*must be between 1 and 43200`},
		{"not a role ARN", withKey + ciRole("terraform-ci"), `role_arn.*must be a role ARN`},
		{"no credentials to sign with", ciRole(emulator.DefaultRoleArn), `No credentials to assume the role with.*assume_role_with_web_identity`},
		{"conflicting sources", withKey + ciRole(emulator.DefaultRoleArn) +
			"  assume_role_with_web_identity {\n    web_identity_token_file = \"/nonexistent\"\n  }\n",
			`Invalid Attribute Combination.*assume_role_with_web_identity`},
		{"key and CVM role", withKey + `  cam_role_name = "cvm-terraform"`, `Invalid Attribute Combination.*secret_id`},
		{"key and profile", withKey + `  profile = "ci"`, `Invalid Attribute Combination.*secret_id`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			testProviderFails(t, i == 0, authProvider(cloud, tt.body), tt.want)
		})
	}
	assertNoAPIWork(t, cloud)
}

func TestAccProvider_allowedAccountIDs(t *testing.T) {
	acctest.EmulatorOnly(t, "uses the emulator's accounts")
	acctest.Parallel(t)
	cloud := authEmulator(t)
	for i, tt := range []struct{ name, body, want string }{
		{"not allowed", `  allowed_account_ids = ["999"]`, `Account not allowed.*account 100000000001, which is not in allowed_account_ids \(999\).*Nothing was called but GetCallerIdentity`},
		{"forbidden", `  forbidden_account_ids = ["100000000001"]`, `Account forbidden.*account 100000000001`},
		{"not an ID", `  allowed_account_ids = ["abc"]`, `must be an account ID`},
		{"both lists", "  allowed_account_ids = [\"1\"]\n  forbidden_account_ids = [\"2\"]", `Invalid Attribute Combination`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			testProviderFails(t, i == 0, authProvider(cloud, withKey+tt.body), tt.want)
		})
	}
	// The emulator's record: GetCallerIdentity, and nothing else.
	stats := cloud.Emulator.Stats()
	if len(stats.Calls) != 1 || stats.Calls["GetCallerIdentity"] != 2 {
		t.Fatalf("the emulator saw %s; want GetCallerIdentity twice and nothing else", cloud.CallsOf())
	}
	// The right account goes on, through an assumed role too.
	authAppliesOverProtocol(t, cloud, withKey+"  allowed_account_ids = [\"100000000001\"]\n"+ciRole(emulator.DefaultRoleArn))
	must(t, writes(cloud, 2)) // a bind and an unbind for an allowed account
}

// webIdentityTokenFile writes a token the emulator's OIDC provider issued,
// valid for ttl, to a new file.
func webIdentityTokenFile(t *testing.T, cloud *acctest.Cloud, ttl time.Duration) string {
	t.Helper()
	token, err := cloud.Emulator.WebIdentityToken(emulator.WebIdentityTokenRequest{TTL: emulator.Duration(ttl)})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "token")
	writeFile(t, file, token+"\n")
	return file
}

func webIdentityBlock(lines ...string) string {
	return "  assume_role_with_web_identity {\n    " + strings.Join(lines, "\n    ") + "\n  }\n"
}

func TestAccProvider_webIdentity(t *testing.T) {
	acctest.EmulatorOnly(t, "uses the emulator's OIDC provider")
	acctest.Parallel(t)
	cloud := authEmulator(t)
	file := webIdentityTokenFile(t, cloud, time.Hour)
	testAuthApplies(t, cloud, webIdentityBlock(attr("role_arn", emulator.DefaultRoleArn), attr("session_name", "ci-job"),
		attr("web_identity_token_file", file)))
	if cloud.WriteCalls() != 2 || cloud.Emulator.Stats().Calls["AssumeRoleWithWebIdentity"] == 0 {
		t.Errorf("want a bind and an unbind under the web identity's role; saw %s", cloud.CallsOf())
	}
}

func TestAccProvider_webIdentityFromEnvironment(t *testing.T) {
	acctest.EmulatorOnly(t, "uses the emulator's OIDC provider")
	cloud := authEmulator(t)
	t.Setenv("TENCENTCLOUD_ASSUME_ROLE_WEB_IDENTITY_TOKEN_FILE", webIdentityTokenFile(t, cloud, time.Hour))
	t.Setenv("TENCENTCLOUD_ASSUME_ROLE_ARN", emulator.DefaultRoleArn)
	t.Setenv("TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME", "ci-job")
	t.Setenv("TENCENTCLOUD_ASSUME_ROLE_PROVIDER_ID", "OIDC")
	testAuthApplies(t, cloud, "")
	if cloud.WriteCalls() != 2 || cloud.Emulator.Stats().Calls["AssumeRole"] != 0 || cloud.Emulator.Stats().Calls["AssumeRoleWithWebIdentity"] == 0 {
		t.Errorf("want a bind and an unbind through AssumeRoleWithWebIdentity alone; saw %s", cloud.CallsOf())
	}
}

func TestAccProvider_webIdentityErrors(t *testing.T) {
	acctest.EmulatorOnly(t, "uses the emulator's OIDC provider")
	acctest.Parallel(t)
	cloud := authEmulator(t)
	expired := webIdentityTokenFile(t, cloud, time.Second)
	cloud.Emulator.AdvanceClock(time.Minute)
	valid := webIdentityTokenFile(t, cloud, time.Hour)
	missing := filepath.Join(t.TempDir(), "no-token")
	empty := filepath.Join(t.TempDir(), "empty")
	writeFile(t, empty, "")
	block := func(role, file string) string {
		return webIdentityBlock(attr("role_arn", role), attr("session_name", "ci"), attr("web_identity_token_file", file))
	}
	for i, tt := range []struct{ name, body, want string }{
		{"expired", block(emulator.DefaultRoleArn, expired), `Web identity token refused.*expired.*web_identity_token_file.*InvalidParameter.WebIdentityTokenError`},
		{"missing file", block(emulator.DefaultRoleArn, missing), `Web identity token missing or unreadable.*` + missing + `.*no such file`},
		{"empty file", block(emulator.DefaultRoleArn, empty), `Web identity token missing or unreadable.*is empty`},
		{"role does not trust the provider", block(externalRoleArn, valid), `Role does not trust the identity provider`},
		{"role not found", block("qcs::cam::uin/100000000001:roleName/nope", valid), `Role not found.*assume_role_with_web_identity`},
		{"no token", webIdentityBlock(attr("role_arn", emulator.DefaultRoleArn), attr("session_name", "ci")), `Missing web identity token.*web_identity_token_file`},
		{"no role", webIdentityBlock(attr("web_identity_token_file", valid), attr("session_name", "ci")), `Missing role ARN.*TENCENTCLOUD_ASSUME_ROLE_ARN`},
		{"token and file", webIdentityBlock(attr("role_arn", emulator.DefaultRoleArn), attr("session_name", "ci"), attr("web_identity_token", "x"),
			attr("web_identity_token_file", valid)), `Invalid Attribute Combination`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			testProviderFails(t, i == 0, authProvider(cloud, tt.body), tt.want)
		})
	}
	assertNoAPIWork(t, cloud)
}

func TestAccProvider_podOIDC(t *testing.T) {
	acctest.EmulatorOnly(t, "uses the emulator's OIDC provider")
	cloud := authEmulator(t)
	t.Setenv("TKE_ROLE_ARN", emulator.DefaultRoleArn)
	t.Setenv("TKE_PROVIDER_ID", "OIDC")
	t.Setenv("TKE_WEB_IDENTITY_TOKEN_FILE", webIdentityTokenFile(t, cloud, time.Hour))
	t.Setenv("TKE_REGION", emulator.DefaultRegion)
	testAuthApplies(t, cloud, "  enable_pod_oidc = true")
	if cloud.WriteCalls() != 2 || cloud.Emulator.Stats().Calls["AssumeRoleWithWebIdentity"] == 0 {
		t.Errorf("want a bind and an unbind under the pod's role; saw %s", cloud.CallsOf())
	}

	t.Run("outside a pod", func(t *testing.T) {
		t.Setenv("TKE_PROVIDER_ID", "")
		t.Setenv("TKE_REGION", "")
		testProviderFails(t, false, authProvider(cloud, "  enable_pod_oidc = true"), `Not in a TKE pod with OIDC.*unset here: TKE_PROVIDER_ID, TKE_REGION`)
	})
	t.Run("with another web identity", func(t *testing.T) {
		testProviderFails(t, false, authProvider(cloud, "  enable_pod_oidc = true\n"+webIdentityBlock(attr("role_arn", emulator.DefaultRoleArn))),
			`Invalid Attribute Combination`)
	})
}

func TestAccProvider_camRoleName(t *testing.T) {
	acctest.EmulatorOnly(t, "uses the emulator's metadata service")
	cloud := authEmulator(t)
	t.Setenv("QCLOUD_METADATA_ENDPOINT", cloud.Endpoint())
	testAuthApplies(t, cloud, `  cam_role_name = "cvm-terraform"`)
	must(t, writes(cloud, 2)) // a bind and an unbind under the CVM role
	for _, tt := range []struct{ name, endpoint, body, want string }{
		{"role not attached", cloud.Endpoint(), `  cam_role_name = "other-role"`, `CAM role not attached.*other-role.*Bind Role`},
		{"metadata unreachable", "http://127.0.0.1:1", `  cam_role_name = "cvm-terraform"`, `Instance metadata service unreachable.*QCLOUD_METADATA_ENDPOINT`},
		{"metadata endpoint not loopback", "http://169.254.0.23", `  cam_role_name = "cvm-terraform"`, `Invalid metadata endpoint.*not loopback.*QCLOUD_METADATA_ENDPOINT`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("QCLOUD_METADATA_ENDPOINT", tt.endpoint)
			testProviderFails(t, false, authProvider(cloud, tt.body), tt.want)
		})
	}
	must(t, writes(cloud, 2)) // and the failures none
}

// tccliProfile writes tccli's two files of a profile in dir.
func tccliProfile(t *testing.T, dir, name, credential, configure string) {
	t.Helper()
	writeFile(t, filepath.Join(dir, name+".credential"), credential)
	if configure != "" {
		writeFile(t, filepath.Join(dir, name+".configure"), configure)
	}
}

func TestAccProvider_profile(t *testing.T) {
	acctest.EmulatorOnly(t, "uses the emulator's key and roles")
	cloud := authEmulator(t)
	t.Setenv("HOME", t.TempDir())
	dir := t.TempDir()
	key := fmt.Sprintf(`"secretId": %q, "secretKey": %q`, emulator.DefaultSecretID, emulator.DefaultSecretKey)
	tccliProfile(t, dir, "ci", "{"+key+"}", `{"_sys_param": {"region": "ap-guangzhou", "output": "json"}}`)
	tccliProfile(t, dir, "role", fmt.Sprintf(`{%s, "role-arn": %q, "role-session-name": "tccli-role"}`, key, emulator.DefaultRoleArn), "")
	tccliProfile(t, dir, "broken", `{"secretId": `, "")
	tccliProfile(t, dir, "half", `{"secretId": "AKIDx"}`, "")
	tccliProfile(t, dir, "halfrole", fmt.Sprintf(`{%s, "role-arn": %q}`, key, emulator.DefaultRoleArn), "")
	ini := filepath.Join(t.TempDir(), "credentials")
	writeFile(t, ini, fmt.Sprintf("[default]\nsecret_id = x\nsecret_key = y\n\n[prod]\nsecret_id = %s\nsecret_key = %s\n", emulator.DefaultSecretID, emulator.DefaultSecretKey))
	t.Setenv("TENCENTCLOUD_CREDENTIALS_FILE", ini)

	withProfile := func(name string) string {
		return fmt.Sprintf("  profile = %q\n  shared_credentials_dir = %q", name, dir)
	}
	// A tccli profile; one whose role-arn assumes the role; an INI section.
	testAuthApplies(t, cloud, withProfile("ci"))
	authAppliesOverProtocol(t, cloud, withProfile("role"))
	if n := cloud.Emulator.Stats().Calls["AssumeRole"]; n == 0 {
		t.Errorf("the profile's role-arn was not assumed: %s", cloud.CallsOf())
	}
	authAppliesOverProtocol(t, cloud, `  profile = "prod"`)
	must(t, writes(cloud, 6)) // three binds and unbinds
	for _, tt := range []struct{ name, want string }{
		{"broken", `broken.credential is not valid JSON.*tccli configure --profile broken`},
		{"half", `half.credential has a secret ID but no secret key`},
		{"halfrole", `only one of role-arn and role-session-name`},
		{"nope", `profile "nope" was not found: there is no .*nope.credential.*section "nope"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			testProviderFails(t, false, authProvider(cloud, withProfile(tt.name)), `Missing Tencent Cloud credentials.*`+tt.want)
		})
	}
	// From the environment, as the official provider reads it.
	t.Setenv("TENCENTCLOUD_PROFILE", "ci")
	t.Setenv("TENCENTCLOUD_SHARED_CREDENTIALS_DIR", dir)
	authAppliesOverProtocol(t, cloud, "")
	must(t, writes(cloud, 8)) // four binds and unbinds
}

// scaleConfig is count associations of the emulator's generated EIPs and
// instances.
func scaleConfig(provider string, count int) string {
	return provider + fmt.Sprintf(`
resource "qcloud_eip_association" "scale" {
  count       = %d
  eip_id      = format("eip-sc%%06d", count.index + 1)
  instance_id = format("ins-sc%%06d", count.index + 1)
}
`, count)
}

// An apply that outlives many sessions renews them: no call fails, and there
// are more AssumeRole calls than provider configurations (each calls
// GetCallerIdentity once). By default 50 associations with 3 s sessions (the
// writes alone take 5 s at 10 per second); RENEWAL_TEST_N and
// RENEWAL_TEST_SESSION set others (BENCHMARKS.md: 200 with 20 s).
func TestAccProvider_renewalAtScale(t *testing.T) {
	acctest.EmulatorOnly(t, "uses the emulator's session lifetime")
	if testing.Short() {
		t.Skip("applies 50 associations")
	}
	n, lifetime := 50, "3s"
	if v, err := strconv.Atoi(os.Getenv("RENEWAL_TEST_N")); err == nil && v > 0 {
		n = v
	}
	if v := os.Getenv("RENEWAL_TEST_SESSION"); v != "" {
		lifetime = v
	}
	for _, via := range []string{"assume_role", "web identity token file"} {
		t.Run(via, func(t *testing.T) {
			opts := emulator.DefaultOptions()
			opts.Settings.SessionLifetime = lifetime
			opts.Scale = n
			opts.TaskDelay = 100 * time.Millisecond
			cloud := acctest.NewEmulator(t, opts)
			auth := withKey + assumeRoleBlock(attr("role_arn", emulator.DefaultRoleArn), attr("session_name", "scale"))
			action := "AssumeRole"
			if via != "assume_role" {
				auth = webIdentityBlock(attr("role_arn", emulator.DefaultRoleArn), attr("session_name", "scale"),
					attr("web_identity_token_file", webIdentityTokenFile(t, cloud, time.Hour)))
				action = "AssumeRoleWithWebIdentity"
			}
			testApplies(t, scaleConfig(authProvider(cloud, auth+"  allowed_account_ids = [\"100000000001\"]\n"), n))
			stats := cloud.Emulator.Stats()
			if len(stats.Errors) != 0 {
				t.Errorf("calls failed: %v", stats.Errors)
			}
			if stats.Calls["AssociateAddress"] != n || stats.Calls["DisassociateAddress"] != n {
				t.Errorf("want %d binds and unbinds; saw %s", n, cloud.CallsOf())
			}
			if stats.Calls[action] <= stats.Calls["GetCallerIdentity"] {
				t.Errorf("%d %s calls for %d provider configurations: no renewal; saw %s",
					stats.Calls[action], action, stats.Calls["GetCallerIdentity"], cloud.CallsOf())
			}
			t.Logf("%s", cloud.CallsOf())
		})
	}
}
