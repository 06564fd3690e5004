// The official Tencent Cloud Node.js SDK against the emulator, configured as its users
// configure it: endpoint host:port, protocol http://, TC3 signing by default, and both
// v1 methods (HmacSHA1, HmacSHA256), each over POST and GET. Its VPC, CVM and STS
// clients, and its OIDC credential (an unsigned AssumeRoleWithWebIdentity), all at the
// emulator's one address.
//
// Environment: EMULATOR_ENDPOINT (127.0.0.1:PORT), SECRET_ID, SECRET_KEY, REGION,
// ROLE_ARN (a role the key may assume and that trusts the OIDC provider "OIDC").
// Prints one "ok N - name" or "not ok N - name: why" line per check, then
// "N passed, N failed"; exits 1 when a check failed. node_sdk_test.go runs it.
"use strict";

const assert = require("node:assert/strict");
const tencentcloud = require("tencentcloud-sdk-nodejs");
const { OIDCRoleArnCredential } = require("tencentcloud-sdk-nodejs/tencentcloud/common");

const VpcClient = tencentcloud.vpc.v20170312.Client;
const CvmClient = tencentcloud.cvm.v20170312.Client;
const StsClient = tencentcloud.sts.v20180813.Client;
const endpoint = process.env.EMULATOR_ENDPOINT;
const secretId = process.env.SECRET_ID;
const secretKey = process.env.SECRET_KEY;
const region = process.env.REGION || "ap-guangzhou";
const roleArn = process.env.ROLE_ARN;

if (!endpoint || !secretId || !secretKey || !roleArn) {
  console.error("EMULATOR_ENDPOINT, SECRET_ID, SECRET_KEY and ROLE_ARN are required");
  process.exit(2);
}

// signings are the ways a user can configure the SDK to sign.
const signings = [
  { name: "TC3 POST", signMethod: undefined, reqMethod: "POST" },
  { name: "TC3 GET", signMethod: undefined, reqMethod: "GET" },
  { name: "HmacSHA1 POST", signMethod: "HmacSHA1", reqMethod: "POST" },
  { name: "HmacSHA1 GET", signMethod: "HmacSHA1", reqMethod: "GET" },
  { name: "HmacSHA256 POST", signMethod: "HmacSHA256", reqMethod: "POST" },
  { name: "HmacSHA256 GET", signMethod: "HmacSHA256", reqMethod: "GET" },
];

function profileFor({ signMethod, reqMethod = "POST" } = {}) {
  const profile = { httpProfile: { endpoint, protocol: "http://", reqMethod, reqTimeout: 10 } };
  if (signMethod) {
    profile.signMethod = signMethod;
  }
  return profile;
}

function client({ signMethod, reqMethod = "POST", key = secretKey, clientRegion = region } = {}) {
  return new VpcClient({ credential: { secretId, secretKey: key }, region: clientRegion, profile: profileFor({ signMethod, reqMethod }) });
}

// serviceClient is a client of another service: credential is { secretId, secretKey,
// token } or a dynamic credential (an object with getCredential).
function serviceClient(Client, credential, options = {}) {
  return new Client({ credential, region, profile: profileFor(options) });
}

