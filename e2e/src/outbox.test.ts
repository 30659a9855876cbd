import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Redis } from "ioredis";
import { Stack, type KeyPair } from "./harness/stack.js";

const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { notifications { id status } } }`;

describe("outbox: Postgres first, Redis may lose jobs", () => {
  let stack: Stack;
  let key: KeyPair;
  let redis: Redis;

  before(async () => {
    stack = await Stack.start({ workers: 0 });
    key = stack.createKeyPair();
    redis = new Redis(stack["env"].REDIS_URL);
    await stack.graphql(key, `mutation { upsertRecipient(input: { externalId: "u", email: "u@example.com" }) { id } }`);
  });
  after(async () => {
    redis?.disconnect();
    await stack?.stop();
  });

  test("notifications whose jobs Redis lost are re-enqueued by the sweeper and sent exactly once", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await stack.graphql(key, SEND, { input: { externalId: "u", channels: ["EMAIL"], content: { subject: `m${i}`, body: "b" } } });
      assert.equal(res.errors, undefined, JSON.stringify(res.errors));
      ids.push(res.data!.sendNotification.notifications[0].id);
    }
    assert.equal(await stack.db.notification.count({ where: { status: "QUEUED" } }), 20);

    await redis.flushdb(); // Redis restarted empty: every job is gone, Postgres still has them all.

    await stack.startWorker({ SWEEP_INTERVAL_MS: "200", SWEEP_GRACE_MS: "300" });
    await stack.eventually(() => stack.db.notification.count({ where: { id: { in: ids }, status: { in: ["SENT", "DELIVERED"] } } }), (n) => n === 20, 30_000);

    const received = stack.sandbox.recorder.list({ provider: "postmark", accepted: true });
    const subjects = received.map((r) => (r.body as { Subject: string }).Subject).sort();
    assert.equal(received.length, 20, "each notification handed over once");
    assert.equal(new Set(subjects).size, 20, "no duplicates");
    assert.equal(await stack.db.deliveryAttempt.count(), 20);
  });
});
