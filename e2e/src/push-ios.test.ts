import assert from "node:assert/strict";
import { createPublicKey, randomBytes, verify } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { FaultKind, RecordedRequest } from "@notify/sandbox";
import { PushClient, receivedFor } from "./harness/push.js";
import { Stack } from "./harness/stack.js";

const apnsToken = () => randomBytes(32).toString("hex");
type ApnsBody = { aps: Record<string, unknown>; [key: string]: unknown };

describe("iOS push, end to end: GraphQL → Postgres → BullMQ → worker → apns2 (HTTP/2, ES256 JWT) → APNs simulator", () => {
  let stack: Stack;
  let push: PushClient;
  /** What the APNs simulator received for one notification, in order. */
  const received = (notificationId: string, accepted?: boolean): RecordedRequest[] =>
    receivedFor(stack.sandbox.recorder.list({ provider: "apns", accepted }), notificationId, (b: ApnsBody) => b as Record<string, unknown>);

  before(async () => {
    stack = await Stack.start({ env: { DELIVERY_BACKOFF_BASE_MS: "50" } });
    push = new PushClient(stack, stack.createKeyPair(), "IOS", "IOS_PUSH");
  });
  after(() => stack?.stop());

  test("one device: the simulator gets the right path, headers, signed JWT and payload; Postgres says SENT with one SUCCEEDED attempt", async () => {
    const token = apnsToken();
    const [device] = await push.recipientWithDevices("ios-1", [token]);
    const id = await push.send("ios-1", { title: "Order shipped", body: "Your order #42 is on its way", badge: 3, sound: "chime.caf", url: "https://shop.example/o/42" }, { orderId: "42", items: [1, 2] });
    const n = await push.settle(id);

    assert.equal(n.status, "SENT");
    assert.equal(n.attempts.length, 1);
    const [attempt] = n.attempts;
    assert.equal(attempt.status, "SUCCEEDED");
    assert.equal(attempt.provider, "apns");
    assert.equal(attempt.deviceId, device.id);
    assert.equal(attempt.target, token);
    assert.equal(attempt.providerMessageId, attempt.id, "APNs echoes our apns-id");
    assert.deepEqual(n.events.map((e) => e.type), ["ACCEPTED", "SENT"]);

    const requests = received(id);
    assert.equal(requests.length, 1, "exactly one hand-off");
    const [r] = requests;
    assert.equal(r.accepted, true);
    assert.equal(r.path, `/3/device/${token}`);
    assert.equal(r.headers["apns-topic"], stack.sandbox.credentials.apns.bundleId);
    assert.equal(r.headers["apns-push-type"], "alert");
    assert.equal(r.headers["apns-priority"], "10");
    assert.equal(r.headers["apns-id"], attempt.id);
    assert.deepEqual(r.body, {
      aps: { alert: { title: "Order shipped", body: "Your order #42 is on its way" }, badge: 3, sound: "chime.caf" },
      orderId: "42",
      items: "[1,2]",
      notificationId: id,
      url: "https://shop.example/o/42",
    });

    // The provider token: ES256 over header.payload with the sandbox key, kid = key id, iss = team id.
    const [scheme, jwt] = r.headers.authorization.split(" ");
    assert.equal(scheme, "bearer");
    const [h, p, sig] = jwt.split(".");
    const header = JSON.parse(Buffer.from(h, "base64url").toString());
    const claims = JSON.parse(Buffer.from(p, "base64url").toString());
    assert.equal(header.alg, "ES256");
    assert.equal(header.kid, stack.sandbox.credentials.apns.keyId);
    assert.equal(claims.iss, stack.sandbox.credentials.apns.teamId);
    assert.ok(Math.abs(claims.iat - Date.now() / 1000) < 120);
    const key = createPublicKey(stack.sandbox.credentials.apns.publicKeyPem);
    assert.ok(verify("sha256", Buffer.from(`${h}.${p}`), { key, dsaEncoding: "ieee-p1363" }, Buffer.from(sig, "base64url")), "JWT signature verifies");
  });

  test("3 active devices and 1 that APNs declared dead: exactly 3 hand-offs", async () => {
    const tokens = [apnsToken(), apnsToken(), apnsToken(), apnsToken()];
    const devices = await push.recipientWithDevices("ios-multi", tokens);
    // The fourth token is unregistered at Apple: the first send finds out and deactivates it.
    stack.sandbox.faults.add({ provider: "apns", kind: "invalid_target", target: tokens[3], remaining: 1 });
    const first = await push.settle(await push.send("ios-multi"));
    assert.equal(first.status, "SENT", "partial success on a multi-device push counts as sent");
    assert.deepEqual(first.attempts.map((a) => a.status).sort(), ["FAILED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]);
    const dead = await stack.db.device.findUniqueOrThrow({ where: { id: devices[3].id } });
    assert.equal(dead.state, "INVALID");
    assert.match(dead.invalidReason ?? "", /^Unregistered: APNs 410 Unregistered/);

    const id = await push.send("ios-multi");
    const n = await push.settle(id);
    assert.equal(n.status, "SENT");
    assert.equal(n.attempts.length, 3);
    assert.ok(n.attempts.every((a) => a.status === "SUCCEEDED"));
    assert.deepEqual(n.attempts.map((a) => a.target).sort(), tokens.slice(0, 3).sort());
    const requests = received(id);
    assert.equal(requests.length, 3, "exactly 3 hand-offs");
    assert.deepEqual(requests.map((r) => r.target).sort(), tokens.slice(0, 3).sort());
    assert.deepEqual(requests.map((r) => r.headers["apns-id"]).sort(), n.attempts.map((a) => a.id).sort());
  });

  const transient: Array<[FaultKind, string]> = [
    ["rate_limit", "TooManyRequests"],
    ["server_error", "InternalServerError"],
    ["unavailable", "ServiceUnavailable"],
    ["timeout", "UND_ERR_SOCKET"],
  ];
  for (const [kind, code] of transient) {
    test(`${kind} twice: retried with backoff, then SENT; the attempt history shows both failures`, async () => {
      const token = apnsToken();
      await push.recipientWithDevices(`ios-${kind}`, [token]);
      stack.sandbox.faults.add({ provider: "apns", kind, target: token, remaining: 2, delayMs: 100 });
      const id = await push.send(`ios-${kind}`);
      const n = await push.settle(id);

      assert.equal(n.status, "SENT");
      assert.equal(n.attemptCount, 3);
      assert.deepEqual(n.attempts.map((a) => [a.attemptNumber, a.status]), [[1, "FAILED"], [2, "FAILED"], [3, "SUCCEEDED"]]);
      for (const failed of n.attempts.slice(0, 2)) {
        assert.equal(failed.retryable, true);
        if (kind === "timeout") assert.ok(failed.errorCode, "a transport error code is recorded");
        else assert.equal(failed.errorCode, code);
      }
      assert.deepEqual(n.events.map((e) => e.type), ["ACCEPTED", "RETRY_SCHEDULED", "RETRY_SCHEDULED", "SENT"]);
      const requests = received(id);
      assert.deepEqual(requests.map((r) => r.accepted), [false, false, true]);
      assert.deepEqual(requests.map((r) => r.headers["apns-id"]), n.attempts.map((a) => a.id), "each try is its own attempt id");
    });
  }

  test("Retry-After from APNs is honoured before the next try", async () => {
    const token = apnsToken();
    await push.recipientWithDevices("ios-retry-after", [token]);
    stack.sandbox.faults.add({ provider: "apns", kind: "rate_limit", target: token, remaining: 1, retryAfterSeconds: 1 });
    const n = await push.settle(await push.send("ios-retry-after"));
    assert.equal(n.status, "SENT");
    const retry = n.events.find((e) => e.type === "RETRY_SCHEDULED");
    assert.equal((retry?.detail as { retryAfterMs?: number }).retryAfterMs, 1000);
    const gap = n.attempts[1].startedAt.getTime() - n.attempts[0].finishedAt!.getTime();
    assert.ok(gap >= 900, `second try ${gap} ms after the first; the base backoff alone is 50 ms`);
  });

  const deadTokens: Array<[FaultKind, string]> = [
    ["invalid_target", "Unregistered"],
    ["bad_request", "BadDeviceToken"],
  ];
  for (const [kind, reason] of deadTokens) {
    test(`${kind}: the device is deactivated, the notification FAILED, and the next send is refused with MISSING_CONTACT`, async () => {
      const token = apnsToken();
      const [device] = await push.recipientWithDevices(`ios-${kind}`, [token]);
      stack.sandbox.faults.add({ provider: "apns", kind, target: token, remaining: 1 });
      const id = await push.send(`ios-${kind}`);
      const n = await push.settle(id);

      assert.equal(n.status, "FAILED");
      assert.equal(n.statusReason, reason);
      assert.equal(n.attempts.length, 1, "a dead token is not retried");
      assert.equal(n.attempts[0].errorCode, reason);
      assert.equal(n.attempts[0].retryable, false);
      assert.equal(received(id).length, 1);
      const after = await stack.db.device.findUniqueOrThrow({ where: { id: device.id } });
      assert.equal(after.state, "INVALID");
      assert.ok(after.invalidAt);
      assert.match(after.invalidReason ?? "", new RegExp(`^${reason}: APNs`));

      const before = await stack.db.notification.count();
      const refused = await push.sendRaw(`ios-${kind}`);
      assert.equal(refused.errors?.[0]?.extensions?.code, "BAD_USER_INPUT");
      assert.equal(refused.errors?.[0]?.extensions?.reason, "MISSING_CONTACT");
      assert.equal(await stack.db.notification.count(), before, "a refused call writes nothing");
    });
  }

  test("auth (InvalidProviderToken): FAILED without deactivating the device, which still receives the next send", async () => {
    const token = apnsToken();
    const [device] = await push.recipientWithDevices("ios-auth", [token]);
    stack.sandbox.faults.add({ provider: "apns", kind: "auth", target: token, remaining: 1 });
    const n = await push.settle(await push.send("ios-auth"));
    assert.equal(n.status, "FAILED");
    assert.equal(n.statusReason, "InvalidProviderToken");
    assert.equal(n.attempts.length, 1);
    const after = await stack.db.device.findUniqueOrThrow({ where: { id: device.id } });
    assert.equal(after.state, "ACTIVE");
    assert.equal(after.invalidReason, null);

    const next = await push.settle(await push.send("ios-auth"));
    assert.equal(next.status, "SENT");
  });

  test("a fault that never clears: after 5 attempts the notification is DEAD, with every failure in its history", async () => {
    const token = apnsToken();
    await push.recipientWithDevices("ios-dead", [token]);
    const rule = stack.sandbox.faults.add({ provider: "apns", kind: "server_error", target: token });
    const id = await push.send("ios-dead");
    const n = await push.settle(id);
    stack.sandbox.faults.remove(rule.id);

    assert.equal(n.status, "DEAD");
    assert.equal(n.statusReason, "gave up after 5 attempts");
    assert.match(n.lastError ?? "", /APNs 500 InternalServerError/);
    assert.equal(n.attempts.length, 5);
    assert.deepEqual(n.attempts.map((a) => a.attemptNumber), [1, 2, 3, 4, 5]);
    assert.ok(n.attempts.every((a) => a.status === "FAILED" && a.errorCode === "InternalServerError" && a.retryable === true));
    assert.deepEqual(n.events.map((e) => e.type), ["ACCEPTED", ...Array(4).fill("RETRY_SCHEDULED"), "DEAD_LETTERED"]);
    assert.equal(received(id).length, 5);
  });

  test("nothing lost: every notification this suite created is in a terminal state", async () => {
    assert.ok(push.created.length >= 12);
    await push.assertNothingLost();
  });
});
