package provider

import (
	"strings"
	"testing"
)

func TestCheckEndpoint(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"https://vpc.tencentcloudapi.com", "https://vpc.ap-guangzhou.tencentcloudapi.com:443",
		"http://127.0.0.1:9010", "http://127.9.9.9", "http://localhost:1", "http://[::1]:8080"} {
		if err := checkEndpoint(ok); err != nil {
			t.Errorf("checkEndpoint(%q) = %v, want it accepted", ok, err)
		}
	}
	for raw, want := range map[string]string{
		"http://vpc.example.com":               "not loopback",
		"http://10.0.0.1:8080":                 "not loopback",
		"http://127.0.0.1.example.com":         "not loopback",
		"ftp://127.0.0.1":                      "must start with https://",
		"not a url":                            "is not a URL",
		"https://vpc.example.com/?a=b":         "must not carry",
		"https://user:s3cr3t@vpc.example.com":  "must not carry user information",
		"http://user:s3cr3t@vpc.example.com":   "must not carry user information",
		"https://:s3cr3t@vpc.example.com#frag": "must not carry",
	} {
		err := checkEndpoint(raw)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("checkEndpoint(%q) = %v, want it refused with %q", raw, err, want)
			continue
		}
		if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("checkEndpoint(%q) repeats the URL's password: %v", raw, err)
		}
	}
}
