package provider

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/boolvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
)

// Environment variables of the authentication sources, named as the
// official tencentcloud provider names them (QCLOUD_METADATA_ENDPOINT is
// this provider's own, as QCLOUD_ENDPOINT).
const (
	EnvProfile               = "TENCENTCLOUD_PROFILE"
	EnvSharedCredentialsDir  = "TENCENTCLOUD_SHARED_CREDENTIALS_DIR"
	EnvCamRoleName           = "TENCENTCLOUD_CAM_ROLE_NAME"
	EnvAssumeRoleArn         = "TENCENTCLOUD_ASSUME_ROLE_ARN"
	EnvAssumeRoleSessionName = "TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME"
	EnvAssumeRoleDuration    = "TENCENTCLOUD_ASSUME_ROLE_SESSION_DURATION"
	EnvAssumeRoleExternalID  = "TENCENTCLOUD_ASSUME_ROLE_EXTERNAL_ID"
	EnvAssumeRoleProviderID  = "TENCENTCLOUD_ASSUME_ROLE_PROVIDER_ID"
	EnvWebIdentityToken      = "TENCENTCLOUD_ASSUME_ROLE_WEB_IDENTITY_TOKEN"
	EnvWebIdentityTokenFile  = "TENCENTCLOUD_ASSUME_ROLE_WEB_IDENTITY_TOKEN_FILE"
	EnvMetadataEndpoint      = "QCLOUD_METADATA_ENDPOINT"
	// The variables TKE sets in a pod with OIDC (enable_pod_oidc).
	EnvTKERegion               = "TKE_REGION"
	EnvTKEProviderID           = "TKE_PROVIDER_ID"
	EnvTKEWebIdentityTokenFile = "TKE_WEB_IDENTITY_TOKEN_FILE"
	EnvTKERoleArn              = "TKE_ROLE_ARN"
	// podSessionName is enable_pod_oidc's session name unless
	// TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME gives one.
	podSessionName             = "terraform-pod-oidc"
	defaultProfile             = "default"
	defaultOIDCProvider        = "OIDC"
	defaultSharedCredentialDir = "~/.tccli"
	// maxSessionSeconds is STS's maximum DurationSeconds.
	maxSessionSeconds = 43200
)

