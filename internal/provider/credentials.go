package provider

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"gopkg.in/ini.v1"
)

// credentialsFile is the SDK credentials file's [default] section, as far as
// it could be read.
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
func readCredentialsFile() credentialsFile {
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
		f.Problem = fmt.Sprintf("the credentials file %s is not an INI file with a [default] section (%v)", path, err)
		return f
	}
	section, err := cfg.GetSection("default")
	if err != nil {
		f.Problem = fmt.Sprintf("the credentials file %s has no [default] section (sections found: %v); "+
			"the provider reads only [default]", path, sectionNames(cfg))
		return f
	}
	f.SecretID = section.Key("secret_id").String()
	f.SecretKey = section.Key("secret_key").String()
	switch {
	case f.SecretID == "" && f.SecretKey == "":
		f.Problem = fmt.Sprintf("the [default] section of %s has neither secret_id nor secret_key", path)
	case f.SecretID == "":
		f.Problem = fmt.Sprintf("the [default] section of %s has secret_key but no secret_id", path)
	case f.SecretKey == "":
		f.Problem = fmt.Sprintf("the [default] section of %s has secret_id but no secret_key", path)
	}
	return f
}

func sectionNames(cfg *ini.File) []string {
	var names []string
	for _, s := range cfg.Sections() {
		if s.Name() != ini.DefaultSection {
			names = append(names, "["+s.Name()+"]")
		}
	}
	if names == nil {
		names = []string{"none"}
	}
	return names
}
