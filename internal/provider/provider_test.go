package provider_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/acctest"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

func TestMain(m *testing.M) {
	acctest.Main(m)
}

// configWithProvider is a resource configuration under a given provider block.
const importOnlyResource = `
resource "qcloud_eip_association" "test" {
  eip_id      = "eip-demo0001"
  instance_id = "ins-demo0001"
}
`

func TestAccProvider_endpointChecks(t *testing.T) {
	acctest.EmulatorOnly(t, "checks the provider block, not the cloud")
	acctest.Parallel(t)
	tests := []struct {
		endpoint string
		want     string
	}{
		{"http://vpc.example.com", "plain http to a host that is not loopback"},
		{"http://10.0.0.1:8080", "plain http to a host that is not loopback"},
		{"ftp://127.0.0.1", "must start with https://"},
		{"not a url", "is not a URL"},
		{"https://user:pass@vpc.example.com", "must not carry user information"},
	}
	var steps []resource.TestStep
	for _, tt := range tests {
		steps = append(steps, resource.TestStep{
			Config: fmt.Sprintf(`
provider "qcloud" {
  endpoint   = %q
  secret_id  = "id"
  secret_key = "key"
}
`, tt.endpoint) + importOnlyResource,
			PlanOnly:    true,
			ExpectError: expectError(`Invalid endpoint.*` + regexp.QuoteMeta(tt.want)),
		})
	}
	acctest.Test(t, resource.TestCase{
		Steps: steps})
}

func TestAccProvider_loopbackHTTPAccepted(t *testing.T) {
	acctest.EmulatorOnly(t, "needs the emulator")
	acctest.Parallel(t)
	cloud := acctest.New(t)
	port := cloud.Endpoint()[strings.LastIndex(cloud.Endpoint(), ":")+1:]
	// The emulator through "localhost": a whole apply and destroy.
	acctest.Test(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "qcloud" {
  endpoint   = "http://localhost:%s"
  secret_id  = %q
  secret_key = %q
}
`, port, emulator.DefaultSecretID, emulator.DefaultSecretKey) + importOnlyResource,
		}},
		CheckDestroy: cloud.CheckUnbound(acctest.EmulatorFreeEIP),
	})
	if n := cloud.WriteCalls(); n != 2 {
		t.Errorf("the emulator saw %d writes through localhost, want a bind and an unbind (%s)", n, cloud.CallsOf())
	}
	// Other loopback forms pass validation (a plan whose EIP is known only
	// at apply time calls nothing).
	for _, host := range []string{"[::1]", "127.0.0.2"} {
		acctest.Test(t, resource.TestCase{
			Steps: []resource.TestStep{{
				Config: fmt.Sprintf(`
provider "qcloud" {
  endpoint   = "http://%s:1"
  secret_id  = "id"
  secret_key = "key"
}

resource "terraform_data" "eip" {
  input = "eip-demo0001"
}

resource "qcloud_eip_association" "test" {
  eip_id      = terraform_data.eip.output
  instance_id = "ins-demo0001"
}
`, host),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			}},
		})
	}
}

func TestAccProvider_missingCredentials(t *testing.T) {
	acctest.EmulatorOnly(t, "the cloud target has credentials by definition")
	t.Setenv("HOME", t.TempDir()) // no ~/.tencentcloud/credentials
	acctest.Test(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:      `provider "qcloud" {}` + importOnlyResource,
			PlanOnly:    true,
			ExpectError: expectError(`Missing Tencent Cloud credentials.*secret_id and secret_key.*TENCENTCLOUD_SECRET_ID.*TENCENTCLOUD_SECRET_KEY.*credentials`),
		}},
	})
}

func TestAccProvider_credentialsFile(t *testing.T) {
	acctest.EmulatorOnly(t, "needs the emulator")
	cloud := acctest.New(t)
	file := t.TempDir() + "/credentials"
	writeFile(t, file, fmt.Sprintf("[default]\nsecret_id = %s\nsecret_key = %s\n", emulator.DefaultSecretID, emulator.DefaultSecretKey))
	t.Setenv("TENCENTCLOUD_CREDENTIALS_FILE", file)
	t.Setenv("QCLOUD_ENDPOINT", cloud.Endpoint())
	acctest.Test(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: `provider "qcloud" {}` + importOnlyResource,
		}},
		CheckDestroy: cloud.CheckUnbound(acctest.EmulatorFreeEIP),
	})
	if cloud.WriteCalls() != 2 {
		t.Errorf("want one bind and one unbind through file credentials, saw %s", cloud.CallsOf())
	}
}

func TestAccProvider_tlsFailure(t *testing.T) {
	acctest.EmulatorOnly(t, "needs a local TLS server")
	acctest.Parallel(t)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		t.Error("the request went through despite an untrusted certificate")
	}))
	defer srv.Close()
	acctest.Test(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "qcloud" {
  endpoint   = %q
  secret_id  = "id"
  secret_key = "key"
}
`, srv.URL) + importOnlyResource,
			ExpectError: expectError(`TLS certificate could not be verified.*CA certificates`),
		}},
	})
}