var (
	// roleArnPattern: the documented forms qcs::cam::uin/<uin>:roleName/<name>
	// and qcs::cam::uin/<uin>:role/<roleId> (service roles included).
	roleArnPattern = regexp.MustCompile(`^qcs::cam::uin/[0-9]+:(roleName|role)/\S+$`)
	// sessionNamePattern: AssumeRole RoleSessionName, 2-128 of letters,
	// digits and +=,.@_-.
	sessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]{2,128}$`)
	// externalIDPattern: AssumeRole ExternalId, 2-128 of letters, digits and
	// =,.@:/_-.
	externalIDPattern = regexp.MustCompile(`^[\w+=,.@:/-]{2,128}$`)
	accountIDPattern  = regexp.MustCompile(`^[0-9]+$`)
)

const roleArnHelp = "must be a role ARN such as qcs::cam::uin/100000000001:roleName/terraform-ci"

// assumeRoleModel is the assume_role block.
type assumeRoleModel struct {
	RoleArn         types.String `tfsdk:"role_arn"`
	SessionName     types.String `tfsdk:"session_name"`
	SessionDuration types.Int64  `tfsdk:"session_duration"`
	Policy          types.String `tfsdk:"policy"`
	ExternalID      types.String `tfsdk:"external_id"`
}

// webIdentityModel is the assume_role_with_web_identity block.
type webIdentityModel struct {
	ProviderID           types.String `tfsdk:"provider_id"`
	WebIdentityToken     types.String `tfsdk:"web_identity_token"`
	WebIdentityTokenFile types.String `tfsdk:"web_identity_token_file"`
	RoleArn              types.String `tfsdk:"role_arn"`
	SessionName          types.String `tfsdk:"session_name"`
	SessionDuration      types.Int64  `tfsdk:"session_duration"`
}

// authAttributes are the provider arguments of the authentication sources
// beside secret_id, secret_key and security_token.
func authAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"profile": schema.StringAttribute{
			MarkdownDescription: "Profile to read when no key is given: tccli's `<profile>.credential` (and `<profile>.configure` " +
				"for the region) in `shared_credentials_dir`, else the `[<profile>]` section of the SDK credentials file. Falls " +
				"back to `" + EnvProfile + "`, then to `default`.",
			Optional:   true,
			Validators: []validator.String{stringvalidator.LengthAtLeast(1), conflictsWithKey()},
		},
		"shared_credentials_dir": schema.StringAttribute{
			MarkdownDescription: "Directory of tccli's profile files. Falls back to `" + EnvSharedCredentialsDir + "`, then to `~/.tccli`.",
			Optional:            true,
			Validators:          []validator.String{stringvalidator.LengthAtLeast(1), conflictsWithKey()},
		},
		"cam_role_name": schema.StringAttribute{
			MarkdownDescription: "CAM role attached to the CVM instance Terraform runs on: its temporary credentials come from " +
				"the instance metadata service (`http://metadata.tencentyun.com`, or `" + EnvMetadataEndpoint + "`) and are " +
				"renewed before they expire. Falls back to `" + EnvCamRoleName + "`.",
			Optional: true,
			Validators: []validator.String{
				stringvalidator.RegexMatches(regexp.MustCompile(`^[\w+=,.@-]{1,128}$`), "must be a CAM role name: letters, digits and +=,.@_-"),
				conflictsWithKey(),
				stringvalidator.ConflictsWith(path.MatchRoot("profile")),
			},
		},
		"enable_pod_oidc": schema.BoolAttribute{
			MarkdownDescription: "In a TKE pod with OIDC enabled, assume the pod's role with STS AssumeRoleWithWebIdentity, " +
				"reading `" + EnvTKERoleArn + "`, `" + EnvTKEProviderID + "`, `" + EnvTKEWebIdentityTokenFile + "` and `" +
				EnvTKERegion + "` as TKE sets them. The token file is read again at each renewal.",
			Optional: true,
			Validators: []validator.Bool{
				boolvalidator.ConflictsWith(path.MatchRoot("assume_role_with_web_identity"), path.MatchRoot("assume_role")),
			},
		},
		"allowed_account_ids": schema.SetAttribute{
			MarkdownDescription: "Account IDs (root account UINs) the credentials must belong to. The provider asks STS " +
				"GetCallerIdentity before any other call and stops, calling nothing else, on another account.",
			Optional:    true,
			ElementType: types.StringType,
			Validators: []validator.Set{
				setvalidator.SizeAtLeast(1),
				setvalidator.ValueStringsAre(stringvalidator.RegexMatches(accountIDPattern, "must be an account ID (UIN), digits only")),
				setvalidator.ConflictsWith(path.MatchRoot("forbidden_account_ids")),
			},
		},
		"forbidden_account_ids": schema.SetAttribute{
			MarkdownDescription: "Account IDs the credentials must not belong to; checked as `allowed_account_ids` is.",
			Optional:            true,
			ElementType:         types.StringType,
			Validators: []validator.Set{
				setvalidator.SizeAtLeast(1),
				setvalidator.ValueStringsAre(stringvalidator.RegexMatches(accountIDPattern, "must be an account ID (UIN), digits only")),
			},
		},
	}
}

func conflictsWithKey() validator.String {
	return stringvalidator.ConflictsWith(path.MatchRoot("secret_id"), path.MatchRoot("secret_key"))
}

func sessionDurationAttribute(env string) schema.Int64Attribute {
	return schema.Int64Attribute{
		MarkdownDescription: fmt.Sprintf("Session length in seconds, 1 to %d (STS's maximum; a role may allow less). "+
			"Falls back to `%s`, then to 7200. The provider renews the session before it ends, however long Terraform runs.",
			maxSessionSeconds, env),
		Optional:   true,
		Validators: []validator.Int64{int64validator.Between(1, maxSessionSeconds)},
	}
}

