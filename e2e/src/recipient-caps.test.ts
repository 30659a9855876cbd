import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ok } from "./harness/gql.js";
import { Stack, type KeyPair } from "./harness/stack.js";

const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { notifications { id } } }`;
const WINDOW_MS = 8_000;

describe("per-recipient caps: over-cap work waits, it is not dropped", () => {
  let stack: Stack;
  let key: KeyPair;

  before(async () => {
    stack = await Stack.start({ workers: 1, env: { RECIPIENT_CAPS: `SMS=5/${WINDOW_MS / 1000}s` } });
    key = stack.createKeyPair();
    ok(await stack.graphql(key, `mutation { upsertRecipient(input: { externalId: "capped", phone: "+14155550100" }) { id } }`));
    ok(await stack.graphql(key, `mutation { upsertRecipient(input: { externalId: "free", phone: "+14155550101" }) { id } }`));
  });
  after(() => stack?.stop());

  test("the 6th SMS in the window is held, then sent once the window allows; other recipients are not held", async () => {
    const send = async (externalId: string, body: string) =>
      ok(await stack.graphql(key, SEND, { input: { externalId, channels: ["SMS"], content: { body } } })).sendNotification.notifications[0].id as string;
    const ids: string[] = [];
    for (let i = 1; i <= 6; i++) ids.push(await send("capped", `capped ${i}`));
    const other = await send("free", "not capped");

    const isSent = (s: string) => s === "SENT" || s === "DELIVERED";
    // Five go out; the sixth waits (PENDING until its slot frees), with the reason on its timeline.
    const held = await stack.eventually(
      () => stack.db.notification.findMany({ where: { id: { in: [...ids, other] } } }),
      (rows) => rows.filter((r) => isSent(r.status)).length === 6 && rows.some((r) => r.status === "PENDING" && r.scheduledAt !== null),
      WINDOW_MS - 1_000,
    );
    const waiting = held.find((r) => r.status === "PENDING")!;
    assert.ok(ids.includes(waiting.id), "the waiting one is one of the capped recipient's");
    assert.ok(isSent(held.find((r) => r.id === other)!.status), "another recipient's SMS is not held by this recipient's cap");
    const deferral = await stack.db.deliveryEvent.findFirst({ where: { notificationId: waiting.id, type: "QUEUED" }, orderBy: { occurredAt: "desc" } });
    assert.match(String((deferral?.detail as { reason?: string } | null)?.reason), /recipient cap: at most 5 per 8 s on SMS/);
    assert.equal(stack.sandbox.recorder.list({ provider: "twilio", target: "+14155550100", accepted: true }).length, 5);
    assert.equal(waiting.attemptCount, 0, "waiting for a slot uses no attempt");

    const rows = await stack.eventually(
      () => stack.db.notification.findMany({ where: { id: { in: ids } }, orderBy: { sentAt: "asc" } }),
      (r) => r.every((n) => isSent(n.status)),
      4 * WINDOW_MS,
    );
    const received = stack.sandbox.recorder.list({ provider: "twilio", target: "+14155550100", accepted: true }).map((r) => Date.parse(r.receivedAt));
    assert.equal(received.length, 6, "each SMS handed over once");
    // Every slot was taken after the first of them was accepted, so the sixth cannot reach the
    // provider before a whole window has passed since then (one host, one clock).
    const firstAccepted = (await stack.db.notification.findUniqueOrThrow({ where: { id: ids[0]! } })).createdAt.getTime();
    assert.ok(received[5]! - firstAccepted >= WINDOW_MS, `sixth handed over ${received[5]! - firstAccepted} ms after the first was accepted; window ${WINDOW_MS} ms`);
    assert.equal(rows.find((r) => r.id === waiting.id)!.attemptCount, 1);
  });
});
