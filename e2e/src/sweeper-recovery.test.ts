import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ok } from "./harness/gql.js";
import { Stack, type KeyPair } from "./harness/stack.js";

const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { notifications { id } } }`;

/**
 * The sweeper's side of the crash window: a notification left SENDING by a worker that is gone is
 * settled by what its attempt rows say. Each case is set up in Postgres as a dead worker leaves it.
 */
describe("sweeper: notifications a lost worker left SENDING", () => {
  let stack: Stack;
  let key: KeyPair;

  /** Accepted with no worker running, then put in the state a worker that died mid-claim leaves. */
  async function abandoned(subject: string, attempt: "none" | "SENDING" | "SUCCEEDED" | "FAILED"): Promise<string> {
    const id = ok(await stack.graphql(key, SEND, { input: { externalId: "s", channels: ["EMAIL"], content: { subject, body: "b" } } })).sendNotification.notifications[0].id as string;
    if (attempt !== "none") {
      await stack.db.deliveryAttempt.create({
        data: { notificationId: id, attemptNumber: 1, provider: "postmark", target: "s@example.com", status: attempt, ...(attempt === "FAILED" ? { errorCode: "500", retryable: true } : {}) },
      });
    }
    // A minute old, so it is past the sweeper's SENDING timeout.
    await stack.db.$executeRaw`UPDATE "Notification" SET status = 'SENDING', "attemptCount" = 1, "updatedAt" = now() - interval '1 minute' WHERE id = ${id}::uuid`;
    return id;
  }

  before(async () => {
    stack = await Stack.start({ workers: 0 });
    key = stack.createKeyPair();
    ok(await stack.graphql(key, `mutation { upsertRecipient(input: { externalId: "s", email: "s@example.com" }) { id } }`));
  });
  after(() => stack?.stop());

  test("SUCCEEDED attempt → SENT without a second hand-off; SENDING attempt → WORKER_LOST and sent again; failed or no attempt → sent on the next attempt", async () => {
    const recorded = await abandoned("recorded", "SUCCEEDED");
    const unknown = await abandoned("unknown", "SENDING");
    const failed = await abandoned("failed", "FAILED");
    const none = await abandoned("none", "none");
    // The jobs of these notifications were taken by the dead worker: only the sweeper can bring them back.
    await stack.startWorker({ SWEEP_INTERVAL_MS: "200", SWEEP_GRACE_MS: "1000", SWEEP_SENDING_TIMEOUT_MS: "30000" });

    const rows = await stack.eventually(
      () => stack.db.notification.findMany({ where: { id: { in: [recorded, unknown, failed, none] } } }),
      (r) => r.every((n) => n.status === "SENT" || n.status === "DELIVERED"),
      30_000,
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    assert.equal(byId.get(recorded)!.attemptCount, 1, "completed from its recorded attempt, not attempted again");
    for (const id of [unknown, failed, none]) assert.equal(byId.get(id)!.attemptCount, 2);

    const subjects = stack.sandbox.recorder.list({ provider: "postmark", accepted: true }).map((r) => (r.body as { Subject: string }).Subject).sort();
    assert.deepEqual(subjects, ["failed", "none", "unknown"], "the recorded hand-off is not repeated");
    const lost = await stack.db.deliveryAttempt.findFirstOrThrow({ where: { notificationId: unknown, attemptNumber: 1 } });
    assert.equal(lost.errorCode, "WORKER_LOST");
    const recoveredEvent = await stack.db.deliveryEvent.findFirst({ where: { notificationId: recorded, type: "SENT" } });
    assert.deepEqual(recoveredEvent?.detail, { recoveredBy: "sweeper" });
  });
});
