package provider

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gopkg.in/ini.v1"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
)

// credentialsFile is a section of the SDK credentials file ([default], or
// the profile's), as far as it could be read.
type credentialsFile struct {
	Path      string
	SecretID  string
	SecretKey string
	// Problem says why the file gave no usable pair ("" when it did, or when
	// there is no file and none was named).
	Problem string
}

// readCredentialsFile reads the SDK credentials file: the one
// TENCENTCLOUD_CREDENTIALS_FILE names, else ~/.tencentcloud/credentials if it
// exists. It never fails on the file's content (the SDK's own reader panics
// on a file without a [default] section): what is wrong is described.
func readCredentialsFile(section string) credentialsFile {
	path, named := os.LookupEnv(EnvCredentialsFile)
	if !named {
		home, err := os.UserHomeDir()
		if err != nil {
			return credentialsFile{}
		}
		path = filepath.Join(home, ".tencentcloud", "credentials")
	}
	f := credentialsFile{Path: path}
	switch info, err := os.Stat(path); {
	case named && path == "":
		f.Problem = EnvCredentialsFile + " is set but empty; unset it or name a file"
		return f
	case errors.Is(err, fs.ErrNotExist) && !named:
		return credentialsFile{} // no file, none named: nothing to say
	case errors.Is(err, fs.ErrNotExist):
		f.Problem = fmt.Sprintf("%s names %s, which does not exist", EnvCredentialsFile, path)
		return f
	case err != nil:
		f.Problem = fmt.Sprintf("the credentials file %s cannot be read: %v", path, err)
		return f
	case info.IsDir():
		f.Problem = fmt.Sprintf("the credentials file %s is a directory", path)
		return f
	}
	cfg, err := ini.Load(path)
	if err != nil {
		f.Problem = fmt.Sprintf("the credentials file %s is not an INI file with a section %q (%v)", path, section, err)
		return f
	}
	s, err := cfg.GetSection(section)
	if err != nil {
		f.Problem = fmt.Sprintf("the credentials file %s has no section %q (sections found: %s); "+
			"the provider reads the section named by profile (or %s), %q when unset", path, section, sectionNames(cfg), EnvProfile, defaultProfile)
		return f
	}
	f.SecretID = s.Key("secret_id").String()
	f.SecretKey = s.Key("secret_key").String()
	switch {
	case f.SecretID == "" && f.SecretKey == "":
		f.Problem = fmt.Sprintf("the section %q of %s has neither secret_id nor secret_key", section, path)
	case f.SecretID == "":
		f.Problem = fmt.Sprintf("the section %q of %s has secret_key but no secret_id", section, path)
	case f.SecretKey == "":
		f.Problem = fmt.Sprintf("the section %q of %s has secret_id but no secret_key", section, path)
	}
	return f
}

// sectionNames lists the file's sections, quoted: Terraform 1.15 renders a
// word in brackets that names a color ([default], [red]) as that color.
func sectionNames(cfg *ini.File) string {
	var names []string
	for _, s := range cfg.Sections() {
		if s.Name() != ini.DefaultSection {
			names = append(names, strconv.Quote(s.Name()))
		}
	}
	if names == nil {
		return "none"
	}
	return strings.Join(names, ", ")
}

// profile is what a profile gave: a key (and maybe a role to assume, and a
// region), or the problem found.
type profile struct {
	name, path, describe, region string
	creds                        *client.Credentials
	roleArn, roleSessionName     string
	problem                      string
}

// tccliCredential is tccli's <profile>.credential.
type tccliCredential struct {
	SecretID        string `json:"secretId"`
	SecretKey       string `json:"secretKey"`
	Token           string `json:"token"`
	RoleArn         string `json:"role-arn"`
	RoleSessionName string `json:"role-session-name"`
}

// readProfile reads the profile (profile or TENCENTCLOUD_PROFILE, default
// "default"): tccli's <profile>.credential in shared_credentials_dir, with
// the region of <profile>.configure; else the [<profile>] section of the SDK
// credentials file. A profile named explicitly must exist in one of them.
func readProfile(d *QcloudProviderModel) profile {
	name := valueOrEnv(d.Profile, EnvProfile, defaultProfile)
	dir := expandHome(valueOrEnv(d.SharedCredentialsDir, EnvSharedCredentialsDir, defaultSharedCredentialDir))
	explicit := name != defaultProfile || valueOrEnv(d.SharedCredentialsDir, EnvSharedCredentialsDir, "") != ""
	p := profile{name: name, path: filepath.Join(dir, name+".credential")}
	p.describe = fmt.Sprintf("profile %q (%s)", name, p.path)

	raw, err := os.ReadFile(p.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// No tccli profile: the SDK credentials file's section.
		f := readCredentialsFile(name)
		switch {
		case f.Problem == "" && f.SecretID != "":
			p.path, p.describe = f.Path, fmt.Sprintf("the section %q of the credentials file %s", name, f.Path)
			p.creds = &client.Credentials{SecretID: f.SecretID, SecretKey: f.SecretKey}
		case explicit && (f.Problem == "" || f.Path == ""):
			p.problem = fmt.Sprintf("profile %q was not found: there is no %s, and no SDK credentials file (%s or "+
				"~/.tencentcloud/credentials) with a section %q. Run tccli configure --profile %s, or check profile "+
				"and shared_credentials_dir (or %s and %s)", name, p.path, EnvCredentialsFile, name, name, EnvProfile, EnvSharedCredentialsDir)
		case explicit:
			p.problem = fmt.Sprintf("profile %q was not found: there is no %s, and %s", name, p.path, f.Problem)
		default:
			p.problem = f.Problem
		}
		return p
	case err != nil:
		p.problem = fmt.Sprintf("the tccli profile file %s cannot be read: %v", p.path, unwrapPath(err))
		return p
	}
	var c tccliCredential
	if err := json.Unmarshal(raw, &c); err != nil {
		p.problem = fmt.Sprintf("the tccli profile file %s is not valid JSON (%v); run tccli configure --profile %s to write it again", p.path, err, name)
		return p
	}
	switch {
	case c.SecretID == "" || c.SecretKey == "":
		p.problem = fmt.Sprintf("the tccli profile file %s has %s; it needs secretId and secretKey", p.path, credentialSummary(c.SecretID, c.SecretKey))
		return p
	case (c.RoleArn == "") != (c.RoleSessionName == ""):
		p.problem = fmt.Sprintf("the tccli profile file %s has only one of role-arn and role-session-name; give both to assume the role, or neither", p.path)
		return p
	}
	p.creds = &client.Credentials{SecretID: c.SecretID, SecretKey: c.SecretKey, Token: c.Token}
	p.roleArn, p.roleSessionName = c.RoleArn, c.RoleSessionName

	configure := filepath.Join(dir, name+".configure")
	if raw, err := os.ReadFile(configure); err == nil {
		var conf struct {
			SysParam struct {
				Region string `json:"region"`
			} `json:"_sys_param"`
		}
		if err := json.Unmarshal(raw, &conf); err != nil {
			p.problem = fmt.Sprintf("the tccli profile file %s is not valid JSON (%v)", configure, err)
			p.creds = nil
			return p
		}
		p.region = conf.SysParam.Region
	}
	return p
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
