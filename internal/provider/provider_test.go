package provider_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
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

// importOnlyResource is a resource for tests of the provider block: its plan
// fails on the provider's configuration before it reads anything.
const importOnlyResource = `
resource "qcloud_eip_association" "test" {
  eip_id      = "eip-demo0001"
  instance_id = "ins-demo0001"
}
`

// providerWith is the cloud's provider block with one more argument line.
func providerWith(cloud *acctest.Cloud, argument string) string {
	return strings.Replace(cloud.ProviderConfig, "region", argument+"\n  region", 1)
}

func TestAccProvider_endpointChecks(t *testing.T) {
	acctest.EmulatorOnly(t, "checks the provider block, not the cloud")
	acctest.Parallel(t)
	for i, tt := range []struct{ endpoint, want string }{
		{"http://vpc.example.com", "plain http to a host that is not loopback"},
		{"http://10.0.0.1:8080", "plain http to a host that is not loopback"},
		{"ftp://127.0.0.1", "must start with https://"},
		{"not a url", "is not a URL"},
		{"https://user:pass@vpc.example.com", "must not carry user information"},
	} {
		t.Run(tt.endpoint, func(t *testing.T) {
			testProviderFails(t, i == 0, endpointProvider(tt.endpoint), `Invalid endpoint.*`+regexp.QuoteMeta(tt.want))
		})
	}
}

// endpointProvider is a provider block for endpoint, with a key the
// emulator does not know.
func endpointProvider(endpoint string) string {
	return fmt.Sprintf("provider \"qcloud\" {\n  endpoint   = %q\n  secret_id  = \"id\"\n  secret_key = \"key\"\n}\n", endpoint)
}

func TestAccProvider_loopbackHTTPAccepted(t *testing.T) {
	cloud := newParallelEmulator(t, "needs the emulator")
	port := cloud.Endpoint()[strings.LastIndex(cloud.Endpoint(), ":")+1:]
	// The emulator through "localhost": a whole apply and destroy.
	testCheckDestroy(t, cloud.CheckUnbound(acctest.EmulatorFreeEIP), resource.TestStep{Config: fmt.Sprintf(`
provider "qcloud" {
  endpoint   = "http://localhost:%s"
  secret_id  = %q
  secret_key = %q
}
`, port, emulator.DefaultSecretID, emulator.DefaultSecretKey) + importOnlyResource})
	must(t, writes(cloud, 2)) // a bind and an unbind through localhost
	// Other loopback forms pass validation and configure (which calls nothing).
	for _, host := range []string{"[::1]", "127.0.0.2"} {
		t.Run(host, func(t *testing.T) {
			if _, diags := authConfigureOverProtocol(t, endpointProvider("http://"+host+":1")); len(diags) > 0 {
				t.Errorf("endpoint http://%s:1: %s", host, describeDiagnostics(diags))
			}
		})
	}
}

func TestAccProvider_missingCredentials(t *testing.T) {
	acctest.EmulatorOnly(t, "the cloud target has credentials by definition")
	t.Setenv("HOME", t.TempDir()) // no ~/.tencentcloud/credentials
	testPlanFails(t, `provider "qcloud" {}`+importOnlyResource,
		`Missing Tencent Cloud credentials.*secret_id and secret_key.*TENCENTCLOUD_SECRET_ID.*TENCENTCLOUD_SECRET_KEY.*credentials`)
}

func TestAccProvider_credentialsFile(t *testing.T) {
	acctest.EmulatorOnly(t, "needs the emulator")
	cloud := acctest.New(t)
	file := t.TempDir() + "/credentials"
	writeFile(t, file, fmt.Sprintf("[default]\nsecret_id = %s\nsecret_key = %s\n", emulator.DefaultSecretID, emulator.DefaultSecretKey))
	t.Setenv("TENCENTCLOUD_CREDENTIALS_FILE", file)
	t.Setenv("QCLOUD_ENDPOINT", cloud.Endpoint())
	testCheckDestroy(t, cloud.CheckUnbound(acctest.EmulatorFreeEIP), resource.TestStep{Config: `provider "qcloud" {}` + importOnlyResource})
	must(t, writes(cloud, 2)) // a bind and an unbind through file credentials
}

func TestAccProvider_tlsFailure(t *testing.T) {
	acctest.EmulatorOnly(t, "needs a local TLS server")
	acctest.Parallel(t)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		t.Error("the request went through despite an untrusted certificate")
	}))
	defer srv.Close()
	testApplyFails(t, endpointProvider(srv.URL)+importOnlyResource, `TLS certificate could not be verified.*CA certificates`)
}

// The provider never crashes on a credentials file, and says what is wrong
// with it.
func TestAccProvider_credentialsFileProblems(t *testing.T) {
	acctest.EmulatorOnly(t, "the real cloud has credentials by definition")
	dir := t.TempDir()
	missing := dir + "/missing"
	for i, tt := range []struct{ name, content, named, want string }{
		{"only a prod section", "[prod]\nsecret_id = AKIDx\nsecret_key = y\n", "", `has no section "default" \(sections found: "prod"\)`},
		{"empty", "", "", `has no section "default" \(sections found: none\)`},
		{"not INI", "\x00\x01{\"json\": true}\n", "", `is not an INI file|has no section "default"`},
		{"only the id", "[default]\nsecret_id = AKIDx\n", "", `has secret_id but no secret_key`},
		{"only the key", "[default]\nsecret_key = y\n", "", `has secret_key but no secret_id`},
		{"named file missing", "", missing, `TENCENTCLOUD_CREDENTIALS_FILE names ` + regexp.QuoteMeta(missing) + `, which does not exist`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HOME", t.TempDir())
			file := tt.named
			if file == "" {
				file = fmt.Sprintf("%s/credentials-%d", dir, i)
				writeFile(t, file, tt.content)
			}
			t.Setenv("TENCENTCLOUD_CREDENTIALS_FILE", file)
			testProviderFails(t, i == 0, `provider "qcloud" {}`, `Missing Tencent Cloud credentials.*`+tt.want)
		})
	}
	// The default file, ~/.tencentcloud/credentials, is read the same way.
	home := t.TempDir()
	if err := os.MkdirAll(home+"/.tencentcloud", 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, home+"/.tencentcloud/credentials", "[prod]\nsecret_id = a\n")
	t.Setenv("HOME", home)
	testProviderFails(t, false, `provider "qcloud" {}`, `Missing Tencent Cloud credentials.*has no section "default"`)
}

// A region that is not one is refused at plan time, naming region; one the
// API refuses is an error that removes nothing from the state.
func TestAccProvider_region(t *testing.T) {
	cloud := newParallelEmulator(t, "uses the emulator's regions")
	withRegion := func(region string) string {
		return strings.Replace(instanceConfig(cloud), `region     = "ap-guangzhou"`, fmt.Sprintf("region     = %q", region), 1)
	}
	testUnbound(t, cloud,
		planFails(withRegion("ap-guangzhou-3"), `region.*must be a region name`),
		resource.TestStep{Config: withRegion("ap-guangzhou")},
		planFails(withRegion("ap-nowhere"), `Region not valid.*"ap-nowhere".*Nothing was removed from the state`),
		resource.TestStep{Config: withRegion("ap-guangzhou"), ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: emptyPlan}},
	)
}
