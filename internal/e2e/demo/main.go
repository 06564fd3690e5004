// Command demo is `make demo`: it binds two EIPs with Terraform against a
// local emulator of the Tencent Cloud VPC API, unbinds them, and shows what
// the "cloud" saw, on a copy of examples/demo/ in a temporary folder with a
// CLI configuration of its own (the user's is neither read nor changed).
package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/e2e"
	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// The demo credential, which the emulator alone accepts.
const (
	demoSecretID  = "AKIDqcloudDemo"
	demoSecretKey = "qcloud-demo-secret"
)

var bold, red, green, reset string

func main() {
	version := flag.String("version", "dev", "version of the provider built into bin/")
	flag.Parse()
	if st, err := os.Stdout.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
		bold, red, green, reset = "\033[1m", "\033[31m", "\033[32m", "\033[0m"
	}
	os.Exit(run(*version))
}

// step prints a step's title, and notes what the demo is doing, for the
// message should it fail.
func (d *demo) step(doing, title string) {
	d.doing = doing
	fmt.Printf("\n%s==> %s%s\n", bold, title, reset)
}

func info(format string, args ...any) { fmt.Println(indent(fmt.Sprintf(format, args...))) }

// demo is the run's progress, for the message should it fail.
type demo struct {
	doing string
	emu   *e2e.EmulatorProcess
}

func run(version string) int {
	ctx, stop := e2e.InterruptContext()
	defer stop()
	work, err := os.MkdirTemp("", "qcloud-demo-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "make demo: %v\n", err)
		return 1
	}
	d := &demo{doing: "starting"}
	err = d.run(ctx, work, version)
	if d.emu != nil {
		d.emu.Stop()
		if err != nil {
			fmt.Fprintf(os.Stderr, "\nThe last lines of the emulator log:\n%s\n", indent(e2e.LastLines(d.emu.Log(), 12)))
		}
	}
	_ = os.RemoveAll(work)
	switch {
	case ctx.Err() != nil:
		fmt.Fprintf(os.Stderr, "\n%sInterrupted during: %s.%s\nThe emulator is stopped and the temporary files are removed.\n", red, d.doing, reset)
		return 130
	case err != nil:
		fmt.Fprintf(os.Stderr, "\n%smake demo: %v%s\n", red, err, reset)
		fmt.Fprintf(os.Stderr, "%sDemo failed during: %s.%s\nThe emulator is stopped and the temporary files are removed.\n", red, d.doing, reset)
		return 1
	}
	fmt.Printf("\n%sDemo finished: the emulator is stopped and its temporary files are removed.%s\n", green, reset)
	return 0
}

func (d *demo) run(ctx context.Context, work, version string) error {
	d.step("building the provider and the emulator", "1/5 Building the provider and the emulator into bin/")
	root, err := e2e.ModuleRoot()
	if err != nil {
		return err
	}
	bins, err := e2e.Build(ctx, e2e.BuildOptions{Dir: filepath.Join(root, "bin"), Version: version})
	if err != nil {
		return err
	}
	info("bin/terraform-provider-qcloud and bin/qcloud-emulator are built; terraform is %s", bins.Terraform)

	d.step("starting the emulator", "2/5 Starting the emulator on a free loopback port")
	d.emu, err = e2e.StartEmulator(ctx, e2e.EmulatorConfig{Binary: bins.Emulator, SecretID: demoSecretID, SecretKey: demoSecretKey,
		Verbose: true, LogPath: filepath.Join(work, "emulator.log")})
	if err != nil {
		return err
	}
	info("emulator (pid %d) serves the VPC API at %s", d.emu.PID(), d.emu.URL)
	info("demo credentials: secret ID %s, region %s", demoSecretID, e2e.Region)
	ctl := d.emu.Control()

	d.step("preparing the Terraform working directory", "3/5 Writing a CLI configuration with dev_overrides in a temporary folder")
	ws, err := e2e.NewWorkspace(ctx, filepath.Join(work, "demo"), bins, d.emu.URL,
		e2e.Credentials{SecretID: demoSecretID, SecretKey: demoSecretKey})
	if err != nil {
		return err
	}
	config, err := os.ReadFile(filepath.Join(root, "examples", "demo", "main.tf"))
	if err == nil {
		err = ws.WriteConfig(string(config))
	}
	if err != nil {
		return err
	}
	info("working directory: %s (a copy of examples/demo/)", ws.Dir)
	info("TF_CLI_CONFIG_FILE=%s, for the demo's terraform commands only;", filepath.Join(ws.Dir, ".terraformrc"))
	info("dev_overrides makes terraform use bin/terraform-provider-qcloud, so no terraform init is needed.")
	info("Terraform warns that provider development overrides are in effect: that is expected here.")
	ws.OnMessage = printMessage

	d.step(d.doing, "4/5 Running Terraform against the emulator (terraform-exec, -json output)")
	for _, c := range []struct {
		title string
		cmd   e2e.Command
	}{{"4a. terraform plan", e2e.Plan()}, {"4b. terraform apply -auto-approve", e2e.Apply()}} {
		d.step("terraform "+c.cmd.Name, c.title)
		if res := ws.Run(ctx, 0, c.cmd); !res.OK() {
			return fmt.Errorf("terraform %s: %s", c.cmd.Name, res.Summary())
		}
	}

	d.step("terraform output and terraform show", "4c. terraform output, and the instance binding in terraform show -json")
	if err := printOutputsAndBinding(ctx, ws, "qcloud_eip_association.instance"); err != nil {
		return err
	}
	d.doing = "reading the emulator"
	world, err := ctl.World(ctx)
	if err != nil {
		return err
	}
	info("")
	info("The emulator now shows:")
	printAddresses(world)
	if a, _ := world.Address("eip-demo0001"); a.Status != emulator.StatusBind || a.InstanceID != "ins-demo0001" {
		return errors.New("after apply the emulator does not show eip-demo0001 bound to ins-demo0001")
	}
	if a, _ := world.Address("eip-demo0006"); a.Status != emulator.StatusBindENI || a.PrivateIP != "10.0.1.5" {
		return errors.New("after apply the emulator does not show eip-demo0006 bound to eni-demo0005 / 10.0.1.5")
	}

	d.step("terraform destroy", "4d. terraform destroy -auto-approve (reallocate_normal_public_ip = true on the instance binding)")
	if res := ws.Run(ctx, 0, e2e.Destroy()); !res.OK() {
		return fmt.Errorf("terraform destroy: %s", res.Summary())
	}

	d.step("reading the emulator", "5/5 What the emulator shows after destroy")
	if world, err = ctl.World(ctx); err != nil {
		return err
	}
	printAddresses(world)
	requests, err := ctl.Requests(ctx, "DisassociateAddress")
	if err != nil {
		return err
	}
	info("")
	info("DisassociateAddress calls the emulator received:")
	for _, r := range requests {
		var body bytes.Buffer
		_ = json.Compact(&body, r.Body)
		line := "  " + body.String()
		if r.ErrorCode != "" {
			line += "  -> " + r.ErrorCode
		}
		info("%s", line)
	}
	for _, id := range []string{"eip-demo0001", "eip-demo0006"} {
		if a, _ := world.Address(id); a.Status != emulator.StatusUnbind {
			return fmt.Errorf("after destroy %s is %s, not UNBIND", id, a.Status)
		}
	}
	normal := world.NormalPublicIPs("ins-demo0001")
	if len(normal) == 0 {
		return errors.New("after destroy ins-demo0001 holds no normal public IP (WanIP)")
	}
	for _, q := range world.Quotas {
		if q.QuotaID == "DAILY_PUBLIC_IP_ASSIGN" {
			info("")
			info("Daily normal public IP reallocations used (quota DAILY_PUBLIC_IP_ASSIGN): %d of %d", q.Current, q.Limit)
		}
	}
	info("")
	info("eip-demo0001 and eip-demo0006 are UNBIND again, and ins-demo0001 holds the normal public IP %s", normal[0].AddressIP)
	info("(reallocate_normal_public_ip = true was sent as ReallocateNormalPublicIp on DisassociateAddress).")
	d.doing = "stopping the emulator"
	return nil
}