// roleArnAttribute is the role_arn of both assume_role blocks.
func roleArnAttribute(description string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: description + " Falls back to `" + EnvAssumeRoleArn + "`.",
		Optional:            true,
		Validators:          []validator.String{stringvalidator.RegexMatches(roleArnPattern, roleArnHelp)},
	}
}

// sessionNameAttribute is the session_name of both assume_role blocks.
func sessionNameAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: "Name of the session (2 to 128 letters, digits or `+=,.@_-`), shown in CloudAudit. Falls back to `" +
			EnvAssumeRoleSessionName + "`.",
		Optional:   true,
		Validators: []validator.String{stringvalidator.RegexMatches(sessionNamePattern, "must be 2 to 128 letters, digits or +=,.@_-")},
	}
}

// authBlocks are the assume_role blocks, one of each at most.
func authBlocks() map[string]schema.Block {
	return map[string]schema.Block{
		"assume_role": schema.ListNestedBlock{
			MarkdownDescription: "Assume a CAM role with STS AssumeRole, signed with the credentials found before it (a key, " +
				"a profile, `cam_role_name`). Set instead by `" + EnvAssumeRoleArn + "` and `" + EnvAssumeRoleSessionName + "`.",
			Validators: []validator.List{
				listvalidator.SizeAtMost(1),
				listvalidator.ConflictsWith(path.MatchRoot("assume_role_with_web_identity")),
			},
			NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
				"role_arn":         roleArnAttribute("ARN of the role, such as `qcs::cam::uin/100000000001:roleName/terraform-ci`."),
				"session_name":     sessionNameAttribute(),
				"session_duration": sessionDurationAttribute(EnvAssumeRoleDuration),
				"policy": schema.StringAttribute{
					MarkdownDescription: "CAM policy document (JSON) that narrows the session's permissions below the role's.",
					Optional:            true,
					Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
				},
				"external_id": schema.StringAttribute{
					MarkdownDescription: "External ID the role's trust policy requires (2 to 128 letters, digits or `=,.@:/_-`). Falls back to `" + EnvAssumeRoleExternalID + "`.",
					Optional:            true,
					Sensitive:           true,
					Validators:          []validator.String{stringvalidator.RegexMatches(externalIDPattern, "must be 2 to 128 letters, digits or =,.@:/_-")},
				},
			}},
		},
		"assume_role_with_web_identity": schema.ListNestedBlock{
			MarkdownDescription: "Exchange a web identity (OIDC) token, from a CI system or a TKE pod, for a CAM role's " +
				"credentials with STS AssumeRoleWithWebIdentity (an unsigned call: no key is needed). A token file is read " +
				"again at each renewal, since CI systems rotate it. Set instead by `" + EnvWebIdentityToken + "` or `" +
				EnvWebIdentityTokenFile + "` with `" + EnvAssumeRoleArn + "` and `" + EnvAssumeRoleSessionName + "`.",
			Validators: []validator.List{listvalidator.SizeAtMost(1)},
			NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
				"provider_id": schema.StringAttribute{
					MarkdownDescription: "Name of the CAM OIDC identity provider. Falls back to `" + EnvAssumeRoleProviderID + "`, then to `OIDC`.",
					Optional:            true,
					Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
				},
				"web_identity_token": schema.StringAttribute{
					MarkdownDescription: "The OIDC token. Falls back to `" + EnvWebIdentityToken + "`. Prefer `web_identity_token_file`: a token in the configuration cannot be renewed once it expires.",
					Optional:            true,
					Sensitive:           true,
					Validators: []validator.String{
						stringvalidator.LengthAtLeast(1),
						stringvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName("web_identity_token_file")),
					},
				},
				"web_identity_token_file": schema.StringAttribute{
					MarkdownDescription: "File holding the OIDC token, read again at each renewal. Falls back to `" + EnvWebIdentityTokenFile + "`.",
					Optional:            true,
					Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
				},
				"role_arn":         roleArnAttribute("ARN of the role, which must trust the identity provider."),
				"session_name":     sessionNameAttribute(),
				"session_duration": sessionDurationAttribute(EnvAssumeRoleDuration),
			}},
		},
	}
}

