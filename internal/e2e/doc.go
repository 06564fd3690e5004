// Package e2e is the end-to-end harness: it drives the real terraform CLI and
// the built provider binary against a qcloud-emulator process, the way a user
// runs them, and checks what ends up in Terraform's state against what the
// emulator's world holds.
//
// Pieces:
//
//   - Build compiles terraform-provider-qcloud and qcloud-emulator once into a
//     directory (or takes prebuilt paths).
//   - StartEmulator runs qcloud-emulator as a child process in its own process
//     group, reads its URL from the first line of its output, and stops it
//     (SIGTERM, then SIGKILL) when asked, when its context ends, or when the
//     harness is interrupted (see HandleInterrupts).
//   - Control is a client of the emulator's /_emulator/ control surface; it
//     decodes into the emulator package's own types.
//   - Workspace is a directory with a Terraform configuration and a CLI
//     configuration whose dev_overrides point registry.terraform.io/tfqcloud/qcloud
//     at the built provider. Its terraform subprocesses get TF_CLI_CONFIG_FILE,
//     TF_IN_AUTOMATION=1, CHECKPOINT_DISABLE=1, the credentials and
//     QCLOUD_ENDPOINT; the harness's own environment is left alone. Each run
//     records stdout, stderr, wall time and the peak RSS (VmHWM) of every
//     terraform-provider-qcloud process in the terraform process tree, sampled
//     every 20 ms.
//   - StateMatchesWorld compares the qcloud_eip_association entries of a
//     terraform.tfstate with the bindings of the EIPs under test in the
//     emulator's world, both ways, with a readable diff.
//
// Programs built on it: ./faults (the fault matrix, `make faults`) and ./bench
// (the scale benchmark, `make bench N=…`). The secret-leak test
// (secrets_test.go) runs under TF_ACC like the acceptance tests.
package e2e