// printMessage shows one message of terraform's -json UI output as its human
// output would; the expected dev_overrides warning, in its summary only.
func printMessage(msg tfjson.LogMsg) {
	switch m := msg.(type) {
	case tfjson.VersionLogMessage:
	case tfjson.DiagnosticLogMessage:
		severity := "Error"
		if m.Severity == tfjson.DiagnosticSeverityWarning {
			severity = "Warning"
		}
		info("%s: %s", severity, m.Summary)
		if m.Detail != "" && !strings.Contains(m.Summary, "development overrides") {
			info("%s", indent(m.Detail))
		}
	default:
		info("%s", strings.TrimSpace(msg.Message()))
	}
}

// printOutputsAndBinding prints the outputs and one resource's attributes,
// as `terraform output` and `terraform state show` would.
func printOutputsAndBinding(ctx context.Context, ws *e2e.Workspace, address string) error {
	outputs, err := ws.TF.Output(ctx)
	if err != nil {
		return fmt.Errorf("terraform output: %w", err)
	}
	for _, name := range slices.Sorted(maps.Keys(outputs)) {
		info("%s = %s", name, outputs[name].Value)
	}
	state, err := ws.State(ctx)
	if err != nil {
		return fmt.Errorf("terraform show -json: %w", err)
	}
	i := slices.IndexFunc(e2e.Associations(state), func(r *tfjson.StateResource) bool { return r.Address == address })
	if i < 0 {
		return fmt.Errorf("the state has no %s", address)
	}
	r := e2e.Associations(state)[i]
	info("")
	info("# %s:", r.Address)
	info("resource %q %q {", r.Type, r.Name)
	for _, k := range slices.Sorted(maps.Keys(r.AttributeValues)) {
		if v := r.AttributeValues[k]; v != nil {
			b, _ := json.Marshal(v)
			info("    %-27s = %s", k, b)
		}
	}
	info("}")
	return nil
}

// printAddresses prints the addresses the demo is about.
func printAddresses(w emulator.World) {
	row := "%-14s %-6s %-9s %-13s %-14s %-14s %s"
	info(row, "ADDRESS", "TYPE", "STATUS", "PUBLIC_IP", "INSTANCE", "INTERFACE", "PRIVATE_IP")
	for _, a := range w.Addresses {
		if a.AddressID == "eip-demo0001" || a.AddressID == "eip-demo0006" || a.InstanceID == "ins-demo0001" || a.NetworkInterfaceID == "eni-demo0005" {
			info(row, a.AddressID, a.AddressType, a.Status, a.AddressIP, cmp.Or(a.InstanceID, "-"), cmp.Or(a.NetworkInterfaceID, "-"), cmp.Or(a.PrivateIP, "-"))
		}
	}
}

// indent indents every line of s by four spaces, blank lines left blank.
func indent(s string) string {
	return strings.ReplaceAll("    "+strings.ReplaceAll(s, "\n", "\n    "), "    \n", "\n")
}