// authUnknown reports whether an authentication argument is not known yet.
func authUnknown(d *QcloudProviderModel) bool {
	if d.Profile.IsUnknown() || d.SharedCredentialsDir.IsUnknown() || d.CamRoleName.IsUnknown() || d.EnablePodOIDC.IsUnknown() ||
		d.AllowedAccountIDs.IsUnknown() || d.ForbiddenAccountIDs.IsUnknown() {
		return true
	}
	for _, a := range d.AssumeRole {
		if a.RoleArn.IsUnknown() || a.SessionName.IsUnknown() || a.SessionDuration.IsUnknown() || a.Policy.IsUnknown() || a.ExternalID.IsUnknown() {
			return true
		}
	}
	for _, w := range d.WebIdentity {
		if w.ProviderID.IsUnknown() || w.WebIdentityToken.IsUnknown() || w.WebIdentityTokenFile.IsUnknown() ||
			w.RoleArn.IsUnknown() || w.SessionName.IsUnknown() || w.SessionDuration.IsUnknown() {
			return true
		}
	}
	return false
}

// auth is what the authentication arguments resolved to.
type auth struct {
	// source is where credentials come from; nil when none was found.
	source client.CredentialSource
	// temporary: the source must be asked (STS, the metadata service), so
	// the provider asks it at once to report a failure before any call.
	temporary bool
	// describe names the source for messages ("assume_role (role …)").
	describe string
	// secrets are masked in logs.
	secrets []string
	// region from a tccli profile's .configure; "" when none.
	region string
}

// clientMaker builds a client with the provider's region, endpoint and the
// rest, for the given credentials.
type clientMaker func(cfg client.Config) (*client.Client, error)

