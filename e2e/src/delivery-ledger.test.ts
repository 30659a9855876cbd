import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { createDb, type Db } from "@notify/db";
import { DeliveryLedger } from "@notify/workers/dist/delivery/ledger.js";
import { createTestDatabase } from "./harness/databases.js";

// The workers' batched writes against a real Postgres: batching must not weaken the fence.
describe("delivery ledger: batched claim and finish keep their per-notification meaning", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Db;
  let ledger: DeliveryLedger;
  let appId: string;
  let recipientId: string;

  before(async () => {
    database = await createTestDatabase();
    db = createDb({ url: database.url, max: 5 });
    ledger = new DeliveryLedger(db, { waitMs: 5, maxBatch: 100 });
    appId = (await db.app.create({ data: { name: "ledger" } })).id;
    const recipient = await db.recipient.create({
      data: {
        appId,
        externalId: "r",
        email: "r@example.com",
        devices: { create: [{ appId, platform: "IOS", token: "live" }, { appId, platform: "IOS", token: "dead", state: "INVALID" }] },
      },
    });
    recipientId = recipient.id;
  });
  after(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  const notification = (extra: Record<string, unknown> = {}) =>
    db.notification.create({ data: { appId, recipientId, channel: "IOS_PUSH", content: { title: "t", body: "b" }, status: "QUEUED", ...extra } });

  test("one batch: each claimable notification is claimed once, even when asked for twice; others are not", async () => {
    const due = await Promise.all([notification(), notification(), notification()]);
    const later = await notification({ scheduledAt: new Date(Date.now() + 3_600_000) });
    const canceled = await notification({ status: "CANCELED" });

    const asks = [...due.map((n) => n.id), due[0]!.id, later.id, canceled.id];
    const answers = await Promise.all(asks.map((id) => ledger.claim(id)));

    assert.deepEqual(
      answers.map((a) => a?.id ?? null),
      [due[0]!.id, due[1]!.id, due[2]!.id, null, null, null],
      "the duplicate ask, the future one and the canceled one get nothing",
    );
    for (const a of answers.slice(0, 3)) {
      assert.equal(a!.status, "SENDING");
      assert.equal(a!.attemptCount, 1);
      assert.deepEqual(a!.recipient.devices.map((d) => d.token), ["live"], "only active devices come with the claim");
    }
    assert.equal(await ledger.claim(due[1]!.id), null, "a second batch cannot claim it again");
  });

  test("a row Postgres refuses fails only its own caller, not the batch it was in", async () => {
    const [n] = await Promise.all([notification()]);
    const claimed = (await ledger.claim(n!.id))!;
    const good = { id: randomUUID(), notificationId: claimed.id, attemptNumber: claimed.attemptCount, provider: "apns", target: "live" };
    // No such notification: the foreign key refuses this row, and with it the batched INSERT.
    const orphan = { id: randomUUID(), notificationId: randomUUID(), attemptNumber: 1, provider: "apns", target: "live" };
    const [ok, refused] = await Promise.allSettled([ledger.openAttempts([good]), ledger.openAttempts([orphan])]);
    assert.equal(ok.status, "fulfilled");
    assert.equal(refused.status, "rejected");
    assert.equal(await db.deliveryAttempt.count({ where: { id: good.id } }), 1, "the good row was written");
    assert.equal(await db.deliveryAttempt.count({ where: { id: orphan.id } }), 0);
  });

  test("finish lands only under the claim it names; deferrals keep their own times; outcomes keep their own values", async () => {
    const [a, b, c, d] = await Promise.all([notification(), notification(), notification(), notification()]);
    const claimed = await Promise.all([a, b, c, d].map((n) => ledger.claim(n!.id)));
    const attempts = claimed.map((n) => ({ id: randomUUID(), notificationId: n!.id, attemptNumber: n!.attemptCount, provider: "apns", target: "live" }));
    await ledger.openAttempts(attempts);

    const t1 = new Date(Date.now() + 60_000);
    const t2 = new Date(Date.now() + 120_000);
    const finishedAt = new Date("2026-01-02T03:04:05.678Z");
    const [sent, stale, deferred1, deferred2] = await Promise.all([
      ledger.finish({ claim: claimed[0]!, data: { status: "SENT", sentAt: new Date() }, event: "SENT", detail: {} }),
      // A late word from a run whose claim the sweeper has since taken back (older attempt number).
      ledger.finish({ claim: { id: b!.id, attemptCount: 0 }, data: { status: "SENT", sentAt: new Date() }, event: "SENT", detail: {} }),
      ledger.finish({ claim: claimed[2]!, data: { status: "PENDING", scheduledAt: t1, attemptCount: { decrement: 1 } }, event: "QUEUED", detail: {} }),
      ledger.finish({ claim: claimed[3]!, data: { status: "PENDING", scheduledAt: t2, attemptCount: { decrement: 1 } }, event: "QUEUED", detail: {} }),
      ledger.closeAttempts([
        { attemptId: attempts[0]!.id, ok: true, providerMessageId: "apns-1", finishedAt },
        { attemptId: attempts[1]!.id, ok: false, errorCode: "429", errorMessage: "slow down", retryable: true, finishedAt },
      ]),
    ]);
    assert.deepEqual([sent, stale, deferred1, deferred2], [true, false, true, true]);

    const rows = new Map((await db.notification.findMany({ where: { id: { in: [a!.id, b!.id, c!.id, d!.id] } } })).map((n) => [n.id, n]));
    assert.equal(rows.get(a!.id)!.status, "SENT");
    assert.equal(rows.get(b!.id)!.status, "SENDING", "the stale finish changed nothing");
    assert.equal(await db.deliveryEvent.count({ where: { notificationId: b!.id } }), 0, "and recorded no event");
    assert.equal(rows.get(c!.id)!.scheduledAt!.getTime(), t1.getTime());
    assert.equal(rows.get(d!.id)!.scheduledAt!.getTime(), t2.getTime(), "each deferral keeps its own time");
    assert.equal(rows.get(c!.id)!.attemptCount, 0);

    const [ok, failed] = await Promise.all([attempts[0], attempts[1]].map((x) => db.deliveryAttempt.findUniqueOrThrow({ where: { id: x!.id } })));
    assert.equal(ok!.status, "SUCCEEDED");
    assert.equal(ok!.providerMessageId, "apns-1");
    assert.equal(ok!.finishedAt!.toISOString(), finishedAt.toISOString(), "stored in UTC, as Prisma reads it");
    assert.equal(failed!.status, "FAILED");
    assert.deepEqual([failed!.errorCode, failed!.errorMessage, failed!.retryable, failed!.providerMessageId], ["429", "slow down", true, null]);
  });
});
