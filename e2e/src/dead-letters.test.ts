import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ok, rejected } from "./harness/gql.js";
import { Stack, type KeyPair } from "./harness/stack.js";

const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { notifications { id } } }`;
const REPLAY = `mutation ($input: ReplayDeadLettersInput!) {
  replayDeadLetters(input: $input) { replayed remaining notifications { id status attemptCount replayedAt deadLetteredAt } }
}`;
const DEAD_LETTERS = `query ($filter: DeadLetterFilter) { deadLetters(filter: $filter) { id channel status lastErrorCode deadLetteredAt statusReason } }`;

const EMAIL = "dl@example.com";
const PHONE = "+14155550123";

describe("dead letters: replayed with a new attempt budget", () => {
  let stack: Stack;
  let key: KeyPair;
  const emails: string[] = [];
  let sms: string;
  let sentOk: string;
  let startedAt: Date;

  const statuses = (ids: string[]) => stack.db.notification.findMany({ where: { id: { in: ids } }, orderBy: { id: "asc" } });
  const allIn = (status: string) => (rows: { status: string }[]) => rows.every((r) => r.status === status);

  before(async () => {
    // Two attempts per budget and fast backoff, so dead letters appear in seconds.
    stack = await Stack.start({ workers: 1, env: { DELIVERY_BACKOFF_BASE_MS: "20", RETRY_MAX_ATTEMPTS: "EMAIL=2,SMS=2" } });
    key = stack.createKeyPair();
    ok(await stack.graphql(key, `mutation { upsertRecipient(input: { externalId: "dl", email: "${EMAIL}", phone: "${PHONE}" }) { id } }`));
    ok(await stack.graphql(key, `mutation { upsertRecipient(input: { externalId: "other", email: "other@example.com" }) { id } }`));
    sentOk = ok(await stack.graphql(key, SEND, { input: { externalId: "other", channels: ["EMAIL"], content: { subject: "fine", body: "b" } } })).sendNotification.notifications[0].id;
    await stack.eventually(() => statuses([sentOk]), (r) => r[0]?.status === "SENT" || r[0]?.status === "DELIVERED");

    startedAt = new Date();
    stack.sandbox.faults.add({ provider: "postmark", kind: "server_error", target: EMAIL });
    stack.sandbox.faults.add({ provider: "twilio", kind: "server_error", target: PHONE });
    for (let i = 0; i < 3; i++) {
      emails.push(ok(await stack.graphql(key, SEND, { input: { externalId: "dl", channels: ["EMAIL"], content: { subject: `s${i}`, body: "b" } } })).sendNotification.notifications[0].id);
    }
    sms = ok(await stack.graphql(key, SEND, { input: { externalId: "dl", channels: ["SMS"], content: { body: "text" } } })).sendNotification.notifications[0].id;
    await stack.eventually(() => statuses([...emails, sms]), allIn("DEAD"), 30_000);
  });
  after(() => stack?.stop());

  test("a dead letter keeps its error code, time and history, and is listed by filter", async () => {
    const dead = ok(await stack.graphql(key, DEAD_LETTERS)).deadLetters as { id: string; channel: string; lastErrorCode: string; deadLetteredAt: string; statusReason: string }[];
    assert.deepEqual(dead.map((d) => d.id).sort(), [...emails, sms].sort());
    for (const d of dead) {
      // Each provider's own code: Postmark's HTTP status, Twilio's error code.
      assert.equal(d.lastErrorCode, d.channel === "SMS" ? "20500" : "500");
      assert.ok(new Date(d.deadLetteredAt) >= startedAt);
      assert.match(d.statusReason, /gave up after 2 attempts/);
    }
    assert.equal(await stack.db.deliveryAttempt.count({ where: { notificationId: { in: emails }, status: "FAILED", errorCode: "500" } }), 6);
    assert.equal(ok(await stack.graphql(key, DEAD_LETTERS, { filter: { channel: "SMS" } })).deadLetters.length, 1);
    assert.equal(ok(await stack.graphql(key, DEAD_LETTERS, { filter: { externalId: "other" } })).deadLetters.length, 0);
    assert.equal(ok(await stack.graphql(key, DEAD_LETTERS, { filter: { deadBefore: startedAt.toISOString() } })).deadLetters.length, 0);
  });

  test("bad replay requests are typed errors and write nothing", async () => {
    const before = await stack.db.notification.groupBy({ by: ["status"], _count: { _all: true } });
    rejected(await stack.graphql(key, REPLAY, { input: {} }), { code: "BAD_USER_INPUT", reason: "ID_OR_FILTER" });
    rejected(await stack.graphql(key, REPLAY, { input: { id: sms, filter: {} } }), { code: "BAD_USER_INPUT", reason: "ID_OR_FILTER" });
    rejected(await stack.graphql(key, REPLAY, { input: { id: "00000000-0000-4000-8000-000000000000" } }), { code: "NOT_FOUND" });
    rejected(await stack.graphql(key, REPLAY, { input: { id: "not-a-uuid" } }), { code: "NOT_FOUND" });
    const notDead = rejected(await stack.graphql(key, REPLAY, { input: { id: sentOk } }), { code: "BAD_USER_INPUT", reason: "NOT_DEAD", field: "id" });
    assert.match(notDead.message, /is (SENT|DELIVERED); only DEAD/);
    rejected(await stack.graphql(key, REPLAY, { input: { filter: { deadAfter: "yesterday" } } }), { code: "BAD_USER_INPUT", reason: "INVALID_TIME", field: "filter.deadAfter" });
    const later = new Date(Date.now() + 60_000).toISOString();
    rejected(await stack.graphql(key, REPLAY, { input: { filter: { deadAfter: later, deadBefore: startedAt.toISOString() } } }), { code: "BAD_USER_INPUT", reason: "EMPTY_RANGE" });
    rejected(await stack.graphql(key, REPLAY, { input: { filter: { externalId: "nobody" } } }), { code: "NOT_FOUND" });
    rejected(await stack.graphql(key, REPLAY, { input: { filter: {}, limit: 0 } }), { code: "BAD_USER_INPUT" });
    // Another app cannot see or replay this app's dead letters.
    const stranger = stack.createKeyPair("stranger");
    rejected(await stack.graphql(stranger, REPLAY, { input: { id: sms } }), { code: "NOT_FOUND" });
    assert.equal(ok(await stack.graphql(stranger, REPLAY, { input: { filter: {} } })).replayDeadLetters.replayed, 0);

    assert.deepEqual(await stack.db.notification.groupBy({ by: ["status"], _count: { _all: true } }), before);
    assert.equal(await stack.db.deliveryEvent.count({ where: { type: "REPLAYED" } }), 0);
  });

  test("one by id: a full new budget (it dies again after 2 more attempts while the fault lasts), then delivery once it clears", async () => {
    const first = ok(await stack.graphql(key, REPLAY, { input: { id: sms } })).replayDeadLetters;
    assert.equal(first.replayed, 1);
    assert.equal(first.remaining, 0);
    assert.equal(first.notifications[0].status, "QUEUED");
    assert.equal(first.notifications[0].deadLetteredAt, null);
    assert.ok(first.notifications[0].replayedAt);

    const [again] = await stack.eventually(() => statuses([sms]), allIn("DEAD"), 30_000);
    assert.equal(again!.attemptCount, 4, "two attempts before the replay and two after");

    stack.sandbox.faults.clear("twilio");
    ok(await stack.graphql(key, REPLAY, { input: { id: sms } }));
    const [sent] = await stack.eventually(() => statuses([sms]), (r) => r[0]?.status === "SENT" || r[0]?.status === "DELIVERED", 30_000);
    assert.equal(sent!.attemptCount, 5);
    const events = (await stack.db.deliveryEvent.findMany({ where: { notificationId: sms }, orderBy: { occurredAt: "asc" } })).map((e) => e.type);
    assert.deepEqual(
      events.filter((t) => t === "REPLAYED" || t === "DEAD_LETTERED" || t === "SENT"),
      ["DEAD_LETTERED", "REPLAYED", "DEAD_LETTERED", "REPLAYED", "SENT"],
    );
    assert.equal(stack.sandbox.recorder.list({ provider: "twilio", target: PHONE, accepted: true }).length, 1);
  });

  test("by filter, in pages of `limit`; concurrent replays replay each dead letter once", async () => {
    stack.sandbox.faults.clear("postmark");
    const page = ok(await stack.graphql(key, REPLAY, { input: { filter: { channel: "EMAIL", externalId: "dl", errorCode: "500", deadAfter: startedAt.toISOString() }, limit: 2 } })).replayDeadLetters;
    assert.equal(page.replayed, 2);
    assert.equal(page.remaining, 1);

    const racing = await Promise.all([1, 2].map(() => stack.graphql(key, REPLAY, { input: { filter: { channel: "EMAIL" } } })));
    assert.equal(racing.map((r) => ok(r).replayDeadLetters.replayed as number).reduce((a, b) => a + b), 1);

    await stack.eventually(() => statuses(emails), (rows) => rows.every((r) => r.status === "SENT" || r.status === "DELIVERED"), 30_000);
    assert.equal(await stack.db.deliveryEvent.count({ where: { notificationId: { in: emails }, type: "REPLAYED" } }), 3);
    const subjects = stack.sandbox.recorder.list({ provider: "postmark", target: EMAIL, accepted: true }).map((r) => (r.body as { Subject: string }).Subject);
    assert.deepEqual(subjects.sort(), ["s0", "s1", "s2"], "each replayed email handed over exactly once");
    assert.equal(ok(await stack.graphql(key, DEAD_LETTERS)).deadLetters.length, 0);
  });
});
