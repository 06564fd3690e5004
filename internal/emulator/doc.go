// Package emulator is a local, in-memory stand-in for the Tencent Cloud VPC API 3.0
// (Version 2017-03-12), limited to the Elastic IP association subset:
// AssociateAddress, DisassociateAddress, DescribeAddresses, DescribeTaskResult,
// DescribeAddressQuota and DescribeNetworkInterfaces (which ENI is an instance's primary
// one, which of its private IPs is primary, and the public IP on each).
//
// It speaks the real wire protocol (TC3-HMAC-SHA256 signed POST JSON or GET query
// requests, the {"Response":{...}} envelope), so any Tencent Cloud client — the official
// Go SDK unchanged, the official Terraform provider — can talk to it. It follows the
// documented API rather than any particular client, and on purpose imports nothing from
// the rest of this repository, so that a client and the emulator cannot share a
// misunderstanding of the wire format.
//
// Time is lazy: asynchronous tasks carry the instant they finish (DoneAt) and every read
// or write of the world first settles the tasks whose time has passed. There are no
// background goroutines, which keeps tests deterministic under a fake clock (Options.Now,
// AdvanceClock) and makes a persisted state (Options.StatePath) restart-safe.
//
// Besides the Tencent API on "/", the emulator serves a small control surface on
// "/_emulator/" (loopback peers only; JSON in and out; errors are {"error": "..."} with a
// 4xx status). Each endpoint has a Go method twin on *Emulator:
//
//	GET    /_emulator/health                  liveness and the emulator clock
//	GET    /_emulator/world                   Snapshot
//	GET    /_emulator/stats                   Stats
//	POST   /_emulator/stats/reset             ResetStats
//	GET    /_emulator/requests?action=X       Requests (all actions without ?action)
//	GET    /_emulator/faults                  Faults
//	POST   /_emulator/faults                  InjectFault, body: Fault
//	DELETE /_emulator/faults                  ClearFaults
//	POST   /_emulator/addresses/{id}          PatchAddress, body: AddressPatch
//	POST   /_emulator/quotas/{quotaId}        SetQuota, body: {"current": N}
//	GET    /_emulator/clock                   Now
//	POST   /_emulator/clock                   AdvanceClock, body: {"advance": "24h"}
//	GET    /_emulator/settings                task delay, rate limits, region
//	POST   /_emulator/settings                SetTaskDelay / SetRateLimit, body:
//	                                          {"taskDelay": "300ms", "rateLimit": {"write": 10, "read": 20}}
//	POST   /_emulator/reset                   Reset
//
// The built-in world (DefaultWorld, region ap-guangzhou): ins-demo0001 (RUNNING,
// eni-demo0001 with 10.0.0.11 and 10.0.0.12, no public IP); ins-demo0002 (eni-demo0002,
// 10.0.0.21) holding eip-demo0002; ins-demo0003 (eni-demo0003, 10.0.0.31) holding the
// blocked eip-demo0004; ins-demo0004 (LAUNCH_FAILED, eni-demo0004, 10.0.0.41); the
// dangling eni-demo0005 (10.0.1.5); UNBIND EIPs eip-demo0001, eip-demo0003 (in arrears),
// eip-demo0005 (blocked) and eip-demo0006 … eip-demo0009.
package emulator
