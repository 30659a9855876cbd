import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { FaultKind, RecordedRequest } from "@notify/sandbox";
import { PushClient, receivedFor } from "./harness/push.js";
import { Stack } from "./harness/stack.js";

/** FCM registration tokens look like "<instance id>:APA91b<base64url>". */
const fcmToken = () => `${randomBytes(8).toString("base64url")}:APA91b${randomBytes(96).toString("base64url")}`;
type FcmBody = { message: { token: string; data?: Record<string, string>; [key: string]: unknown } };

// packages/jobs CHANNEL_POLICIES.ANDROID_PUSH.attempts.
const ANDROID_ATTEMPTS = 5;

describe("Android push, end to end: GraphQL → Postgres → BullMQ → worker → firebase-admin (HTTP v1 + OAuth2) → FCM simulator", () => {
  let stack: Stack;
  let push: PushClient;
  const sendPath = () => `/v1/projects/${stack.sandbox.credentials.fcm.projectId}/messages:send`;
  /** What the FCM simulator's messages:send received for one notification, in order. */
  const received = (notificationId: string, accepted?: boolean): RecordedRequest[] =>
    receivedFor(
      stack.sandbox.recorder.list({ provider: "fcm", accepted }).filter((r) => r.path === sendPath()),
      notificationId,
      (b: FcmBody) => b?.message?.data,
    );

  before(async () => {
    stack = await Stack.start({ env: { DELIVERY_BACKOFF_BASE_MS: "50" } });
    push = new PushClient(stack, stack.createKeyPair(), "ANDROID", "ANDROID_PUSH");
  });
  after(() => stack?.stop());

  test("one device: OAuth2 token from the simulator, then notification + data + android options; Postgres says SENT", async () => {
    const token = fcmToken();
    const [device] = await push.recipientWithDevices("android-1", [token]);
    const id = await push.send(
      "android-1",
      { title: "Order shipped", body: "Your order #42 is on its way", badge: 3, sound: "chime", url: "https://shop.example/o/42", priority: "NORMAL", ttlSeconds: 600, collapseKey: "order-42" },
      { orderId: "42", items: [1, 2] },
    );
    const n = await push.settle(id);

    assert.equal(n.status, "SENT");
    assert.equal(n.attempts.length, 1);
    const [attempt] = n.attempts;
    assert.equal(attempt.status, "SUCCEEDED");
    assert.equal(attempt.provider, "fcm");
    assert.equal(attempt.deviceId, device.id);
    assert.equal(attempt.target, token);
    assert.deepEqual(n.events.map((e) => e.type), ["ACCEPTED", "SENT"]);

    const requests = received(id);
    assert.equal(requests.length, 1, "exactly one hand-off");
    const [r] = requests;
    assert.equal(r.accepted, true);
    assert.equal(r.method, "POST");
    assert.equal(r.target, token);
    assert.equal(attempt.providerMessageId, (r.response.body as { name: string }).name, "the FCM message name is the provider id");
    assert.match(attempt.providerMessageId ?? "", new RegExp(`^projects/${stack.sandbox.credentials.fcm.projectId}/messages/0:`));
    assert.match(r.headers["x-firebase-client"] ?? "", /^fire-admin-node\//);

    // The bearer is an access token the simulator's OAuth2 endpoint issued for the service account's
    // signed JWT (the simulator refuses any other with 401, so accepted = it was one of its own).
    assert.match(r.headers.authorization ?? "", /^Bearer ya29\.sandbox-/);
    const exchanges = stack.sandbox.recorder.list({ provider: "fcm" }).filter((e) => e.path === "/token");
    assert.ok(exchanges.length >= 1);
    assert.ok(exchanges.every((e) => e.accepted), "the RS256 assertion verified against the service account's public key");
    assert.ok(Date.parse(exchanges[0].receivedAt) <= Date.parse(r.receivedAt), "the token was fetched before the send");
    const grant = exchanges[0].body as { grant_type: string; claims: Record<string, unknown> };
    assert.equal(grant.grant_type, "urn:ietf:params:oauth:grant-type:jwt-bearer");
    assert.equal(grant.claims.iss, stack.sandbox.credentials.fcm.clientEmail);
    assert.match(String(grant.claims.scope), /https:\/\/www\.googleapis\.com\/auth\/firebase\.messaging/);

    const message = (r.body as FcmBody).message;
    assert.equal(message.token, token);
    assert.deepEqual(message.notification, { title: "Order shipped", body: "Your order #42 is on its way" });
    assert.deepEqual(message.data, { orderId: "42", items: "[1,2]", notificationId: id, url: "https://shop.example/o/42" });
    const android = message.android as Record<string, any>;
    assert.equal(android.priority, "normal");
    assert.equal(android.collapse_key, "order-42");
    assert.deepEqual(android.notification, { sound: "chime", notification_count: 3 });
    // The TTL counts down from acceptance: what is left of 600 s when the worker sends it.
    const ttl = Number(/^(\d+)s$/.exec(android.ttl)?.[1]);
    assert.ok(ttl > 540 && ttl <= 600, `ttl ${android.ttl}`);
  });

  test("defaults: high priority, no ttl or collapse key; the access token is cached across sends", async () => {
    const token = fcmToken();
    await push.recipientWithDevices("android-defaults", [token]);
    const exchangesBefore = stack.sandbox.recorder.list({ provider: "fcm" }).filter((e) => e.path === "/token").length;
    const id = await push.send("android-defaults", { body: "Just a body" });
    assert.equal((await push.settle(id)).status, "SENT");
    const message = (received(id)[0].body as FcmBody).message;
    assert.deepEqual(message.android, { priority: "high" });
    assert.deepEqual(message.notification, { body: "Just a body" });
    assert.deepEqual(message.data, { notificationId: id });
    assert.equal(stack.sandbox.recorder.list({ provider: "fcm" }).filter((e) => e.path === "/token").length, exchangesBefore, "no new token exchange");
  });

  test("several devices: one hand-off per active Android device; the iOS device and a dead token get none", async () => {
    const tokens = [fcmToken(), fcmToken(), fcmToken(), fcmToken()];
    const devices = await push.recipientWithDevices("android-multi", tokens);
    const ios = await stack.graphql(push.key, `mutation ($input: RegisterDeviceInput!) { registerDevice(input: $input) { id } }`, {
      input: { externalId: "android-multi", platform: "IOS", token: randomBytes(32).toString("hex") },
    });
    assert.equal(ios.errors, undefined, JSON.stringify(ios.errors));
    // The fourth token was uninstalled: the first send finds out (UNREGISTERED) and deactivates it.
    stack.sandbox.faults.add({ provider: "fcm", kind: "invalid_target", target: tokens[3], remaining: 1 });
    const first = await push.settle(await push.send("android-multi"));
    assert.equal(first.status, "SENT", "partial success on a multi-device push counts as sent");
    assert.deepEqual(first.attempts.map((a) => a.status).sort(), ["FAILED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]);
    const dead = await stack.db.device.findUniqueOrThrow({ where: { id: devices[3].id } });
    assert.equal(dead.state, "INVALID");
    assert.match(dead.invalidReason ?? "", /^messaging\/registration-token-not-registered: FCM/);

    const id = await push.send("android-multi");
    const n = await push.settle(id);
    assert.equal(n.status, "SENT");
    assert.equal(n.attempts.length, 3);
    assert.ok(n.attempts.every((a) => a.status === "SUCCEEDED" && a.provider === "fcm"));
    const requests = received(id);
    assert.equal(requests.length, 3, "exactly 3 hand-offs");
    assert.deepEqual(requests.map((r) => r.target).sort(), tokens.slice(0, 3).sort());
    assert.deepEqual(n.attempts.map((a) => a.providerMessageId).sort(), requests.map((r) => (r.response.body as { name: string }).name).sort());
    assert.equal(receivedFor(stack.sandbox.recorder.list({ provider: "apns" }), id, (b: Record<string, unknown>) => b).length, 0, "nothing went to APNs");
  });

  const transient: Array<[FaultKind, string]> = [
    ["rate_limit", "messaging/message-rate-exceeded"],
    ["server_error", "messaging/internal-error"],
    ["unavailable", "messaging/server-unavailable"],
    ["timeout", "app/network-error"],
  ];
  for (const [kind, code] of transient) {
    test(`${kind} twice: retried with backoff, then SENT; the attempt history shows both failures`, async () => {
      const token = fcmToken();
      await push.recipientWithDevices(`android-${kind}`, [token]);
      stack.sandbox.faults.add({ provider: "fcm", kind, target: token, remaining: 2, delayMs: 100, retryAfterSeconds: 0 });
      const id = await push.send(`android-${kind}`);
      const n = await push.settle(id);

      assert.equal(n.status, "SENT", n.lastError ?? "");
      assert.equal(n.attemptCount, 3);
      assert.deepEqual(n.attempts.map((a) => [a.attemptNumber, a.status]), [[1, "FAILED"], [2, "FAILED"], [3, "SUCCEEDED"]]);
      for (const failed of n.attempts.slice(0, 2)) {
        assert.equal(failed.retryable, true);
        assert.equal(failed.errorCode, code);
      }
      assert.deepEqual(n.events.map((e) => e.type), ["ACCEPTED", "RETRY_SCHEDULED", "RETRY_SCHEDULED", "SENT"]);
      assert.deepEqual(received(id).map((r) => r.accepted), [false, false, true], "no hidden SDK retries: one request per attempt");
    });
  }

  test("FCM's Retry-After is honoured before the next try", async () => {
    const token = fcmToken();
    await push.recipientWithDevices("android-retry-after", [token]);
    stack.sandbox.faults.add({ provider: "fcm", kind: "rate_limit", target: token, remaining: 1, retryAfterSeconds: 1 });
    const n = await push.settle(await push.send("android-retry-after"));
    assert.equal(n.status, "SENT");
    const retry = n.events.find((e) => e.type === "RETRY_SCHEDULED");
    assert.equal((retry?.detail as { retryAfterMs?: number }).retryAfterMs, 1000);
    const gap = n.attempts[1].startedAt.getTime() - n.attempts[0].finishedAt!.getTime();
    assert.ok(gap >= 900, `second try ${gap} ms after the first; the base backoff alone is 50 ms`);
  });

  const deadTokens: Array<[FaultKind, string, string]> = [
    ["invalid_target", "UNREGISTERED", "messaging/registration-token-not-registered"],
    ["bad_request", "INVALID_ARGUMENT", "messaging/invalid-argument"],
  ];
  for (const [kind, fcmCode, code] of deadTokens) {
    test(`${kind} (FCM ${fcmCode}): the device is deactivated with its reason, the notification FAILED, not retried; the next send is refused`, async () => {
      const token = fcmToken();
      const [device] = await push.recipientWithDevices(`android-${kind}`, [token]);
      stack.sandbox.faults.add({ provider: "fcm", kind, target: token, remaining: 1 });
      const id = await push.send(`android-${kind}`);
      const n = await push.settle(id);

      assert.equal(n.status, "FAILED");
      assert.equal(n.statusReason, code);
      assert.equal(n.attempts.length, 1, "a dead token is not retried");
      assert.equal(n.attempts[0].errorCode, code);
      assert.equal(n.attempts[0].retryable, false);
      const requests = received(id);
      assert.equal(requests.length, 1);
      const answer = requests[0].response.body as { error: { status: string; details: { errorCode: string }[] } };
      assert.equal(answer.error.details[0].errorCode, fcmCode, "the simulator answered with FCM's own error");
      const after = await stack.db.device.findUniqueOrThrow({ where: { id: device.id } });
      assert.equal(after.state, "INVALID");
      assert.ok(after.invalidAt);
      assert.match(after.invalidReason ?? "", new RegExp(`^${code}: FCM`));

      const before = await stack.db.notification.count();
      const refused = await push.sendRaw(`android-${kind}`);
      assert.equal(refused.errors?.[0]?.extensions?.code, "BAD_USER_INPUT");
      assert.equal(refused.errors?.[0]?.extensions?.reason, "MISSING_CONTACT");
      assert.equal(await stack.db.notification.count(), before, "a refused call writes nothing");
    });
  }

  test("auth (THIRD_PARTY_AUTH_ERROR): FAILED without deactivating the device, which still receives the next send", async () => {
    const token = fcmToken();
    const [device] = await push.recipientWithDevices("android-auth", [token]);
    stack.sandbox.faults.add({ provider: "fcm", kind: "auth", target: token, remaining: 1 });
    const n = await push.settle(await push.send("android-auth"));
    assert.equal(n.status, "FAILED");
    assert.equal(n.statusReason, "messaging/third-party-auth-error");
    assert.equal(n.attempts.length, 1);
    assert.equal((await stack.db.device.findUniqueOrThrow({ where: { id: device.id } })).state, "ACTIVE");
    assert.equal((await push.settle(await push.send("android-auth"))).status, "SENT");
  });

  test(`a fault that never clears: after ${ANDROID_ATTEMPTS} attempts the notification is DEAD, with every failure in its history`, async () => {
    const token = fcmToken();
    await push.recipientWithDevices("android-dead", [token]);
    const rule = stack.sandbox.faults.add({ provider: "fcm", kind: "unavailable", target: token });
    const id = await push.send("android-dead");
    const n = await push.settle(id);
    stack.sandbox.faults.remove(rule.id);

    assert.equal(n.status, "DEAD");
    assert.equal(n.statusReason, `gave up after ${ANDROID_ATTEMPTS} attempts`);
    assert.match(n.lastError ?? "", /FCM messaging\/server-unavailable \(503\)/);
    assert.deepEqual(n.attempts.map((a) => a.attemptNumber), [1, 2, 3, 4, 5]);
    assert.ok(n.attempts.every((a) => a.status === "FAILED" && a.errorCode === "messaging/server-unavailable" && a.retryable === true));
    assert.deepEqual(n.events.map((e) => e.type), ["ACCEPTED", ...Array(ANDROID_ATTEMPTS - 1).fill("RETRY_SCHEDULED"), "DEAD_LETTERED"]);
    assert.equal(received(id).length, ANDROID_ATTEMPTS);
  });

  test("nothing lost: every notification this suite created is in a terminal state, each hand-off recorded once", async () => {
    assert.ok(push.created.length >= 13);
    await push.assertNothingLost();
    // Every recorded messages:send for this suite's notifications has exactly one attempt row.
    const attempts = await stack.db.deliveryAttempt.count({ where: { notificationId: { in: push.created } } });
    const sends = push.created.reduce((sum, id) => sum + received(id).length, 0);
    assert.equal(attempts, sends);
  });
});
