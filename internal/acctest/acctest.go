// Package acctest is the shared acceptance-test harness: it picks the target
// (an in-process emulator, or the real cloud), provides the provider factories,
// the fixtures and the checks that ask the API what the world looks like.
//
// Targets:
//   - emulator: TF_ACC=1 and no cloud credentials, or QCLOUD_ACC_TARGET=emulator
//     (what `make test` sets, so that it never touches a real account even when
//     credentials are in the environment). Each test gets its own emulator.
//   - cloud: TF_ACC=1 with TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY, or
//     QCLOUD_ACC_TARGET=cloud (what `make testacc` sets). Fixture ids come from
//     QCLOUD_TEST_* variables; PreCheck lists what is missing.
package acctest

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/provider"
)

// Environment variables of the harness.
const (
	EnvTarget           = "QCLOUD_ACC_TARGET"
	EnvFixtureEIP       = "QCLOUD_TEST_EIP_ID"
	EnvFixtureInstance  = "QCLOUD_TEST_INSTANCE_ID"
	EnvFixtureENI       = "QCLOUD_TEST_ENI_ID"
	EnvFixtureENIIP     = "QCLOUD_TEST_ENI_PRIVATE_IP"
	ProviderName        = "qcloud"
	emulatorRegion      = emulator.DefaultRegion
	cloudTargetName     = "cloud"
	emulatorTargetName  = "emulator"
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
var ProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	ProviderName: providerserver.NewProtocol6WithError(provider.New("test")()),
}

// UsesCloud reports whether acceptance tests run against the real cloud.
func UsesCloud() bool {
	switch os.Getenv(EnvTarget) {
	case cloudTargetName:
		return true
	case emulatorTargetName:
		return false
	}
	return os.Getenv(provider.EnvSecretID) != "" && os.Getenv(provider.EnvSecretKey) != ""
}

// Main is the TestMain of packages with acceptance tests: it fails fast when
// the terraform CLI is missing (nothing may download one) and, on the
// emulator target, hides the caller's cloud settings from the provider.
func Main(m *testing.M) {
	if os.Getenv("TF_ACC") != "" {
		if err := ensureTerraform(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if !UsesCloud() {
			for _, env := range CloudVariables {
				_ = os.Unsetenv(env)
			}
		}
	}
	os.Exit(m.Run())
}

// ensureTerraform points terraform-plugin-testing at the local CLI, so that
// it never tries to download one.
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

// Target is where one test runs: its provider configuration, fixtures, and a
// client for checks. On the emulator target, Emulator is that test's own.
type Target struct {
	ProviderConfig string
	endpoint       string
	Emulator       *emulator.Emulator
	Client         *client.Client

	EIPID              string
	InstanceID         string
	NetworkInterfaceID string
	PrivateIP          string
}

// New returns the target for t: a fresh emulator, or the cloud fixtures
// (failing t with the list of missing variables).
func New(t *testing.T) *Target {
	t.Helper()
	if UsesCloud() {
		return cloudTarget(t)
	}
	return EmulatorTarget(t, emulator.DefaultOptions())
}

// EmulatorOnly skips t on the cloud target, saying why.
func EmulatorOnly(t *testing.T, why string) {
	t.Helper()
	if UsesCloud() {
		t.Skipf("emulator only: %s", why)
	}
}

// EmulatorTarget starts an emulator with opts for t, stopped when t ends.
func EmulatorTarget(t *testing.T, opts emulator.Options) *Target {
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
	return &Target{
		ProviderConfig:     fmt.Sprintf(emulatorProviderTemplate, srv.URL, cred.SecretID, cred.SecretKey, emulatorRegion),
		endpoint:           srv.URL,
		Emulator:           emu,
		Client:             c,
		EIPID:              EmulatorFreeEIP,
		InstanceID:         EmulatorInstance,
		NetworkInterfaceID: EmulatorDanglingENI,
		PrivateIP:          EmulatorDanglingENIIP,
	}
}

func cloudTarget(t *testing.T) *Target {
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
		t.Fatalf("the real-cloud acceptance target needs these environment variables, which are not set: %s",
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
	return &Target{
		ProviderConfig:     "provider \"qcloud\" {}\n",
		Client:             c,
		EIPID:              os.Getenv(EnvFixtureEIP),
		InstanceID:         os.Getenv(EnvFixtureInstance),
		NetworkInterfaceID: os.Getenv(EnvFixtureENI),
		PrivateIP:          os.Getenv(EnvFixtureENIIP),
	}
}

// Endpoint is the emulator's URL ("" on the cloud target).
func (tg *Target) Endpoint() string { return tg.endpoint }

// Address reads an address through the API.
func (tg *Target) Address(id string) (*client.Address, error) {
	ctx, cancel := context.WithTimeout(context.Background(), checkDestroyTimeout)
	defer cancel()
	found, err := tg.Client.Addresses(ctx, client.Query{IDs: []string{id}})
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
func (tg *Target) CheckUnbound(ids ...string) func(*terraform.State) error {
	return func(*terraform.State) error {
		for _, id := range ids {
			a, err := tg.Address(id)
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
func (tg *Target) WriteCalls() int {
	stats := tg.Emulator.Stats()
	return stats.Calls["AssociateAddress"] + stats.Calls["DisassociateAddress"]
}

// TotalCalls counts every API call the emulator has seen.
func (tg *Target) TotalCalls() int {
	n := 0
	for _, c := range tg.Emulator.Stats().Calls {
		n += c
	}
	return n
}

// CallsOf lists the action names with at least one call, for messages.
func (tg *Target) CallsOf() string {
	stats := tg.Emulator.Stats()
	var parts []string
	for action, n := range stats.Calls {
		parts = append(parts, fmt.Sprintf("%s=%d", action, n))
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}

// CheckBound checks, through the API, that the EIP is settled and bound to target.
func (tg *Target) CheckBound(id string, target client.Target) func(*terraform.State) error {
	return func(*terraform.State) error {
		a, err := tg.Address(id)
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
func (tg *Target) BindOutOfBand(t *testing.T, id string, target client.Target) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), checkDestroyTimeout)
	defer cancel()
	taskID, err := tg.Client.Associate(ctx, id, target)
	if err == nil {
		_, err = tg.Client.WaitAddress(ctx, client.Wait{AddressID: id, Operation: "AssociateAddress", TaskID: taskID,
			Done: func(a *client.Address) bool { return a.IsSettled() && a.BoundTo(target) }})
	}
	if err != nil {
		t.Fatalf("binding %s out of band: %v", id, err)
	}
}

// Patch changes an address in the emulator's world out of band.
func (tg *Target) Patch(t *testing.T, id string, p emulator.AddressPatch) {
	t.Helper()
	if err := tg.Emulator.PatchAddress(id, p); err != nil {
		t.Fatalf("patching %s: %v", id, err)
	}
}

// Inject adds a fault to the emulator.
func (tg *Target) Inject(t *testing.T, f emulator.Fault) {
	t.Helper()
	if err := tg.Emulator.InjectFault(f); err != nil {
		t.Fatalf("injecting %+v: %v", f, err)
	}
}

// Parallel marks t parallel on the emulator target, where every test has its
// own world. On the cloud target tests share the fixture EIP, so they run one
// at a time.
func Parallel(t *testing.T) {
	t.Helper()
	if !UsesCloud() {
		t.Parallel()
	}
}
