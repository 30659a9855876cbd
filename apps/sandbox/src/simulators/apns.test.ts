import assert from "node:assert/strict";
import { createPrivateKey, generateKeyPairSync, randomUUID, sign } from "node:crypto";
import http2 from "node:http2";
import { after, before, beforeEach, describe, test } from "node:test";
import { ApnsClient, ApnsError, Notification, Priority, PushType } from "apns2";
import type { FaultKind } from "../core/faults.js";
import type { RunningSimulator, SimulatorContext } from "../core/simulator.js";
import type { SandboxCredentials } from "../credentials.js";
import { redirectApnsClient } from "@notify/sdk-redirect";
import { testContext, testCredentials } from "../testing.js";
import { startApnsSimulator } from "./apns.js";
import { decodeJws } from "./jws.js";

const TOKEN = "a1".repeat(32);

async function rejection(p: Promise<unknown>): Promise<ApnsError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ApnsError, `expected an ApnsError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected the request to fail");
}

/** A provider token made by hand, for cases apns2 cannot be made to produce. */
function providerToken(creds: SandboxCredentials, claims: { iss?: string; iat?: number }, kid = creds.apns.keyId): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const input = `${enc({ alg: "ES256", kid })}.${enc({ iss: creds.apns.teamId, iat: Math.floor(Date.now() / 1000), ...claims })}`;
  const sig = sign("sha256", Buffer.from(input), { key: createPrivateKey(creds.apns.privateKeyPem), dsaEncoding: "ieee-p1363" });
  return `${input}.${sig.toString("base64url")}`;
}

/** A raw HTTP/2 request, to see headers and answers apns2 does not expose. */
function rawRequest(sim: RunningSimulator, ca: string, headers: Record<string, string>, body = '{"aps":{}}') {
  return new Promise<{ status: number; headers: http2.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const session = http2.connect(sim.url, { ca });
    session.on("error", reject);
    const req = session.request({ ":method": "POST", ":path": `/3/device/${TOKEN}`, ...headers });
    let status = 0;
    let resHeaders: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    req.on("response", (h) => {
      status = Number(h[":status"]);
      resHeaders = h;
    });
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      session.close();
      resolve({ status, headers: resHeaders, body: Buffer.concat(chunks).toString("utf8") });
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("apns simulator with the official apns2 SDK", () => {
  let creds: SandboxCredentials;
  let ctx: SimulatorContext;
  let sim: RunningSimulator;
  let client: ApnsClient;

  const newClient = (overrides: Partial<{ team: string; keyId: string; signingKey: string }> = {}) =>
    redirectApnsClient(
      new ApnsClient({
        team: creds.apns.teamId,
        keyId: creds.apns.keyId,
        signingKey: creds.apns.privateKeyPem,
        defaultTopic: creds.apns.bundleId,
        host: "api.sandbox.push.apple.com",
        ...overrides,
      }),
      { url: sim.url, ca: creds.tls.caCertPem },
    );

  before(async () => {
    creds = await testCredentials();
    ctx = testContext();
    sim = await startApnsSimulator(ctx, { host: "127.0.0.1", port: 0, credentials: creds });
    client = newClient();
  });
  after(async () => {
    await client.close();
    await sim.close();
  });
  beforeEach(() => {
    ctx.recorder.clear();
    ctx.faults.clear();
  });

  test("accepts a notification and records headers, payload and the provider token", async () => {
    const expiration = Math.floor(Date.now() / 1000) + 3600;
    await client.send(
      new Notification(TOKEN, {
        alert: { title: "Hello", body: "World" },
        badge: 3,
        data: { orderId: "42" },
        priority: Priority.throttled,
        expiration,
        collapseId: "order-42",
      }),
    );
    const [entry] = ctx.recorder.list({ provider: "apns" });
    assert.equal(entry.accepted, true);
    assert.equal(entry.target, TOKEN);
    assert.equal(entry.path, `/3/device/${TOKEN}`);
    assert.equal(entry.response.status, 200);
    assert.deepEqual(entry.body, { aps: { alert: { title: "Hello", body: "World" }, badge: 3 }, orderId: "42" });
    assert.equal(entry.headers["apns-topic"], creds.apns.bundleId);
    assert.equal(entry.headers["apns-push-type"], "alert");
    assert.equal(entry.headers["apns-priority"], "5");
    assert.equal(entry.headers["apns-expiration"], String(expiration));
    assert.equal(entry.headers["apns-collapse-id"], "order-42");
    const jwt = decodeJws(entry.headers.authorization.replace(/^bearer /, ""));
    assert.deepEqual(jwt?.header, { alg: "ES256", typ: "JWT", kid: creds.apns.keyId });
    assert.equal(jwt?.payload.iss, creds.apns.teamId);
  });

  test("answers 200 with apns-id echoed and apns-unique-id", async () => {
    const apnsId = randomUUID();
    const res = await rawRequest(sim, creds.tls.caCertPem, {
      authorization: `bearer ${providerToken(creds, {})}`,
      "apns-topic": creds.apns.bundleId,
      "apns-id": apnsId,
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers["apns-id"], apnsId);
    assert.match(String(res.headers["apns-unique-id"]), /^[0-9a-f-]{36}$/);
  });

  test("voip topic and push type are allowed", async () => {
    await client.send(new Notification(TOKEN, { type: PushType.voip, topic: `${creds.apns.bundleId}.voip`, data: { call: "1" } }));
    assert.equal(ctx.recorder.list({ accepted: true }).length, 1);
  });

  test("rejects what APNs rejects", async () => {
    let err = await rejection(client.send(new Notification("not-a-hex-token", { alert: "x" })));
    assert.equal(err.statusCode, 400);
    assert.equal(err.reason, "BadDeviceToken");

    err = await rejection(client.send(new Notification(TOKEN, { alert: "x", topic: "com.someone.else" })));
    assert.equal(err.reason, "TopicDisallowed");

    err = await rejection(client.send(new Notification(TOKEN, { alert: "x".repeat(4100) })));
    assert.equal(err.statusCode, 413);
    assert.equal(err.reason, "PayloadTooLarge");

    err = await rejection(client.send(new Notification(TOKEN, { alert: "x", collapseId: "c".repeat(65) })));
    assert.equal(err.reason, "BadCollapseId");

    const rejected = ctx.recorder.list({ accepted: false });
    assert.equal(rejected.length, 4);
    assert.deepEqual(rejected[0].response, { status: 400, body: { reason: "BadDeviceToken" } });
  });

  test("verifies the provider token", async () => {
    const otherTeam = newClient({ team: "ZZZZZZZZZZ" });
    let err = await rejection(otherTeam.send(new Notification(TOKEN, { alert: "x" })));
    assert.equal(err.statusCode, 403);
    assert.equal(err.reason, "InvalidProviderToken");
    await otherTeam.close();

    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const otherKey = newClient({ signingKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString() });
    err = await rejection(otherKey.send(new Notification(TOKEN, { alert: "x" })));
    assert.equal(err.reason, "InvalidProviderToken");
    await otherKey.close();

    const topic = { "apns-topic": creds.apns.bundleId };
    const expired = await rawRequest(sim, creds.tls.caCertPem, { ...topic, authorization: `bearer ${providerToken(creds, { iat: Math.floor(Date.now() / 1000) - 3700 })}` });
    assert.equal(expired.status, 403);
    assert.deepEqual(JSON.parse(expired.body), { reason: "ExpiredProviderToken" });

    const wrongKid = await rawRequest(sim, creds.tls.caCertPem, { ...topic, authorization: `bearer ${providerToken(creds, {}, "WRONGKEYID")}` });
    assert.deepEqual(JSON.parse(wrongKid.body), { reason: "InvalidProviderToken" });

    const missing = await rawRequest(sim, creds.tls.caCertPem, topic);
    assert.equal(missing.status, 403);
    assert.deepEqual(JSON.parse(missing.body), { reason: "MissingProviderToken" });
  });

  const faultCases: Array<[FaultKind, number, string]> = [
    ["rate_limit", 429, "TooManyRequests"],
    ["server_error", 500, "InternalServerError"],
    ["unavailable", 503, "ServiceUnavailable"],
    ["invalid_target", 410, "Unregistered"],
    ["bad_request", 400, "BadDeviceToken"],
    ["auth", 403, "InvalidProviderToken"],
  ];
  for (const [kind, status, reason] of faultCases) {
    test(`fault ${kind} -> ${status} ${reason}`, async () => {
      ctx.faults.add({ provider: "apns", kind, target: TOKEN, remaining: 1 });
      const err = await rejection(client.send(new Notification(TOKEN, { alert: "x" })));
      assert.equal(err.statusCode, status);
      assert.equal(err.reason, reason);
      if (kind === "invalid_target") assert.ok(Math.abs(Number(err.timestamp) - Date.now()) < 5000);
      const [entry] = ctx.recorder.list({ provider: "apns" });
      assert.equal(entry.accepted, false);
      // The rule was used up: the next notification goes through.
      await client.send(new Notification(TOKEN, { alert: "x" }));
    });
  }

  test("faults only hit their target", async () => {
    ctx.faults.add({ provider: "apns", kind: "invalid_target", target: TOKEN });
    await client.send(new Notification("b2".repeat(32), { alert: "x" }));
    await rejection(client.send(new Notification(TOKEN, { alert: "x" })));
  });

  test("Retry-After only when the rate_limit rule asks for it", async () => {
    const headers = { authorization: `bearer ${providerToken(creds, {})}`, "apns-topic": creds.apns.bundleId };
    ctx.faults.add({ provider: "apns", kind: "rate_limit", remaining: 1 });
    const plain = await rawRequest(sim, creds.tls.caCertPem, headers);
    assert.equal(plain.status, 429);
    assert.equal(plain.headers["retry-after"], undefined);
    ctx.faults.add({ provider: "apns", kind: "rate_limit", remaining: 1, retryAfterSeconds: 7 });
    const withHint = await rawRequest(sim, creds.tls.caCertPem, headers);
    assert.equal(withHint.headers["retry-after"], "7");
  });

  test("fault timeout holds the stream, then resets it", async () => {
    ctx.faults.add({ provider: "apns", kind: "timeout", target: TOKEN, remaining: 1, delayMs: 100 });
    const started = Date.now();
    await assert.rejects(client.send(new Notification(TOKEN, { alert: "x" })), (err: unknown) => !(err instanceof ApnsError));
    assert.ok(Date.now() - started >= 90);
    assert.equal(ctx.recorder.list()[0].response.status, 0);
    await client.send(new Notification(TOKEN, { alert: "x" }));
  });
});
