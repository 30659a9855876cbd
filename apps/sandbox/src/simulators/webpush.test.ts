import assert from "node:assert/strict";
import https from "node:https";
import { after, before, beforeEach, describe, test } from "node:test";
import webpush, { WebPushError, type RequestOptions } from "web-push";
import type { FaultKind } from "../core/faults.js";
import type { RunningSimulator, SimulatorContext } from "../core/simulator.js";
import type { SandboxCredentials } from "../credentials.js";
import { createSandboxSubscription, fetchSandboxPushes, type PushSubscriptionJson } from "@notify/sdk-redirect";
import { testContext, testCredentials } from "../testing.js";
import { startWebPushSimulator } from "./webpush.js";

async function pushError(p: Promise<unknown>): Promise<WebPushError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof WebPushError, `expected a WebPushError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected the push to fail");
}

describe("web push simulator with the official web-push SDK", () => {
  let creds: SandboxCredentials;
  let ctx: SimulatorContext;
  let sim: RunningSimulator;
  let agent: https.Agent;
  let sub: PushSubscriptionJson;
  const target = () => ({ url: sim.url, ca: creds.tls.caCertPem });
  const options = (extra: RequestOptions = {}): RequestOptions => ({
    vapidDetails: { subject: creds.webpush.subject, publicKey: creds.webpush.vapidPublicKey, privateKey: creds.webpush.vapidPrivateKey },
    agent,
    TTL: 60,
    ...extra,
  });

  before(async () => {
    creds = await testCredentials();
    ctx = testContext();
    sim = await startWebPushSimulator(ctx, { host: "127.0.0.1", port: 0, credentials: creds });
    // The simulator itself is under test here, not the egress guard: a plain agent trusting its CA.
    agent = new https.Agent({ ca: creds.tls.caCertPem, keepAlive: true });
  });
  after(async () => {
    agent.destroy();
    await sim.close();
  });
  beforeEach(async () => {
    ctx.recorder.clear();
    ctx.faults.clear();
    sub = await createSandboxSubscription(target());
  });

  test("subscriptions are real PushSubscription JSON", () => {
    assert.match(sub.endpoint, new RegExp(`^${sim.url}/push/[A-Za-z0-9_-]+$`));
    assert.equal(Buffer.from(sub.keys.p256dh, "base64url").length, 65);
    assert.equal(Buffer.from(sub.keys.auth, "base64url").length, 16);
  });

  test("decrypts an aes128gcm push and keeps it for the subscription", async () => {
    const payload = { title: "Hello", body: "World", url: "/orders/42" };
    const result = await webpush.sendNotification(sub, JSON.stringify(payload), options({ urgency: "high", topic: "orders" }));
    assert.equal(result.statusCode, 201);
    assert.match(String(result.headers.location), new RegExp(`^${sim.url}/messages/`));

    const [entry] = ctx.recorder.list({ provider: "webpush" });
    assert.equal(entry.accepted, true);
    assert.equal(entry.target, sub.endpoint);
    assert.deepEqual(entry.body, payload);
    assert.equal(entry.headers["content-encoding"], "aes128gcm");
    assert.equal(entry.headers.ttl, "60");
    assert.equal(entry.headers.urgency, "high");
    assert.match(entry.headers.authorization, new RegExp(`^vapid t=[\\w-]+\\.[\\w-]+\\.[\\w-]+, k=${creds.webpush.vapidPublicKey}$`));

    const [received] = await fetchSandboxPushes(target(), sub.endpoint);
    assert.deepEqual(JSON.parse(received.payload ?? ""), payload);
    assert.equal(received.urgency, "high");
    assert.equal(received.topic, "orders");
  });

  test("a push with the same Topic replaces the waiting one; ?after= pages", async () => {
    await webpush.sendNotification(sub, "first", options({ topic: "t" }));
    await webpush.sendNotification(sub, "second", options({ topic: "t" }));
    await webpush.sendNotification(sub, "third", options());
    const all = await fetchSandboxPushes(target(), sub.endpoint);
    assert.deepEqual(all.map((m) => m.payload), ["second", "third"]);
    const newer = await fetchSandboxPushes(target(), sub.endpoint, all[0].id);
    assert.deepEqual(newer.map((m) => m.payload), ["third"]);
  });

  test("a push without payload is accepted", async () => {
    await webpush.sendNotification(sub, null, options());
    const [received] = await fetchSandboxPushes(target(), sub.endpoint);
    assert.equal(received.payload, null);
  });

  test("payloads over 4096 bytes get 413", async () => {
    const err = await pushError(webpush.sendNotification(sub, "x".repeat(4000), options()));
    assert.equal(err.statusCode, 413);
  });

  test("unsubscribed endpoints get 410 Gone", async () => {
    assert.deepEqual(await sim.control!({ method: "DELETE", path: `/subscriptions/${sub.endpoint.split("/").pop()}`, query: new URLSearchParams(), body: undefined }), { status: 204, body: undefined });
    const err = await pushError(webpush.sendNotification(sub, "hi", options()));
    assert.equal(err.statusCode, 410);
    assert.equal(ctx.recorder.list({ target: sub.endpoint })[0].accepted, false);
  });

  test("VAPID: a subscription bound to an applicationServerKey refuses other keys (403)", async () => {
    const other = webpush.generateVAPIDKeys();
    const bound = await createSandboxSubscription(target(), creds.webpush.vapidPublicKey);
    await webpush.sendNotification(bound, "ok", options());
    const err = await pushError(
      webpush.sendNotification(bound, "no", options({ vapidDetails: { subject: "mailto:x@example.com", publicKey: other.publicKey, privateKey: other.privateKey } })),
    );
    assert.equal(err.statusCode, 403);
  });

  test("VAPID: missing or forged authorization gets 401", async () => {
    const noVapid = await pushError(webpush.sendNotification(sub, "hi", { agent, TTL: 60 }));
    assert.equal(noVapid.statusCode, 401);

    // Signed with one key but claiming another: the signature check must fail.
    const other = webpush.generateVAPIDKeys();
    const headers = webpush.getVapidHeaders(new URL(sub.endpoint).origin, creds.webpush.subject, creds.webpush.vapidPublicKey, creds.webpush.vapidPrivateKey, "aes128gcm");
    const forged = headers.Authorization.replace(/k=.*$/, `k=${other.publicKey}`);
    const err = await pushError(webpush.sendNotification(sub, "hi", { agent, TTL: 60, headers: { Authorization: forged } }));
    assert.equal(err.statusCode, 401);

    // aud must be this push service's origin.
    const wrongAud = webpush.getVapidHeaders("https://push.example.net", creds.webpush.subject, creds.webpush.vapidPublicKey, creds.webpush.vapidPrivateKey, "aes128gcm");
    const audErr = await pushError(webpush.sendNotification(sub, "hi", { agent, TTL: 60, headers: { Authorization: wrongAud.Authorization } }));
    assert.equal(audErr.statusCode, 401);
  });

  test("subscriptions can also be made through the control API", async () => {
    const made = await sim.control!({ method: "POST", path: "/subscriptions", query: new URLSearchParams(), body: {} });
    assert.equal(made?.status, 201);
    const viaControl = made?.body as PushSubscriptionJson;
    await webpush.sendNotification(viaControl, "hello", options());
    const listed = await sim.control!({ method: "GET", path: `/subscriptions/${viaControl.endpoint.split("/").pop()}/messages`, query: new URLSearchParams(), body: undefined });
    assert.deepEqual((listed?.body as Array<{ payload: string }>).map((m) => m.payload), ["hello"]);
  });

  const faultCases: Array<[FaultKind, number]> = [
    ["rate_limit", 429],
    ["server_error", 500],
    ["unavailable", 503],
    ["invalid_target", 410],
    ["bad_request", 400],
    ["auth", 403],
  ];
  for (const [kind, status] of faultCases) {
    test(`fault ${kind} -> ${status}`, async () => {
      ctx.faults.add({ provider: "webpush", kind, target: sub.endpoint, remaining: 1 });
      const err = await pushError(webpush.sendNotification(sub, "hi", options()));
      assert.equal(err.statusCode, status);
      if (kind === "rate_limit") assert.equal(err.headers["retry-after"], "1");
      assert.equal(ctx.recorder.list({ target: sub.endpoint })[0].accepted, false);
      await webpush.sendNotification(sub, "hi", options());
    });
  }

  test("fault timeout holds the request, then drops the connection", async () => {
    ctx.faults.add({ provider: "webpush", kind: "timeout", target: sub.endpoint, remaining: 1, delayMs: 100 });
    await assert.rejects(webpush.sendNotification(sub, "hi", options()), (err: unknown) => !(err instanceof WebPushError));
    await webpush.sendNotification(sub, "hi", options());
  });
});
