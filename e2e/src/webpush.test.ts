import assert from "node:assert/strict";
import https from "node:https";
import { after, before, describe, test } from "node:test";
import type { FaultKind } from "@notify/sandbox";
import { createSandboxSubscription, fetchSandboxPushes, type PushSubscriptionJson } from "@notify/sdk-redirect";
import { Stack, type KeyPair } from "./harness/stack.js";

const UPSERT = `mutation ($input: UpsertRecipientInput!) { upsertRecipient(input: $input) { id } }`;
const REGISTER = `mutation ($input: RegisterDeviceInput!) { registerDevice(input: $input) { id platform token state } }`;
const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { notifications { id channel status } } }`;
const PUBLIC_KEY = `query { webPushPublicKey }`;

// packages/jobs CHANNEL_POLICIES.WEB_PUSH.attempts.
const WEB_PUSH_ATTEMPTS = 5;
const SETTLED = ["SENT", "DELIVERED", "FAILED", "DEAD", "SKIPPED"];

describe("Web Push, end to end: GraphQL → worker → web-push (VAPID, aes128gcm) → push service simulator", () => {
  let stack: Stack;
  let key: KeyPair;
  let vapidPublicKey: string;
  let recipients = 0;

  before(async () => {
    stack = await Stack.start({ env: { DELIVERY_BACKOFF_BASE_MS: "50" } });
    key = stack.createKeyPair();
    const res = await stack.graphql(key, PUBLIC_KEY);
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    vapidPublicKey = res.data!.webPushPublicKey;
  });
  after(() => stack?.stop());

  const simulator = () => ({ url: stack.sandbox.urls.webpush, ca: stack.sandbox.credentials.tls.caCertPem });

  /** What a browser does: pushManager.subscribe({ applicationServerKey }), then hand the subscription to the backend. */
  async function subscribeDevice(externalId: string): Promise<{ subscription: PushSubscriptionJson; deviceId: string }> {
    const subscription = await createSandboxSubscription(simulator(), vapidPublicKey);
    const res = await stack.graphql(key, REGISTER, {
      input: { externalId, platform: "WEB", token: subscription.endpoint, webPushKeys: subscription.keys },
    });
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    assert.equal(res.data!.registerDevice.state, "ACTIVE");
    return { subscription, deviceId: res.data!.registerDevice.id };
  }

  async function recipientWithDevice(): Promise<{ externalId: string; recipientId: string; subscription: PushSubscriptionJson; deviceId: string }> {
    const externalId = `web-${++recipients}`;
    const res = await stack.graphql(key, UPSERT, { input: { externalId } });
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    return { externalId, recipientId: res.data!.upsertRecipient.id, ...(await subscribeDevice(externalId)) };
  }

  const sendPush = (externalId: string, content: Record<string, string>, data?: Record<string, unknown>) =>
    stack.graphql(key, SEND, { input: { externalId, channels: ["WEB_PUSH"], content, data } });

  async function sendAndSettle(externalId: string, content: Record<string, string>, data?: Record<string, unknown>) {
    const res = await sendPush(externalId, content, data);
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    const id: string = res.data!.sendNotification.notifications[0].id;
    return stack.eventually(
      () =>
        stack.db.notification.findUniqueOrThrow({
          where: { id },
          include: { attempts: { orderBy: { startedAt: "asc" } }, events: { orderBy: { occurredAt: "asc" } } },
        }),
      (n) => SETTLED.includes(n.status),
    );
  }

  const pushesTo = (endpoint: string) => stack.sandbox.recorder.list({ provider: "webpush", target: endpoint });

  test("webPushPublicKey is the sandbox's VAPID key", () => {
    assert.equal(vapidPublicKey, stack.sandbox.credentials.webpush.vapidPublicKey);
    assert.equal(Buffer.from(vapidPublicKey, "base64url").length, 65);
  });

  test("a push is encrypted for the subscription, signed with VAPID, decrypted by the simulator and SENT with its Location", async () => {
    const { externalId, subscription } = await recipientWithDevice();
    const n = await sendAndSettle(externalId, { title: "Order shipped", body: "Your order #42 is on its way", url: "https://shop.example/orders/42" }, { orderId: 42 });
    assert.equal(n.status, "SENT", n.lastError ?? "");

    const received = pushesTo(subscription.endpoint);
    assert.equal(received.length, 1, "exactly one push reached the push service");
    const [push] = received;
    assert.equal(push.accepted, true);
    assert.equal(push.response.status, 201);
    assert.equal(push.headers["content-encoding"], "aes128gcm");
    assert.equal(push.headers.ttl, String(24 * 3600));
    assert.equal(push.headers.urgency, "normal");
    // The simulator decrypted the aes128gcm body with the subscription's private key.
    assert.deepEqual(push.body, {
      title: "Order shipped",
      body: "Your order #42 is on its way",
      url: "https://shop.example/orders/42",
      data: { orderId: 42 },
      notificationId: n.id,
    });

    // It accepted the VAPID JWT (or it would have answered 401/403); check what it was given too.
    const vapid = /^vapid t=([^,]+), k=(.+)$/.exec(push.headers.authorization ?? "");
    assert.ok(vapid, `authorization: ${push.headers.authorization}`);
    assert.equal(vapid[2], vapidPublicKey);
    const claims = JSON.parse(Buffer.from(vapid[1]!.split(".")[1]!, "base64url").toString("utf8")) as { aud: string; sub: string; exp: number };
    assert.equal(claims.aud, new URL(subscription.endpoint).origin);
    assert.equal(claims.sub, stack.sandbox.credentials.webpush.subject);
    assert.ok(claims.exp * 1000 > Date.now() && claims.exp * 1000 <= Date.now() + 24 * 3600 * 1000);

    // The "browser" side sees the same push, and its id is the Location we stored.
    const delivered = await fetchSandboxPushes(simulator(), subscription.endpoint);
    assert.equal(delivered.length, 1);
    assert.equal(JSON.parse(delivered[0]!.payload!).notificationId, n.id);
    assert.equal(n.attempts.length, 1);
    assert.equal(n.attempts[0]!.provider, "webpush");
    assert.equal(n.attempts[0]!.providerMessageId, `${new URL(subscription.endpoint).origin}/messages/${delivered[0]!.id}`);
  });

  test("410 Gone (invalid_target) marks the device INVALID and FAILS; the next send is refused", async () => {
    const { externalId, subscription, deviceId } = await recipientWithDevice();
    stack.sandbox.faults.add({ provider: "webpush", kind: "invalid_target", target: subscription.endpoint, remaining: 1 });
    const n = await sendAndSettle(externalId, { title: "gone" });
    assert.equal(n.status, "FAILED");
    assert.equal(n.statusReason, "410");
    assert.equal(n.attempts.length, 1, "not retried");
    const device = await stack.db.device.findUniqueOrThrow({ where: { id: deviceId } });
    assert.equal(device.state, "INVALID");
    assert.match(device.invalidReason ?? "", /^410: /);

    const again = await sendPush(externalId, { title: "again" });
    assert.equal(again.errors?.[0]?.extensions?.reason, "MISSING_CONTACT");
    assert.equal(pushesTo(subscription.endpoint).length, 1);
  });

  test("a browser that unsubscribed: the real 410 kills that device only, the other device still gets the push", async () => {
    const { externalId, subscription: gone, deviceId: goneId } = await recipientWithDevice();
    const { subscription: alive, deviceId: aliveId } = await subscribeDevice(externalId);
    await unsubscribe(gone.endpoint);

    const n = await sendAndSettle(externalId, { title: "two devices" });
    assert.equal(n.status, "SENT");
    assert.deepEqual(n.attempts.map((a) => [a.target, a.status, a.errorCode]).sort(), [
      [alive.endpoint, "SUCCEEDED", null],
      [gone.endpoint, "FAILED", "410"],
    ].sort());
    const devices = await stack.db.device.findMany({ where: { id: { in: [goneId, aliveId] } } });
    assert.equal(devices.find((d) => d.id === goneId)!.state, "INVALID");
    assert.equal(devices.find((d) => d.id === aliveId)!.state, "ACTIVE");
    assert.equal((await fetchSandboxPushes(simulator(), alive.endpoint)).length, 1);
  });

  test("rate_limit, server_error, unavailable and timeout are retried until SENT", async () => {
    const kinds: { kind: FaultKind; code: string; delayMs?: number }[] = [
      { kind: "rate_limit", code: "429" },
      { kind: "server_error", code: "500" },
      { kind: "unavailable", code: "503" },
      // A dropped connection is stored as the one unreachable code, never the socket error (ECONNRESET vs ECONNREFUSED is a port scanner).
      { kind: "timeout", code: "ENDPOINT_UNREACHABLE", delayMs: 200 },
    ];
    await Promise.all(
      kinds.map(async ({ kind, code, delayMs }) => {
        const { externalId, subscription } = await recipientWithDevice();
        stack.sandbox.faults.add({ provider: "webpush", kind, target: subscription.endpoint, remaining: 2, retryAfterSeconds: 0, delayMs });
        const n = await sendAndSettle(externalId, { title: `retry after ${kind}` });
        assert.equal(n.status, "SENT", `${kind}: ${n.lastError}`);
        assert.deepEqual(
          n.attempts.map((a) => [a.status, a.errorCode, a.retryable]),
          [["FAILED", code, true], ["FAILED", code, true], ["SUCCEEDED", null, null]],
          kind,
        );
        assert.deepEqual(pushesTo(subscription.endpoint).map((r) => r.accepted), [false, false, true], kind);
        assert.equal((await fetchSandboxPushes(simulator(), subscription.endpoint)).length, 1, `${kind}: delivered once`);
      }),
    );
  });

  test("400 and 403 FAIL without retry and leave the device ACTIVE", async () => {
    for (const [kind, status] of [["bad_request", "400"], ["auth", "403"]] as const) {
      const { externalId, subscription, deviceId } = await recipientWithDevice();
      stack.sandbox.faults.add({ provider: "webpush", kind, target: subscription.endpoint, remaining: 1 });
      const n = await sendAndSettle(externalId, { title: kind });
      assert.equal(n.status, "FAILED", kind);
      assert.equal(n.statusReason, status, kind);
      assert.equal(n.attempts.length, 1, kind);
      assert.equal((await stack.db.device.findUniqueOrThrow({ where: { id: deviceId } })).state, "ACTIVE", kind);
    }
  });

  test(`an endless 503 dead-letters the notification after ${WEB_PUSH_ATTEMPTS} attempts`, async () => {
    const { externalId, subscription } = await recipientWithDevice();
    stack.sandbox.faults.add({ provider: "webpush", kind: "unavailable", target: subscription.endpoint });
    const n = await sendAndSettle(externalId, { title: "never" });
    assert.equal(n.status, "DEAD");
    assert.equal(n.attempts.length, WEB_PUSH_ATTEMPTS);
    assert.equal(n.events.filter((e) => e.type === "DEAD_LETTERED").length, 1);
    assert.equal(pushesTo(subscription.endpoint).length, WEB_PUSH_ATTEMPTS);
  });

  /** The browser side of PushSubscription.unsubscribe(): the push service forgets the subscription. */
  function unsubscribe(endpoint: string): Promise<void> {
    const id = new URL(endpoint).pathname.split("/").pop()!;
    return new Promise((resolve, reject) => {
      const req = https.request(new URL(`/subscriptions/${id}`, stack.sandbox.urls.webpush), { method: "DELETE", ca: simulator().ca }, (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 204 ? resolve() : reject(new Error(`unsubscribe: ${res.statusCode}`))));
      });
      req.on("error", reject);
      req.end();
    });
  }
});
