// Package acctest is the shared acceptance-test harness: it picks the cloud
// the tests run against (an in-process emulator, or the real one), provides
// the provider factories, the fixtures and the checks that ask the API what
// the world looks like.
//
// Where tests run:
//   - the emulator: plain `go test ./...`, with no special environment (and
//     never the real cloud, whatever credentials are set). Each test gets its
//     own emulator, and the tests run as unit tests (resource.UnitTest).
//   - the real cloud: TF_ACC=1 with TENCENTCLOUD_SECRET_ID and
//     TENCENTCLOUD_SECRET_KEY set, as in every provider (`make testacc`).
//     Fixture ids come from QCLOUD_TEST_* variables; a test lists what is
//     missing.
package acctest

import (
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/provider"
)

// Environment variables of the harness.
const (
	EnvFixtureEIP       = "QCLOUD_TEST_EIP_ID"
	EnvFixtureInstance  = "QCLOUD_TEST_INSTANCE_ID"
	EnvFixtureENI       = "QCLOUD_TEST_ENI_ID"
	EnvFixtureENIIP     = "QCLOUD_TEST_ENI_PRIVATE_IP"
	ProviderName        = "qcloud"
	emulatorRegion      = emulator.DefaultRegion
	checkDestroyTimeout = 2 * time.Minute
)

// The emulator's default world (see internal/emulator): the ids tests use.
const (
	EmulatorFreeEIP          = "eip-demo0001"
	EmulatorArrearsEIP       = "eip-demo0003"
	EmulatorBlockedEIP       = "eip-demo0005"
	EmulatorBoundEIP         = "eip-demo0002"
	EmulatorBoundInstance    = "ins-demo0002"
	EmulatorInstance         = "ins-demo0001"
	EmulatorInstanceENI      = "eni-demo0001"
	EmulatorInstanceENIIP    = "10.0.0.11"
	EmulatorSecondaryIP      = "10.0.0.12"
	EmulatorFailedInstance   = "ins-demo0004"
	EmulatorDanglingENI      = "eni-demo0005"
	EmulatorDanglingENIIP    = "10.0.1.5"
	EmulatorSpareEIP         = "eip-demo0006"
	EmulatorAnotherSpareEIP  = "eip-demo0007"
	EmulatorThirdSpareEIP    = "eip-demo0010"
	EmulatorNoChargeInstance = "ins-demo0005" // stopped in no-charge mode
	EmulatorWanIPInstance    = "ins-demo0006" // holds a normal public IP
	EmulatorNormalPublicIP   = "eip-demo0013" // that normal public IP (WanIP)
	EmulatorTwoENIInstance   = "ins-demo0007" // primary eni-demo0008 (10.0.0.71, .72), secondary eni-demo0009
	EmulatorTwoENIPrimary    = "eni-demo0008"
	EmulatorTwoENIPrimaryIP  = "10.0.0.71"
	EmulatorTwoENISecondIP   = "10.0.0.72"
	EmulatorTwoENISecondary  = "eni-demo0009"
	EmulatorTwoENISecondENIP = "10.0.2.71"
	emulatorProviderTemplate = `
provider "qcloud" {
  endpoint   = %q
  secret_id  = %q
  secret_key = %q
  region     = %q
}
`
)

// ProtoV6ProviderFactories starts the provider in-process for resource.Test.
// Each call starts a provider of its own, as Terraform starts a provider
// process for each command: what one command's resources share (the run
// ledger, the client's snapshot) is not shared with another's.
var ProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	ProviderName: func() (tfprotov6.ProviderServer, error) {
		return providerserver.NewProtocol6WithError(provider.New("test")())()
	},
}

// UsesCloud reports whether acceptance tests run against the real cloud:
// TF_ACC is set and so are credentials.
func UsesCloud() bool {
	return os.Getenv("TF_ACC") != "" && os.Getenv(provider.EnvSecretID) != "" && os.Getenv(provider.EnvSecretKey) != ""
}