// resolveAuth finds the credentials in the order the official provider
// applies its sources, each later one built on (assume_role) or replacing
// (cam_role_name, web identity) the one before:
//  1. secret_id / secret_key / security_token, then the environment;
//  2. else the profile: tccli's <profile>.credential (with role-arn, an
//     AssumeRole), else the SDK credentials file's [<profile>] section;
//  3. cam_role_name: the CVM metadata service;
//  4. assume_role (block, or the environment): AssumeRole signed with 1-3;
//  5. assume_role_with_web_identity (block, enable_pod_oidc, or the
//     environment).
func resolveAuth(ctx context.Context, d *QcloudProviderModel, newClient clientMaker, diags *diag.Diagnostics) auth {
	var a auth
	secretID := valueOrEnv(d.SecretID, EnvSecretID, "")
	secretKey := valueOrEnv(d.SecretKey, EnvSecretKey, "")
	token := valueOrEnv(d.SecurityToken, EnvSecurityToken, "")
	a.secrets = append(a.secrets, secretKey, token)
	keyProblem := ""
	switch {
	case secretID != "" && secretKey != "":
		a.source = client.StaticCredentials{Source: "the secret_id and secret_key",
			Credentials: client.Credentials{SecretID: secretID, SecretKey: secretKey, Token: token}}
		a.describe = "the key in secret_id and secret_key (or " + EnvSecretID + " and " + EnvSecretKey + ")"
	case secretID != "" || secretKey != "":
		keyProblem = "Found: " + credentialSummary(secretID, secretKey) + "."
	default:
		p := readProfile(d)
		switch {
		case p.problem != "":
			keyProblem = "Found: nothing in the arguments or the environment, and " + p.problem + "."
		case p.creds != nil:
			a.source = client.StaticCredentials{Source: p.describe, Credentials: *p.creds}
			a.describe, a.region = p.describe, p.region
			a.secrets = append(a.secrets, p.creds.SecretKey, p.creds.Token)
			tflog.Debug(ctx, "using credentials from a profile", map[string]any{"profile": p.name, "path": p.path})
			if p.roleArn != "" {
				via, err := newClient(client.Config{Credentials: a.source})
				if err != nil {
					diags.AddError("Unable to create the Tencent Cloud client", err.Error())
					return a
				}
				a.source = &client.AssumeRoleSource{Via: via, Input: client.AssumeRoleInput{
					RoleArn: p.roleArn, SessionName: p.roleSessionName, Duration: client.DefaultSessionDuration}}
				a.describe = fmt.Sprintf("the role-arn %s of %s", p.roleArn, p.describe)
				a.temporary = true
			}
		}
	}

	if role := valueOrEnv(d.CamRoleName, EnvCamRoleName, ""); role != "" {
		endpoint := os.Getenv(EnvMetadataEndpoint)
		if endpoint != "" {
			if err := checkEndpoint(endpoint); err != nil {
				diags.AddError("Invalid metadata endpoint", err.Error()+"\n\nThe value came from the environment variable "+EnvMetadataEndpoint+".")
				return a
			}
		}
		via, err := newClient(client.Config{Anonymous: true})
		if err != nil {
			diags.AddError("Unable to create the Tencent Cloud client", err.Error())
			return a
		}
		a.source = &client.CVMRoleSource{Via: via, Endpoint: endpoint, Role: role}
		a.describe = fmt.Sprintf("cam_role_name %q (the CVM metadata service; %s)", role, origin(d.CamRoleName, EnvCamRoleName))
		a.temporary, keyProblem = true, ""
	}

	webEnv := os.Getenv(EnvWebIdentityToken) != "" || os.Getenv(EnvWebIdentityTokenFile) != ""
	if ar := assumeRoleOf(d, webEnv); ar != nil {
		if a.source == nil {
			diags.AddAttributeError(path.Root("assume_role"), "No credentials to assume the role with",
				"assume_role calls STS AssumeRole signed with the credentials found before it, and none were found. Give a key "+
					"(secret_id and secret_key, or "+EnvSecretID+" and "+EnvSecretKey+"), a profile, or cam_role_name; or, from "+
					"a CI system with an OIDC token, use assume_role_with_web_identity instead. "+keyProblem)
			return a
		}
		in, ok := ar.input(diags)
		if !ok {
			return a
		}
		via, err := newClient(client.Config{Credentials: a.source})
		if err != nil {
			diags.AddError("Unable to create the Tencent Cloud client", err.Error())
			return a
		}
		a.source = &client.AssumeRoleSource{Via: via, Input: in}
		a.describe = fmt.Sprintf("assume_role (role_arn %s, %s), signed with %s", in.RoleArn, ar.origin, a.describe)
		a.temporary = true
	}

	if wi := webIdentityOf(d, webEnv); wi != nil {
		src, ok := wi.source(newClient, diags)
		if !ok {
			return a
		}
		a.source = src
		a.secrets = append(a.secrets, src.Input.Token)
		a.describe = fmt.Sprintf("%s (role_arn %s, %s)", wi.block, src.Input.RoleArn, wi.origin)
		a.temporary, keyProblem = true, ""
	}

	if a.source == nil {
		found := keyProblem
		if found == "" {
			found = "Found: neither a key nor any other source."
		}
		diags.AddError("Missing Tencent Cloud credentials",
			"The provider needs credentials. Supply them in one of these ways (the Authentication section of the "+
				"provider's documentation gives the order):\n"+
				"  - the provider arguments secret_id and secret_key (and security_token for temporary credentials);\n"+
				"  - the environment variables "+EnvSecretID+" and "+EnvSecretKey+" (and "+EnvSecurityToken+");\n"+
				"  - profile (or "+EnvProfile+"): tccli's <profile>.credential in shared_credentials_dir (~/.tccli), or "+
				"the section \"default\" (secret_id, secret_key) of the SDK credentials file at $"+EnvCredentialsFile+
				" or ~/.tencentcloud/credentials;\n"+
				"  - cam_role_name (or "+EnvCamRoleName+") on a CVM instance with a CAM role;\n"+
				"  - assume_role_with_web_identity (or "+EnvWebIdentityTokenFile+") with an OIDC token from CI.\n"+found)
	}
	return a
}

