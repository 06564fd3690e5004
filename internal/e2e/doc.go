// Package e2e is the end-to-end harness: it drives the real terraform CLI
// (through terraform-exec) and the built provider against a qcloud-emulator
// process, as a user runs them, and checks Terraform's state against the
// emulator's world (CompareBindings).
//
// Programs built on it: ./faults (`make faults`), ./bench (`make bench N=…`),
// ./lifecycle (`make lifecycle RUNS=…`) and ./demo (`make demo`); the tests
// here run under plain `go test`.
package e2e