// webIdentityToken asks the emulator's control surface for a token of provider OIDC.
async function webIdentityToken() {
  const res = await fetch(`http://${endpoint}/_emulator/oidc/token`, { method: "POST", body: JSON.stringify({ ttl: "300s" }) });
  assert.equal(res.status, 200, "the emulator mints a web identity token");
  return (await res.json()).token;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// waitTask polls DescribeTaskResult (TaskId is a string from the write, a number here).
async function waitTask(c, taskId) {
  assert.equal(typeof taskId, "string", "TaskId of a write is a string");
  assert.match(taskId, /^[0-9]+$/);
  for (let i = 0; i < 100; i++) {
    const r = await c.DescribeTaskResult({ TaskId: Number(taskId) });
    assert.equal(String(r.TaskId), taskId);
    if (r.Result !== "RUNNING") {
      return r.Result;
    }
    await sleep(20);
  }
  throw new Error(`task ${taskId} still RUNNING`);
}

async function address(c, id) {
  const r = await c.DescribeAddresses({ AddressIds: [id] });
  assert.equal(r.TotalCount, 1, `${id} is described`);
  return r.AddressSet[0];
}

// expectCode runs fn and requires the SDK error it throws to carry code.
async function expectCode(fn, code) {
  try {
    await fn();
  } catch (e) {
    assert.equal(e.code, code, `error code (message: ${e.message})`);
    assert.ok(e.requestId, "the error carries a RequestId");
    return;
  }
  assert.fail(`no error; want ${code}`);
}

const checks = [];
const check = (name, fn) => checks.push({ name, fn });

for (const s of signings) {
  check(`${s.name}: DescribeAddressQuota`, async () => {
    const r = await client(s).DescribeAddressQuota({});
    const total = r.QuotaSet.find((q) => q.QuotaId === "TOTAL_EIP_QUOTA");
    assert.ok(total, "TOTAL_EIP_QUOTA is listed");
    assert.equal(total.QuotaGroup, region);
    assert.match(r.RequestId, /^[0-9a-f-]{36}$/);
  });
  check(`${s.name}: DescribeAddresses with a list and a filter`, async () => {
    const r = await client(s).DescribeAddresses({
      AddressIds: ["eip-demo0002", "eip-demo0001"],
      Filters: [{ Name: "address-status", Values: ["BIND"] }],
    });
    assert.equal(r.TotalCount, 1);
    assert.equal(r.AddressSet[0].AddressId, "eip-demo0002");
    assert.equal(r.AddressSet[0].InstanceId, "ins-demo0002");
  });
  check(`${s.name}: bind, describe, unbind`, async () => {
    const c = client(s);
    const bound = await c.AssociateAddress({ AddressId: "eip-demo0001", InstanceId: "ins-demo0001" });
    assert.equal(await waitTask(c, bound.TaskId), "SUCCESS");
    const a = await address(c, "eip-demo0001");
    assert.equal(a.AddressStatus, "BIND");
    assert.equal(a.InstanceId, "ins-demo0001");
    assert.equal(a.NetworkInterfaceId, "eni-demo0001");
    assert.equal(a.PrivateAddressIp, "10.0.0.11");
    const enis = await c.DescribeNetworkInterfaces({ NetworkInterfaceIds: ["eni-demo0001"] });
    const ip = enis.NetworkInterfaceSet[0].PrivateIpAddressSet.find((p) => p.PrivateIpAddress === "10.0.0.11");
    assert.equal(ip.AddressId, "eip-demo0001");
    const unbound = await c.DisassociateAddress({ AddressId: "eip-demo0001" });
    assert.equal(await waitTask(c, unbound.TaskId), "SUCCESS");
    assert.equal((await address(c, "eip-demo0001")).AddressStatus, "UNBIND");
  });
}

check("ENI path: bind to a secondary IP, unbind", async () => {
  const c = client();
  const bound = await c.AssociateAddress({ AddressId: "eip-demo0006", NetworkInterfaceId: "eni-demo0001", PrivateIpAddress: "10.0.0.12" });
  assert.equal(await waitTask(c, bound.TaskId), "SUCCESS");
  const a = await address(c, "eip-demo0006");
  assert.deepEqual([a.AddressStatus, a.InstanceId, a.PrivateAddressIp], ["BIND", "ins-demo0001", "10.0.0.12"]);
  const unbound = await c.DisassociateAddress({ AddressId: "eip-demo0006" });
  assert.equal(await waitTask(c, unbound.TaskId), "SUCCESS");
});

check("refuses a bind where a normal public IP sits, until it is returned", async () => {
  const c = client();
  await expectCode(() => c.AssociateAddress({ AddressId: "eip-demo0007", InstanceId: "ins-demo0006" }), "InvalidParameterValue.InstanceHasWanIP");
  const wan = await c.DescribeAddresses({ Filters: [{ Name: "address-type", Values: ["WanIP"] }, { Name: "instance-id", Values: ["ins-demo0006"] }] });
  assert.equal(wan.TotalCount, 1);
  await c.ReturnNormalAddresses({ AddressIps: [wan.AddressSet[0].AddressIp] });
  const bound = await c.AssociateAddress({ AddressId: "eip-demo0007", InstanceId: "ins-demo0006" });
  assert.equal(await waitTask(c, bound.TaskId), "SUCCESS");
});

check("refuses an unknown region", async () => {
  await expectCode(() => client({ clientRegion: "ap-nowhere" }).DescribeAddresses({}), "InvalidParameterValue");
});

check("refuses an unknown ENI id", async () => {
  await expectCode(() => client().DescribeNetworkInterfaces({ NetworkInterfaceIds: ["eni-zzzzzzzz"] }), "ResourceNotFound");
});

check("STS GetCallerIdentity with the permanent key, TC3 and v1", async () => {
  for (const options of [{}, { signMethod: "HmacSHA256", reqMethod: "GET" }]) {
    const who = await serviceClient(StsClient, { secretId, secretKey }, options).GetCallerIdentity({});
    assert.equal(who.Type, "CAMUser");
    assert.match(who.AccountId, /^[0-9]+$/);
    assert.equal(who.UserId, who.AccountId, "a root account key is the account itself");
  }
});

check("STS AssumeRole, its credential on VPC, CVM and STS", async () => {
  const sts = serviceClient(StsClient, { secretId, secretKey });
  const r = await sts.AssumeRole({ RoleArn: roleArn, RoleSessionName: "node-sdk", DurationSeconds: 900 });
  assert.equal(typeof r.ExpiredTime, "number", "ExpiredTime is a JSON number");
  assert.ok(Math.abs(r.ExpiredTime - (Date.now() / 1000 + 900)) < 60, "ExpiredTime is now + DurationSeconds");
  assert.equal(new Date(r.Expiration).getTime(), r.ExpiredTime * 1000, "Expiration is the same instant");
  assert.match(r.Expiration, /Z$/, "Expiration is UTC");
  const temp = { secretId: r.Credentials.TmpSecretId, secretKey: r.Credentials.TmpSecretKey, token: r.Credentials.Token };
  assert.ok(temp.secretId && temp.secretKey && temp.token, "all three credential fields are set");
  await serviceClient(VpcClient, temp).DescribeAddressQuota({});
  await serviceClient(VpcClient, temp, { signMethod: "HmacSHA1", reqMethod: "GET" }).DescribeAddressQuota({});
  await serviceClient(CvmClient, temp).DescribeInstances({ Limit: 1 });
  const who = await serviceClient(StsClient, temp).GetCallerIdentity({});
  assert.equal(who.Type, "CAMRole");
  assert.match(who.UserId, /^[0-9]+:node-sdk$/);
  await expectCode(() => serviceClient(VpcClient, { ...temp, token: temp.token + "x" }).DescribeAddressQuota({}), "AuthFailure.TokenFailure");
});

check("STS AssumeRoleWithWebIdentity unsigned (the SDK's OIDC credential)", async () => {
  const token = await webIdentityToken();
  // A credential the emulator does not know: the call succeeds only because it is sent
  // unsigned, as the SDK sends it (Authorization: SKIP).
  const oidc = new OIDCRoleArnCredential(
    { credential: { secretId: "AKIDnotAKey", secretKey: "not-a-key" }, region, profile: profileFor() },
    { RoleArn: roleArn, RoleSessionName: "node-oidc", WebIdentityToken: token, ProviderId: "OIDC" },
  );
  const who = await serviceClient(StsClient, oidc).GetCallerIdentity({});
  assert.equal(who.Type, "CAMRole");
  assert.match(who.UserId, /^[0-9]+:node-oidc$/);
  const cvm = await serviceClient(CvmClient, oidc).DescribeInstances({ Filters: [{ Name: "instance-state", Values: ["RUNNING"] }] });
  assert.ok(cvm.TotalCount > 0, "the web identity credential lists instances");
  // The typed client signs the same action with its credential; that is accepted too.
  await serviceClient(StsClient, { secretId, secretKey }).AssumeRoleWithWebIdentity({
    ProviderId: "OIDC", WebIdentityToken: token, RoleArn: roleArn, RoleSessionName: "node-oidc-signed",
  });
});

check("CVM DescribeInstances, by ids and by filter, TC3 and v1", async () => {
  const cvm = serviceClient(CvmClient, { secretId, secretKey });
  const byId = await cvm.DescribeInstances({ InstanceIds: ["ins-demo0001", "ins-demo0005", "ins-zzzzzzzz"] });
  assert.equal(byId.TotalCount, 2, "an unknown id is left out");
  const [first, stopped] = byId.InstanceSet;
  assert.equal(first.InstanceId, "ins-demo0001");
  assert.equal(first.InstanceState, "RUNNING");
  assert.equal(first.StopChargingMode, "NOT_APPLICABLE");
  assert.deepEqual(first.PrivateIpAddresses, ["10.0.0.11", "10.0.0.12"]);
  assert.equal(stopped.StopChargingMode, "STOP_CHARGING");
  const v1 = serviceClient(CvmClient, { secretId, secretKey }, { signMethod: "HmacSHA256", reqMethod: "GET" });
  const running = await v1.DescribeInstances({ Filters: [{ Name: "instance-state", Values: ["STOPPED"] }] });
  assert.deepEqual(running.InstanceSet.map((i) => i.InstanceId), ["ins-demo0005", "ins-demo0008"]);
  await expectCode(() => cvm.DescribeInstances({ InstanceIds: ["i-1"] }), "InvalidInstanceId.Malformed");
});

check("refuses a wrong secret key, TC3 and v1", async () => {
  await expectCode(() => client({ key: secretKey + "x" }).DescribeAddressQuota({}), "AuthFailure.SignatureFailure");
  await expectCode(() => client({ key: secretKey + "x", signMethod: "HmacSHA256", reqMethod: "GET" }).DescribeAddressQuota({}), "AuthFailure.SignatureFailure");
});

(async () => {
  let passed = 0;
  let failed = 0;
  for (const [i, c] of checks.entries()) {
    try {
      await c.fn();
      passed++;
      console.log(`ok ${i + 1} - ${c.name}`);
    } catch (e) {
      failed++;
      console.log(`not ok ${i + 1} - ${c.name}: ${String(e.message).split("\n")[0]}`);
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
})();