// roleRequest is an assume_role or assume_role_with_web_identity after the
// environment's fallbacks.
type roleRequest struct {
	block    string // the block's name, for messages
	roleArn  string
	session  string
	duration int64
	origin   string // "the provider block" or "the environment"
}

func (r roleRequest) check(diags *diag.Diagnostics) bool {
	at := path.Root(r.block)
	switch {
	case r.roleArn == "":
		diags.AddAttributeError(at, "Missing role ARN", fmt.Sprintf("%s needs role_arn (or %s).", r.block, EnvAssumeRoleArn))
	case !roleArnPattern.MatchString(r.roleArn):
		diags.AddAttributeError(at, "Invalid role ARN", fmt.Sprintf("%q (from %s) %s.", r.roleArn, r.origin, roleArnHelp))
	case r.session == "":
		diags.AddAttributeError(at, "Missing session name", fmt.Sprintf("%s needs session_name (or %s).", r.block, EnvAssumeRoleSessionName))
	case !sessionNamePattern.MatchString(r.session):
		diags.AddAttributeError(at, "Invalid session name", fmt.Sprintf("%q (from %s) must be 2 to 128 letters, digits or +=,.@_-.", r.session, r.origin))
	case r.duration < 0 || r.duration > maxSessionSeconds:
		diags.AddAttributeError(at, "Invalid session duration", fmt.Sprintf("The session duration must be 1 to %d seconds "+
			"(STS's maximum); %s gives %q. Set session_duration (or %s) within that range.", maxSessionSeconds, r.origin,
			os.Getenv(EnvAssumeRoleDuration), EnvAssumeRoleDuration))
	default:
		return true
	}
	return false
}

type assumeRoleRequest struct {
	roleRequest
	policy, externalID string
}

func (r *assumeRoleRequest) input(diags *diag.Diagnostics) (client.AssumeRoleInput, bool) {
	if !r.check(diags) {
		return client.AssumeRoleInput{}, false
	}
	if r.externalID != "" && !externalIDPattern.MatchString(r.externalID) {
		diags.AddAttributeError(path.Root("assume_role"), "Invalid external ID",
			fmt.Sprintf("The external ID from %s must be 2 to 128 letters, digits or =,.@:/_-.", r.origin))
		return client.AssumeRoleInput{}, false
	}
	return client.AssumeRoleInput{RoleArn: r.roleArn, SessionName: r.session, Duration: time.Duration(r.duration) * time.Second,
		Policy: r.policy, ExternalID: r.externalID}, true
}

