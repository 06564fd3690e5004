package e2e

import (
	"cmp"
	"fmt"
	"strings"
)

// ScaleEIP names the i-th (1-based) EIP of an emulator started with -scale.
func ScaleEIP(i int) string { return fmt.Sprintf("eip-sc%06d", i) }

// ScaleEIPs lists ScaleEIP(1..n).
func ScaleEIPs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = ScaleEIP(i + 1)
	}
	return out
}

// AssociationsConfig describes a configuration of N associations, EIP
// eip-scNNNNNN to instance ins-scNNNNNN for NNNNNN = 1..N, after the
// provider block Provider (see header), followed by Extra (variables,
// outputs); Timeout, when set, is every create and delete timeout.
type AssociationsConfig struct {
	N                        int
	Provider, Extra, Timeout string
}

// HCL renders the configuration.
func (c AssociationsConfig) HCL() string {
	var b strings.Builder
	b.WriteString(header(c.Provider))
	if c.N > 0 {
		fmt.Fprintf(&b, `
resource "qcloud_eip_association" "a" {
  count       = %d
  eip_id      = format("eip-sc%%06d", count.index + 1)
  instance_id = format("ins-sc%%06d", count.index + 1)
%s}
`, c.N, timeouts(c.Timeout))
	}
	if c.Extra != "" {
		b.WriteString("\n" + strings.TrimSpace(c.Extra) + "\n")
	}
	return b.String()
}

// timeouts is the timeouts attribute of a resource, every create and delete
// timeout set to timeout ("": none).
func timeouts(timeout string) string {
	if timeout == "" {
		return ""
	}
	return fmt.Sprintf("  timeouts = {\n    create = %q\n    delete = %q\n  }\n", timeout, timeout)
}

// header is the terraform block and the provider block (provider empty:
// `provider "qcloud" {}`, everything from the environment).
func header(provider string) string {
	return `terraform {
  required_providers {
    qcloud = {
      source = "tfqcloud/qcloud"
    }
  }
}

` + strings.TrimSpace(cmp.Or(provider, `provider "qcloud" {}`)) + "\n"
}

// BaselineConfig is N terraform_data resources: Terraform's own floor.
func BaselineConfig(n int) string {
	return fmt.Sprintf(`resource "terraform_data" "b" {
  count = %d
  input = format("eip-sc%%06d", count.index + 1)
}
`, n)
}

// QueryConfig is a .tfquery.hcl file listing up to limit bindings, with
// their resources.
func QueryConfig(limit int) string {
	return fmt.Sprintf(`list "qcloud_eip_association" "all" {
  provider         = qcloud
  include_resource = true
  limit            = %d
}
`, limit)
}