// Main is the TestMain of packages with acceptance tests. It fails fast when
// the terraform CLI is missing (nothing may download one). On the emulator it
// removes the caller's cloud settings from this test process's environment,
// so that no provider started here can reach a real account, and it sets
// TF_CLI_CONFIG_FILE to /dev/null when it names a file that does not exist:
// Terraform only warns about that, but OpenTofu prints the warning on stdout,
// where terraform-plugin-testing reads the CLI's version.
func Main(m *testing.M) {
	// The tests mostly wait on terraform processes and the emulator: run more
	// of them at once than there are cores, unless -parallel says otherwise.
	flag.Parse()
	if !isSet("test.parallel") {
		_ = flag.Set("test.parallel", "6")
	}
	if err := ensureTerraform(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if !UsesCloud() {
		unsetCloud()
	}
	if f := os.Getenv("TF_CLI_CONFIG_FILE"); f != "" {
		if _, err := os.Stat(f); err != nil {
			_ = os.Setenv("TF_CLI_CONFIG_FILE", os.DevNull)
		}
	}
	os.Exit(m.Run())
}

func isSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// Test runs a test case: against the real cloud as an acceptance test, or on
// the emulator as a unit test, which needs no TF_ACC. The case gets this
// provider unless its steps name providers themselves (as they must when
// their configuration has a provider block).
func Test(t *testing.T, tc resource.TestCase) {
	t.Helper()
	stepsNameProviders := slices.ContainsFunc(tc.Steps, func(s resource.TestStep) bool { return s.ProtoV6ProviderFactories != nil })
	if tc.ProtoV6ProviderFactories == nil && !stepsNameProviders {
		tc.ProtoV6ProviderFactories = ProtoV6ProviderFactories
	}
	if UsesCloud() {
		resource.Test(t, tc)
		return
	}
	resource.UnitTest(t, tc)
}

// ensureTerraform points terraform-plugin-testing at the local CLI (or the one
// TF_ACC_TERRAFORM_PATH names, OpenTofu included), so that it never tries to
// download one.
func ensureTerraform() error {
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("TF_ACC_TERRAFORM_PATH=%s: %v", p, err)
		}
		return nil
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		return fmt.Errorf("acceptance tests need the terraform CLI (1.11 or later) on PATH or in TF_ACC_TERRAFORM_PATH; " +
			"none was found, and tests never download one")
	}
	return os.Setenv("TF_ACC_TERRAFORM_PATH", p)
}

// Cloud is what one test runs against: its provider configuration, fixtures,
// and a client for checks. On the emulator, Emulator is that test's own.
type Cloud struct {
	ProviderConfig string
	endpoint       string
	credential     emulator.Credential
	Emulator       *emulator.Emulator
	Client         *client.Client

	EIPID              string
	InstanceID         string
	NetworkInterfaceID string
	PrivateIP          string
}

// New returns the cloud for t: a fresh emulator, or the real cloud's
// fixtures (failing t with the list of missing variables).
func New(t *testing.T) *Cloud {
	t.Helper()
	if UsesCloud() {
		return realCloud(t)
	}
	return NewEmulator(t, emulator.DefaultOptions())
}

// EmulatorOnly skips t on the real cloud, saying why.
func EmulatorOnly(t *testing.T, why string) {
	t.Helper()
	if UsesCloud() {
		t.Skipf("emulator only: %s", why)
	}
}

