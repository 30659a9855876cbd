import assert from "node:assert/strict";
import { createPublicKey, generateKeyPairSync, randomUUID, verify } from "node:crypto";
import { after, before, beforeEach, describe, test } from "node:test";
import { createSandboxCredentials, startSandbox, type FaultKind, type Sandbox } from "@notify/sandbox";
import { ApnsPushProvider } from "./apns.js";
import { DeadTargetError, PermanentProviderError, ProviderError, RetryableProviderError } from "./errors.js";
import type { PushMessage } from "./provider.js";

const TOKEN = "ab".repeat(32);

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ProviderError, `expected a ProviderError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected the send to fail");
}

describe("ApnsPushProvider against the APNs simulator (apns2 over HTTP/2)", () => {
  let sandbox: Sandbox;
  let provider: ApnsPushProvider;
  const message = (extra: Partial<PushMessage> = {}): PushMessage => ({ token: TOKEN, messageId: randomUUID(), priority: "high", title: "Hi", body: "There", ...extra });

  before(async () => {
    sandbox = await startSandbox({ credentials: await createSandboxCredentials(), controlToken: "test-control-token-0123456789", ports: { control: 0, postmark: 0, twilio: 0, apns: 0, fcm: 0, webpush: 0 } });
    const { apns, tls } = sandbox.credentials;
    provider = new ApnsPushProvider({
      teamId: apns.teamId,
      keyId: apns.keyId,
      signingKey: apns.privateKeyPem,
      defaultTopic: apns.bundleId,
      environment: "sandbox",
      redirect: { url: sandbox.urls.apns, ca: tls.caCertPem },
      timeoutMs: 2000,
    });
  });
  after(async () => {
    await provider?.close();
    await sandbox?.close();
  });
  beforeEach(() => {
    sandbox.recorder.clear();
    sandbox.faults.clear();
  });

  test("maps every PushMessage field to APNs headers and payload, with apns-id = the attempt id", async () => {
    const messageId = randomUUID();
    const expiresAt = new Date(Date.now() + 3_600_000);
    const receipt = await provider.send(
      message({ messageId, badge: 4, sound: "ping.caf", url: "https://example.com/o/42", data: { orderId: "42", aps: "not allowed" }, collapseId: "order-42", expiresAt, priority: "normal" }),
    );
    assert.equal(receipt.providerMessageId, messageId);
    assert.match(String(receipt.detail?.apnsUniqueId), /^[0-9a-f-]{36}$/);

    const received = sandbox.recorder.list({ provider: "apns" });
    assert.equal(received.length, 1);
    const [r] = received;
    assert.equal(r.accepted, true);
    assert.equal(r.path, `/3/device/${TOKEN}`);
    assert.equal(r.headers["apns-id"], messageId);
    assert.equal(r.headers["apns-topic"], sandbox.credentials.apns.bundleId);
    assert.equal(r.headers["apns-push-type"], "alert");
    assert.equal(r.headers["apns-priority"], "5");
    assert.equal(r.headers["apns-expiration"], String(Math.floor(expiresAt.getTime() / 1000)));
    assert.equal(r.headers["apns-collapse-id"], "order-42");
    assert.deepEqual(r.body, {
      aps: { alert: { title: "Hi", body: "There" }, badge: 4, sound: "ping.caf" },
      orderId: "42",
      url: "https://example.com/o/42",
    });
  });

  test("high priority is sent as apns-priority 10; a body without a title is a plain alert string", async () => {
    await provider.send(message({ title: undefined, body: "Just text" }));
    const [r] = sandbox.recorder.list({ provider: "apns" });
    assert.equal(r.headers["apns-priority"], "10");
    assert.equal(r.headers["apns-expiration"], undefined);
    assert.deepEqual(r.body, { aps: { alert: "Just text" } });
  });

  test("concurrent sends reuse one signed provider token and keep their own apns-id", async () => {
    const ids = Array.from({ length: 20 }, () => randomUUID());
    const receipts = await Promise.all(ids.map((messageId) => provider.send(message({ messageId }))));
    assert.deepEqual(receipts.map((r) => r.providerMessageId), ids);
    const received = sandbox.recorder.list({ provider: "apns", accepted: true });
    assert.equal(received.length, 20);
    assert.deepEqual(received.map((r) => r.headers["apns-id"]).sort(), [...ids].sort());
    assert.equal(new Set(received.map((r) => r.headers.authorization)).size, 1);

    const jwt = received[0].headers.authorization.replace(/^bearer /, "");
    const [h, p, sig] = jwt.split(".");
    assert.deepEqual(JSON.parse(Buffer.from(h, "base64url").toString()), { alg: "ES256", typ: "JWT", kid: sandbox.credentials.apns.keyId });
    assert.equal(JSON.parse(Buffer.from(p, "base64url").toString()).iss, sandbox.credentials.apns.teamId);
    const key = createPublicKey(sandbox.credentials.apns.publicKeyPem);
    assert.ok(verify("sha256", Buffer.from(`${h}.${p}`), { key, dsaEncoding: "ieee-p1363" }, Buffer.from(sig, "base64url")));
  });

  const faults: Array<[FaultKind, new (...args: never[]) => ProviderError, string]> = [
    ["rate_limit", RetryableProviderError, "TooManyRequests"],
    ["server_error", RetryableProviderError, "InternalServerError"],
    ["unavailable", RetryableProviderError, "ServiceUnavailable"],
    ["invalid_target", DeadTargetError, "Unregistered"],
    ["bad_request", DeadTargetError, "BadDeviceToken"],
    ["auth", PermanentProviderError, "InvalidProviderToken"],
  ];
  for (const [kind, type, code] of faults) {
    test(`fault ${kind} → ${type.name} ${code}`, async () => {
      sandbox.faults.add({ provider: "apns", kind, target: TOKEN, remaining: 1 });
      const err = await failure(provider.send(message()));
      assert.equal(err.constructor, type);
      assert.equal(err.code, code);
      assert.equal(sandbox.recorder.list({ provider: "apns" }).length, 1);
    });
  }

  test("Retry-After on a 429 becomes retryAfterMs", async () => {
    sandbox.faults.add({ provider: "apns", kind: "rate_limit", target: TOKEN, remaining: 1, retryAfterSeconds: 3 });
    const err = await failure(provider.send(message()));
    assert.ok(err instanceof RetryableProviderError);
    assert.equal(err.retryAfterMs, 3000);
  });

  test("a stream held and dropped by the server is retryable", async () => {
    sandbox.faults.add({ provider: "apns", kind: "timeout", target: TOKEN, remaining: 1, delayMs: 100 });
    const err = await failure(provider.send(message()));
    assert.ok(err instanceof RetryableProviderError, `${err.constructor.name}: ${err.message}`);
    await provider.send(message());
  });

  test("a topic the key may not push to and an oversized payload are permanent, not dead", async () => {
    let err = await failure(provider.send(message({ topic: "com.someone.else" })));
    assert.equal(err.constructor, PermanentProviderError);
    assert.equal(err.code, "TopicDisallowed");
    assert.equal(sandbox.recorder.list({ provider: "apns" })[0].headers["apns-topic"], "com.someone.else");
    err = await failure(provider.send(message({ body: "x".repeat(5000) })));
    assert.equal(err.constructor, PermanentProviderError);
    assert.equal(err.code, "PayloadTooLarge");
  });

  test("a key the simulator does not know is an auth failure; a non-PEM key fails at construction", async () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const other = new ApnsPushProvider({
      teamId: sandbox.credentials.apns.teamId,
      keyId: sandbox.credentials.apns.keyId,
      signingKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      defaultTopic: sandbox.credentials.apns.bundleId,
      environment: "sandbox",
      redirect: { url: sandbox.urls.apns, ca: sandbox.credentials.tls.caCertPem },
    });
    const err = await failure(other.send(message()));
    await other.close();
    assert.equal(err.constructor, PermanentProviderError);
    assert.equal(err.code, "InvalidProviderToken");
    assert.throws(() => new ApnsPushProvider({ teamId: "T", keyId: "K", signingKey: "not a key", defaultTopic: "x", environment: "sandbox" }), /not a PEM private key/);
  });

  test("nothing listening is a retryable connection error", async () => {
    const { apns, tls } = sandbox.credentials;
    const nowhere = new ApnsPushProvider({
      teamId: apns.teamId, keyId: apns.keyId, signingKey: apns.privateKeyPem, defaultTopic: apns.bundleId, environment: "sandbox",
      redirect: { url: "https://127.0.0.1:1", ca: tls.caCertPem },
    });
    const err = await failure(nowhere.send(message()));
    await nowhere.close();
    assert.ok(err instanceof RetryableProviderError);
    assert.equal(err.code, "ECONNREFUSED");
  });
});
