import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { DeliveryEvent } from "@notify/db";
import type { RecordedRequest } from "@notify/sandbox";
import { ok } from "./harness/gql.js";
import { TERMINAL, type Settled } from "./harness/push.js";
import { Stack, type KeyPair } from "./harness/stack.js";

const UPSERT = `mutation ($input: UpsertRecipientInput!) { upsertRecipient(input: $input) { id } }`;
const REGISTER = `mutation ($input: RegisterDeviceInput!) { registerDevice(input: $input) { id } }`;
const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { notifications { id } } }`;

const fcmToken = () => `${randomBytes(8).toString("base64url")}:APA91b${randomBytes(96).toString("base64url")}`;
/** Long enough that every job queued before the worker starts joins the first batch, even on a loaded machine. */
const BATCH_WAIT_MS = "2000";

type BatchInfo = { id: string; size: number };

/** The batch a SENT notification's hand-off went out in, from its SENT event. */
function batchOf(n: Settled): BatchInfo | undefined {
  const sent = n.events.find((e: DeliveryEvent) => e.type === "SENT");
  return (sent?.detail as { attempts?: { batch?: BatchInfo }[] } | undefined)?.attempts?.[0]?.batch;
}

describe("batch sending: a worker holding several jobs of a channel sends them in one provider batch (Postmark /email/batch, FCM sendEach)", () => {
  let stack: Stack;
  let key: KeyPair;

  before(async () => {
    // No workers yet: each test queues its notifications first, then starts the worker that takes them all at once.
    stack = await Stack.start({ workers: 0, env: { DELIVERY_BACKOFF_BASE_MS: "50" } });
    key = stack.createKeyPair();
  });
  after(() => stack?.stop());

  async function send(externalId: string, channel: "EMAIL" | "ANDROID_PUSH", content: Record<string, unknown>): Promise<string> {
    return ok(await stack.graphql(key, SEND, { input: { externalId, channels: [channel], content } })).sendNotification.notifications[0].id;
  }

  function settle(id: string): Promise<Settled> {
    return stack.eventually(
      () =>
        stack.db.notification.findUniqueOrThrow({
          where: { id },
          include: { attempts: { orderBy: [{ attemptNumber: "asc" }, { startedAt: "asc" }] }, events: { orderBy: { occurredAt: "asc" } } },
        }),
      (n) => (TERMINAL as readonly string[]).includes(n.status),
      30_000,
    );
  }

  /** Runs one worker for `channel` over what is queued, until every notification settles; then stops it. */
  async function drain(channel: string, ids: string[]): Promise<Settled[]> {
    const worker = await stack.startWorker({ WORKER_CHANNELS: channel, DELIVERY_BATCH_WAIT_MS: BATCH_WAIT_MS });
    try {
      return await Promise.all(ids.map(settle));
    } finally {
      await worker.stop();
    }
  }

  const postmarkFor = (id: string): RecordedRequest[] =>
    stack.sandbox.recorder.list({ provider: "postmark" }).filter((r) => (r.body as { Metadata?: { notificationId?: string } })?.Metadata?.notificationId === id);

  test("Postmark: five queued emails, one to an inactive recipient, go out in one /email/batch; each gets its own outcome", async () => {
    const addresses = ["b1@example.com", "b2@example.com", "gone@example.com", "b4@example.com", "b5@example.com"];
    for (const [i, email] of addresses.entries()) ok(await stack.graphql(key, UPSERT, { input: { externalId: `mail-${i}`, email } }));
    // Postmark has the address on its suppression list: inside a batch it answers that message alone with ErrorCode 406.
    stack.sandbox.faults.add({ provider: "postmark", kind: "invalid_target", target: "gone@example.com", remaining: 1 });
    const ids: string[] = [];
    for (const i of addresses.keys()) ids.push(await send(`mail-${i}`, "EMAIL", { subject: `Batch ${i}`, body: "text part", html: "<p>html part</p>" }));

    const settled = await drain("EMAIL", ids);

    // What Postmark received: every message exactly once, all through the batch endpoint, in one request.
    const records = ids.map(postmarkFor);
    assert.deepEqual(records.map((r) => r.length), [1, 1, 1, 1, 1], "each message handed off once");
    assert.ok(records.every(([r]) => r!.path === "/email/batch"), JSON.stringify(records.map(([r]) => r!.path)));
    const [first] = records[0]!;
    const body = first!.body as Record<string, unknown>;
    assert.equal(body.TextBody, "text part");
    assert.equal(body.HtmlBody, "<p>html part</p>");
    assert.equal(first!.headers["x-postmark-server-token"], stack.sandbox.credentials.postmark.serverToken);

    // Per-message outcomes, exactly as single sends would have them.
    const good = settled.filter((_, i) => i !== 2);
    const dead = settled[2]!;
    for (const [i, n] of good.entries()) {
      assert.ok(["SENT", "DELIVERED"].includes(n.status), `${n.id}: ${n.status} ${n.lastError}`);
      assert.equal(n.attempts.length, 1);
      assert.equal(n.attempts[0]!.status, "SUCCEEDED");
      const record = records[i < 2 ? i : i + 1]![0]!;
      assert.equal(n.attempts[0]!.providerMessageId, (record.response.body as { MessageID: string }).MessageID, "each answer maps back to its own notification");
    }
    const batches = new Set(good.map((n) => JSON.stringify(batchOf(n))));
    assert.equal(batches.size, 1, "the four good ones shared one call");
    assert.equal(batchOf(good[0]!)?.size, 5, "and the inactive recipient was in it");

    assert.equal(dead.status, "FAILED");
    assert.equal(dead.statusReason, "406");
    assert.equal(dead.attempts.length, 1, "a dead address is not retried");
    assert.equal(dead.attempts[0]!.retryable, false);
    const recipient = await stack.db.recipient.findFirstOrThrow({ where: { email: "gone@example.com" } });
    assert.ok(recipient.emailInvalidAt, "the address is marked undeliverable");
    assert.match(recipient.emailInvalidReason ?? "", /^406: Postmark/);
  });

  test("Postmark: a 429 for a whole batch retries each of its emails after Retry-After, and each is then SENT once", async () => {
    const addresses = ["r1@example.com", "r2@example.com", "r3@example.com"];
    for (const [i, email] of addresses.entries()) ok(await stack.graphql(key, UPSERT, { input: { externalId: `rl-${i}`, email } }));
    stack.sandbox.faults.add({ provider: "postmark", kind: "rate_limit", remaining: 1, retryAfterSeconds: 1 });
    const ids: string[] = [];
    for (const i of addresses.keys()) ids.push(await send(`rl-${i}`, "EMAIL", { subject: `Retry ${i}`, body: "b" }));

    const settled = await drain("EMAIL", ids);
    for (const n of settled) {
      assert.ok(["SENT", "DELIVERED"].includes(n.status), `${n.id}: ${n.status} ${n.lastError}`);
      assert.deepEqual(n.attempts.map((a) => [a.status, a.errorCode]), [["FAILED", "429"], ["SUCCEEDED", null]]);
      const retry = n.events.find((e) => e.type === "RETRY_SCHEDULED");
      assert.equal((retry?.detail as { retryAfterMs?: number }).retryAfterMs, 1000);
      assert.deepEqual(postmarkFor(n.id).map((r) => r.accepted), [false, true], "refused once, accepted once");
    }
  });

  test("FCM: four queued pushes, one to an uninstalled app, go through one sendEach; the dead device alone is deactivated", async () => {
    const tokens = [fcmToken(), fcmToken(), fcmToken(), fcmToken()];
    const deviceIds: string[] = [];
    for (const [i, token] of tokens.entries()) {
      ok(await stack.graphql(key, UPSERT, { input: { externalId: `droid-${i}` } }));
      deviceIds.push(ok(await stack.graphql(key, REGISTER, { input: { externalId: `droid-${i}`, platform: "ANDROID", token } })).registerDevice.id);
    }
    stack.sandbox.faults.add({ provider: "fcm", kind: "invalid_target", target: tokens[1], remaining: 1 });
    const ids: string[] = [];
    for (const i of tokens.keys()) ids.push(await send(`droid-${i}`, "ANDROID_PUSH", { title: `Batch ${i}`, body: "b" }));

    const settled = await drain("ANDROID_PUSH", ids);

    // FCM v1 has no batch endpoint: sendEach makes one messages:send per message, each answered on its own.
    const sends = stack.sandbox.recorder.list({ provider: "fcm" }).filter((r) => r.path.endsWith("/messages:send"));
    for (const [i, token] of tokens.entries()) {
      const mine = sends.filter((r) => r.target === token);
      assert.equal(mine.length, 1, `token ${i} handed off once`);
      assert.equal((mine[0]!.body as { message: { data: { notificationId: string } } }).message.data.notificationId, ids[i]);
    }
    const good = settled.filter((_, i) => i !== 1);
    for (const n of good) {
      assert.equal(n.status, "SENT", `${n.id}: ${n.lastError}`);
      assert.equal(n.attempts.length, 1);
      assert.equal(n.attempts[0]!.providerMessageId, (sends.find((r) => r.target === n.attempts[0]!.target)!.response.body as { name: string }).name);
    }
    assert.equal(new Set(good.map((n) => JSON.stringify(batchOf(n)))).size, 1, "the three good ones shared one sendEach");
    assert.equal(batchOf(good[0]!)?.size, 4, "and the dead token was in it");

    const dead = settled[1]!;
    assert.equal(dead.status, "FAILED");
    assert.equal(dead.statusReason, "messaging/registration-token-not-registered");
    assert.equal(dead.attempts.length, 1);
    const devices = await stack.db.device.findMany({ where: { id: { in: deviceIds } } });
    assert.deepEqual(
      deviceIds.map((id) => devices.find((d) => d.id === id)!.state),
      ["ACTIVE", "INVALID", "ACTIVE", "ACTIVE"],
    );
    assert.match(devices.find((d) => d.id === deviceIds[1])!.invalidReason ?? "", /^messaging\/registration-token-not-registered: FCM/);
  });
});