// NewEmulator starts an emulator with opts for t, stopped when t ends.
func NewEmulator(t *testing.T, opts emulator.Options) *Cloud {
	t.Helper()
	emu, err := emulator.New(opts)
	if err != nil {
		t.Fatalf("starting the emulator: %v", err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(func() {
		srv.Close()
		_ = emu.Close()
	})
	cred := opts.Credentials[0]
	c, err := client.New(client.Config{
		SecretID: cred.SecretID, SecretKey: cred.SecretKey, Region: emulatorRegion, Endpoint: srv.URL,
		RateLimit: client.RateLimit{Write: 1000, Read: 1000},
	})
	if err != nil {
		t.Fatalf("building the check client: %v", err)
	}
	return &Cloud{
		ProviderConfig:     fmt.Sprintf(emulatorProviderTemplate, srv.URL, cred.SecretID, cred.SecretKey, emulatorRegion),
		endpoint:           srv.URL,
		credential:         cred,
		Emulator:           emu,
		Client:             c,
		EIPID:              EmulatorFreeEIP,
		InstanceID:         EmulatorInstance,
		NetworkInterfaceID: EmulatorDanglingENI,
		PrivateIP:          EmulatorDanglingENIIP,
	}
}

func realCloud(t *testing.T) *Cloud {
	t.Helper()
	required := []string{provider.EnvSecretID, provider.EnvSecretKey, provider.EnvRegion,
		EnvFixtureEIP, EnvFixtureInstance, EnvFixtureENI, EnvFixtureENIIP}
	var missing []string
	for _, env := range required {
		if os.Getenv(env) == "" {
			missing = append(missing, env)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("acceptance tests against the real cloud need these environment variables, which are not set: %s",
			strings.Join(missing, ", "))
	}
	c, err := client.New(client.Config{
		SecretID: os.Getenv(provider.EnvSecretID), SecretKey: os.Getenv(provider.EnvSecretKey),
		SecurityToken: os.Getenv(provider.EnvSecurityToken), Region: os.Getenv(provider.EnvRegion),
		Endpoint: os.Getenv(provider.EnvEndpoint),
	})
	if err != nil {
		t.Fatalf("building the check client: %v", err)
	}
	return &Cloud{
		ProviderConfig:     "provider \"qcloud\" {}\n",
		Client:             c,
		EIPID:              os.Getenv(EnvFixtureEIP),
		InstanceID:         os.Getenv(EnvFixtureInstance),
		NetworkInterfaceID: os.Getenv(EnvFixtureENI),
		PrivateIP:          os.Getenv(EnvFixtureENIIP),
	}
}

// Endpoint is the emulator's URL ("" on the real cloud).
func (c *Cloud) Endpoint() string { return c.endpoint }

// Address reads an address through the API.
func (c *Cloud) Address(id string) (*client.Address, error) {
	ctx, cancel := context.WithTimeout(context.Background(), checkDestroyTimeout)
	defer cancel()
	found, err := c.Client.Addresses(ctx, client.Query{IDs: []string{id}})
	if err != nil {
		return nil, err
	}
	for _, a := range found {
		if a.ID == id {
			return &a, nil
		}
	}
	return nil, nil
}

// CheckUnbound is a CheckDestroy: the API shows each EIP settled and unbound.
func (c *Cloud) CheckUnbound(ids ...string) func(*terraform.State) error {
	return func(*terraform.State) error {
		for _, id := range ids {
			a, err := c.Address(id)
			if err != nil {
				return fmt.Errorf("reading %s: %w", id, err)
			}
			if a == nil {
				return fmt.Errorf("EIP %s no longer exists", id)
			}
			if a.Status != client.StatusUnbind {
				return fmt.Errorf("EIP %s is %s (bound to %s), want UNBIND", id, a.Status, a.Describe())
			}
		}
		return nil
	}
}

// WriteCalls counts AssociateAddress and DisassociateAddress calls the
// emulator has seen.
func (c *Cloud) WriteCalls() int {
	stats := c.Emulator.Stats()
	return stats.Calls["AssociateAddress"] + stats.Calls["DisassociateAddress"]
}

// TotalCalls counts every API call the emulator has seen.
func (c *Cloud) TotalCalls() int {
	n := 0
	for _, calls := range c.Emulator.Stats().Calls {
		n += calls
	}
	return n
}

// CallsOf lists the action names with at least one call, for messages.
func (c *Cloud) CallsOf() string {
	stats := c.Emulator.Stats()
	var parts []string
	for action, n := range stats.Calls {
		parts = append(parts, fmt.Sprintf("%s=%d", action, n))
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}

// CheckBound checks, through the API, that the EIP is settled and bound to target.
func (c *Cloud) CheckBound(id string, target client.Target) func(*terraform.State) error {
	return func(*terraform.State) error {
		a, err := c.Address(id)
		if err != nil {
			return fmt.Errorf("reading %s: %w", id, err)
		}
		if a == nil || !a.IsSettled() || !a.BoundTo(target) {
			return fmt.Errorf("EIP %s: got %+v, want it settled and bound to %+v", id, a, target)
		}
		return nil
	}
}

// BindOutOfBand binds the EIP through the API, as someone outside Terraform would.
func (c *Cloud) BindOutOfBand(t *testing.T, id string, target client.Target) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), checkDestroyTimeout)
	defer cancel()
	taskID, err := c.Client.Associate(ctx, id, target)
	if err == nil {
		_, err = c.Client.WaitAddress(ctx, client.Task{Action: "AssociateAddress", AddressID: id, ID: taskID},
			func(a *client.Address) bool { return a.IsSettled() && a.BoundTo(target) })
	}
	if err != nil {
		t.Fatalf("binding %s out of band: %v", id, err)
	}
}

// Patch changes an address in the emulator's world out of band.
func (c *Cloud) Patch(t *testing.T, id string, p emulator.AddressPatch) {
	t.Helper()
	if err := c.Emulator.PatchAddress(id, p); err != nil {
		t.Fatalf("patching %s: %v", id, err)
	}
}

// MoveOutOfBand moves the EIP to a private IP of a network interface in the
// emulator's world, as someone outside Terraform would.
func (c *Cloud) MoveOutOfBand(t *testing.T, id string, to client.Target) {
	t.Helper()
	c.Patch(t, id, emulator.AddressPatch{Unbind: true})
	c.Patch(t, id, emulator.AddressPatch{BindNetworkInterfaceID: to.NetworkInterfaceID, BindPrivateIP: to.PrivateIP})
}

// Inject adds a fault to the emulator.
func (c *Cloud) Inject(t *testing.T, f emulator.Fault) {
	t.Helper()
	if err := c.Emulator.InjectFault(f); err != nil {
		t.Fatalf("injecting %+v: %v", f, err)
	}
}

// Parallel marks t parallel on the emulator, where every test has its own
// world. On the real cloud tests share the fixture EIP, so they run one at a
// time.
func Parallel(t *testing.T) {
	t.Helper()
	if !UsesCloud() {
		t.Parallel()
	}
}

// ProviderSettings are the provider arguments that point it at the emulator.
func (c *Cloud) ProviderSettings() map[string]string {
	return map[string]string{
		"endpoint": c.endpoint, "secret_id": c.credential.SecretID, "secret_key": c.credential.SecretKey, "region": emulatorRegion,
	}
}

// ProviderData configures the provider for the emulator, as Terraform would
// with c.ProviderConfig, and returns what it hands its resources: for tests
// that call a resource's methods directly.
func (c *Cloud) ProviderData(t *testing.T) any {
	t.Helper()
	ctx := context.Background()
	p := provider.New("test")()
	var schemaResp fwprovider.SchemaResponse
	p.Schema(ctx, fwprovider.SchemaRequest{}, &schemaResp)
	values := tfsdk.State{Schema: schemaResp.Schema, Raw: tftypes.NewValue(schemaResp.Schema.Type().TerraformType(ctx), nil)}
	for name, value := range c.ProviderSettings() {
		if d := values.SetAttribute(ctx, path.Root(name), value); d.HasError() {
			t.Fatalf("building the provider configuration: %v", d)
		}
	}
	config := tfsdk.Config(values)
	var resp fwprovider.ConfigureResponse
	p.Configure(ctx, fwprovider.ConfigureRequest{Config: config}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("configuring the provider: %v", resp.Diagnostics)
	}
	return resp.ResourceData
}