// durationOrEnv is a session_duration, else the environment's, else 7200;
// -1 when the environment's is not a number.
func durationOrEnv(v types.Int64) int64 {
	if !v.IsNull() {
		return v.ValueInt64()
	}
	raw := os.Getenv(EnvAssumeRoleDuration)
	if raw == "" {
		return int64(client.DefaultSessionDuration / time.Second)
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n <= 0 {
		return -1
	}
	return n
}

// assumeRoleOf is the assume_role block, else the environment's
// TENCENTCLOUD_ASSUME_ROLE_ARN and _SESSION_NAME when no web identity token
// is in the environment (then they are its role); nil when neither.
func assumeRoleOf(d *QcloudProviderModel, webEnv bool) *assumeRoleRequest {
	if len(d.AssumeRole) == 1 {
		b := d.AssumeRole[0]
		return &assumeRoleRequest{
			roleRequest: roleRequest{block: "assume_role", origin: "the assume_role block",
				roleArn: valueOrEnv(b.RoleArn, EnvAssumeRoleArn, ""), session: valueOrEnv(b.SessionName, EnvAssumeRoleSessionName, ""),
				duration: durationOrEnv(b.SessionDuration)},
			policy: b.Policy.ValueString(), externalID: valueOrEnv(b.ExternalID, EnvAssumeRoleExternalID, ""),
		}
	}
	if len(d.WebIdentity) > 0 || webEnv || os.Getenv(EnvAssumeRoleArn) == "" || os.Getenv(EnvAssumeRoleSessionName) == "" {
		return nil
	}
	return &assumeRoleRequest{
		roleRequest: roleRequest{block: "assume_role", origin: "the environment (" + EnvAssumeRoleArn + ")",
			roleArn: os.Getenv(EnvAssumeRoleArn), session: os.Getenv(EnvAssumeRoleSessionName), duration: durationOrEnv(types.Int64Null())},
		externalID: os.Getenv(EnvAssumeRoleExternalID),
	}
}

type webIdentityRequest struct {
	roleRequest
	providerID, token, tokenFile string
	// region of the STS call; "" for the provider's.
	region string
	// missing lists the TKE variables enable_pod_oidc found unset.
	missing []string
}

// webIdentityOf is the assume_role_with_web_identity block, else the
// environment's web identity token (or token file); nil when neither.
func webIdentityOf(d *QcloudProviderModel, webEnv bool) *webIdentityRequest {
	if d.EnablePodOIDC.ValueBool() {
		return podIdentity()
	}
	var b webIdentityModel
	origin := "the assume_role_with_web_identity block"
	switch {
	case len(d.WebIdentity) == 1:
		b = d.WebIdentity[0]
	case webEnv:
		origin = "the environment (" + EnvWebIdentityTokenFile + " or " + EnvWebIdentityToken + ")"
		b = webIdentityModel{ProviderID: types.StringNull(), WebIdentityToken: types.StringNull(), WebIdentityTokenFile: types.StringNull(),
			RoleArn: types.StringNull(), SessionName: types.StringNull(), SessionDuration: types.Int64Null()}
	default:
		return nil
	}
	r := &webIdentityRequest{
		roleRequest: roleRequest{block: "assume_role_with_web_identity", origin: origin,
			roleArn: valueOrEnv(b.RoleArn, EnvAssumeRoleArn, ""), session: valueOrEnv(b.SessionName, EnvAssumeRoleSessionName, ""),
			duration: durationOrEnv(b.SessionDuration)},
		providerID: valueOrEnv(b.ProviderID, EnvAssumeRoleProviderID, defaultOIDCProvider),
	}
	// A token or a file named in the block wins over both variables.
	switch {
	case b.WebIdentityToken.ValueString() != "":
		r.token = b.WebIdentityToken.ValueString()
	case b.WebIdentityTokenFile.ValueString() != "":
		r.tokenFile = b.WebIdentityTokenFile.ValueString()
	case os.Getenv(EnvWebIdentityTokenFile) != "":
		r.tokenFile = os.Getenv(EnvWebIdentityTokenFile)
	default:
		r.token = os.Getenv(EnvWebIdentityToken)
	}
	return r
}

// podIdentity is enable_pod_oidc: the role, identity provider, token file
// and region TKE puts in a pod's environment.
func podIdentity() *webIdentityRequest {
	r := &webIdentityRequest{
		roleRequest: roleRequest{block: "enable_pod_oidc", origin: "the TKE_* variables of the pod",
			roleArn: os.Getenv(EnvTKERoleArn), session: cmp.Or(os.Getenv(EnvAssumeRoleSessionName), podSessionName),
			duration: durationOrEnv(types.Int64Null())},
		providerID: os.Getenv(EnvTKEProviderID), tokenFile: os.Getenv(EnvTKEWebIdentityTokenFile), region: os.Getenv(EnvTKERegion),
	}
	for _, name := range []string{EnvTKERoleArn, EnvTKEProviderID, EnvTKEWebIdentityTokenFile, EnvTKERegion} {
		if os.Getenv(name) == "" {
			r.missing = append(r.missing, name)
		}
	}
	return r
}

func (r *webIdentityRequest) source(newClient clientMaker, diags *diag.Diagnostics) (*client.WebIdentitySource, bool) {
	if len(r.missing) > 0 {
		diags.AddAttributeError(path.Root(r.block), "Not in a TKE pod with OIDC",
			fmt.Sprintf("enable_pod_oidc reads the variables TKE sets in a pod whose service account has OIDC enabled; "+
				"unset here: %s. Run Terraform in such a pod, or use assume_role_with_web_identity with the token file and "+
				"role of your CI system.", strings.Join(r.missing, ", ")))
		return nil, false
	}
	if !r.check(diags) {
		return nil, false
	}
	if r.token == "" && r.tokenFile == "" {
		diags.AddAttributeError(path.Root(r.block), "Missing web identity token",
			fmt.Sprintf("%s needs web_identity_token_file (or %s), or web_identity_token (or %s): the OIDC token your CI "+
				"system or TKE gives the job.", r.block, EnvWebIdentityTokenFile, EnvWebIdentityToken))
		return nil, false
	}
	via, err := newClient(client.Config{Anonymous: true, Region: r.region})
	if err != nil {
		diags.AddError("Unable to create the Tencent Cloud client", err.Error())
		return nil, false
	}
	return &client.WebIdentitySource{Via: via, TokenFile: expandHome(r.tokenFile), Input: client.WebIdentityInput{
		ProviderID: r.providerID, Token: r.token, RoleArn: r.roleArn, SessionName: r.session,
		Duration: time.Duration(r.duration) * time.Second}}, true
}

// checkAccount asks STS whose credentials these are and holds them against
// allowed_account_ids and forbidden_account_ids.
func checkAccount(ctx context.Context, c *client.Client, d *QcloudProviderModel, describe string, diags *diag.Diagnostics) {
	var allowed, forbidden []string
	diags.Append(d.AllowedAccountIDs.ElementsAs(ctx, &allowed, false)...)
	diags.Append(d.ForbiddenAccountIDs.ElementsAs(ctx, &forbidden, false)...)
	if diags.HasError() || (len(allowed) == 0 && len(forbidden) == 0) {
		return
	}
	id, err := c.CallerIdentity(ctx)
	if err != nil {
		diags.Append(diagnose(authenticating, "checking the account of "+describe+" (GetCallerIdentity)", err,
			facts{Region: c.Region(), Endpoint: c.Endpoint(), Auth: describe}, nil))
		return
	}
	tflog.Debug(ctx, "checked the account of the credentials", map[string]any{"account_id": id.AccountID, "type": id.Type})
	slices.Sort(allowed)
	switch {
	case len(allowed) > 0 && !slices.Contains(allowed, id.AccountID):
		diags.AddAttributeError(path.Root("allowed_account_ids"), "Account not allowed",
			fmt.Sprintf("The credentials (%s) belong to account %s, which is not in allowed_account_ids (%s). Nothing was "+
				"called but GetCallerIdentity. Use credentials of an allowed account, or add %s to allowed_account_ids if "+
				"this account is meant.", describe, id.AccountID, strings.Join(allowed, ", "), id.AccountID))
	case slices.Contains(forbidden, id.AccountID):
		diags.AddAttributeError(path.Root("forbidden_account_ids"), "Account forbidden",
			fmt.Sprintf("The credentials (%s) belong to account %s, which forbidden_account_ids lists. Nothing was called "+
				"but GetCallerIdentity. Use credentials of another account.", describe, id.AccountID))
	}
}

// expandHome replaces a leading ~ with the home directory.
func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, strings.TrimPrefix(p, "~"))
		}
	}
	return p
}
