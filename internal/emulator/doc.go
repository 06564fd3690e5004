// Package emulator is a local, in-memory stand-in for the Tencent Cloud API 3.0. At one
// address it serves:
//   - VPC (Version 2017-03-12), the Elastic IP association subset: AssociateAddress,
//     DisassociateAddress, DescribeAddresses, DescribeTaskResult, DescribeAddressQuota,
//     DescribeNetworkInterfaces (which ENI is an instance's primary one, which of its
//     private IPs is primary, and the public IP on each) and ReturnNormalAddresses
//     (release a normal public IP);
//   - CVM (Version 2017-03-12) DescribeInstances, read-only, from the world's instances;
//   - STS (Version 2018-08-13) AssumeRole, AssumeRoleWithWebIdentity (unsigned) and
//     GetCallerIdentity, over the world's accounts, keys, roles and OIDC providers; the
//     temporary credentials it issues work on every service until they expire;
//   - the CVM instance metadata service's role credentials under /latest/meta-data/.
//
// A request is for the service of its action (under a Tencent Cloud host name, for the
// service the host names); its TC3 credential scope must name that service.
//
// It speaks the real wire protocol (TC3-HMAC-SHA256 signed POST JSON or GET query
// requests, signature v1 HmacSHA1/HmacSHA256 GET or form POST requests, the
// {"Response":{...}} envelope), so any Tencent Cloud client — the official Go and
// Node.js SDKs unchanged, the official Terraform provider — can talk to it. It follows
// the documented API rather than any particular client, and on purpose imports nothing
// from the rest of this repository, so that a client and the emulator cannot share a
// misunderstanding of the wire format. Where the documentation disagrees with itself,
// a Settings field chooses; cmd/qcloud-emulator/README.md lists every rule, its source
// and every setting.
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
//	POST   /_emulator/instances/{id}/normal-public-ip   AddNormalPublicIP
//	GET    /_emulator/instances/{id}/normal-public-ips  NormalPublicIPs
//	POST   /_emulator/quotas/{quotaId}        SetQuota, body: {"current": N}
//	GET    /_emulator/clock                   Now
//	POST   /_emulator/clock                   AdvanceClock, body: {"advance": "24h"}
//	GET    /_emulator/settings                task delay, rate limits, region(s), Settings
//	POST   /_emulator/settings                SetTaskDelay / SetRateLimit / SetSettings, body e.g.
//	                                          {"taskDelay": "300ms", "rateLimit": {"write": 10, "read": 20,
//	                                          "actions": {"ReturnNormalAddresses": 2}, "scale": 1},
//	                                          "wanIpOnBind": "release"}
//	POST   /_emulator/oidc/token              WebIdentityToken, body: {"ttl": "60s", "provider": "OIDC",
//	                                          "subject": "...", "audience": "..."} (all optional)
//	POST   /_emulator/reset                   Reset
//
// The built-in world (DefaultWorld, region ap-guangzhou, DefaultRegions known):
//   - ins-demo0001 (RUNNING, eni-demo0001 with 10.0.0.11 primary and 10.0.0.12, no public IP);
//   - ins-demo0002 (eni-demo0002, 10.0.0.21) holding eip-demo0002;
//   - ins-demo0003 (eni-demo0003, 10.0.0.31) holding the blocked eip-demo0004;
//   - ins-demo0004 (LAUNCH_FAILED, eni-demo0004, 10.0.0.41);
//   - the dangling eni-demo0005 (10.0.1.5);
//   - ins-demo0005 (STOPPED in no-charge mode, eni-demo0006, 10.0.0.51);
//   - ins-demo0006 (eni-demo0007, 10.0.0.61) holding the normal public IP eip-demo0013 (198.51.100.61);
//   - ins-demo0007 (primary eni-demo0008 with 10.0.0.71 and 10.0.0.72, secondary
//     eni-demo0009 with 10.0.2.71 and 10.0.2.72);
//   - ins-demo0008 (STOPPED, still charging, eni-demo0010, 10.0.0.81);
//   - UNBIND EIPs eip-demo0001, eip-demo0003 (in arrears), eip-demo0005 (blocked),
//     eip-demo0006 … eip-demo0011, and eip-demo0012 (created without a name);
//   - account 100000000001 owning the default key, the roles terraform-ci (trusted by
//     the account and the OIDC provider OIDC), terraform-ci-external (external id
//     qcloud-emulator-external) and cvm-terraform (attached to ins-demo0001).
package emulator
