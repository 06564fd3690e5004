// Package e2e is the end-to-end harness: it drives the real terraform CLI,
// through terraform-exec, and the built provider binary against a
// qcloud-emulator process, the way a user runs them, and checks what ends up
// in Terraform's state against what the emulator's world holds.
//
// Pieces:
//
//   - Build compiles terraform-provider-qcloud and qcloud-emulator once into a
//     directory (or takes prebuilt paths); FindTerraform finds the local
//     terraform CLI and never downloads one.
//   - StartEmulator runs qcloud-emulator as a child process in its own process
//     group, reads its URL from the first line of its output, and stops it
//     (SIGTERM, then SIGKILL) when asked. Control is a client of its
//     /_emulator/ control surface.
//   - Workspace is a directory with a Terraform configuration and a CLI
//     configuration whose dev_overrides point registry.terraform.io/tfqcloud/qcloud
//     at the built provider, and a tfexec.Terraform for it. Its commands get
//     that configuration, the credentials and QCLOUD_ENDPOINT; the caller's
//     cloud variables (acctest.WithoutCloud) and Terraform settings are left
//     out, and the harness's own environment is left alone.
//   - Apply, Destroy and Plan run with -json: a Result has the diagnostics
//     decoded by terraform-json, wall time, and the peak RSS (VmHWM) of every
//     provider process under terraform, sampled every 20 ms from /proc;
//     Running gives the fault matrix terraform's pid to signal.
//   - CompareBindings compares the qcloud_eip_association objects of a
//     tfjson.State (terraform show -json) with the bindings of the EIPs under
//     test in the emulator's world, both ways, with a readable diff;
//     Workspace.CheckWorld lets the tasks a command left running land first.
//   - ErrorDiagnostics reads a command's error diagnostics with the resource
//     address Terraform gave each; ProviderCrash finds a provider's crash in
//     terraform's standard error.
//   - BindingsConfig is a configuration of chosen bindings (single blocks or
//     for_each); a Scenario is a change from one to another applied in one
//     terraform apply: MoveScenario, SwapScenario, RekeyScenario.
//
// Programs built on it: ./faults (the fault matrix, `make faults`), ./bench
// (the scale benchmark, `make bench N=…`), ./lifecycle (the scenarios at
// several -parallelism values, `make lifecycle RUNS=…`) and ./demo (`make
// demo`). The secret-leak test (secrets_test.go) and the move and swap in one
// apply (lifecycle_test.go) run under plain `go test`.
package e2e
