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
// Besides the Tencent API on "/", the emulator serves a control surface on "/_emulator/"
// (loopback peers only; JSON in and out; errors are {"error": "..."} with a 4xx status),
// each endpoint with a Go method twin on *Emulator. cmd/qcloud-emulator/README.md lists
// the endpoints and the built-in world (DefaultWorld) that tests, examples and the demo
// rely on.
package emulator
