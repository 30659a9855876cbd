import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { FaultKind, RecordedRequest } from "@notify/sandbox";
import { ok } from "./harness/gql.js";
import { TERMINAL, type Settled } from "./harness/push.js";
import { Stack, type KeyPair } from "./harness/stack.js";

const UPSERT = `mutation ($input: UpsertRecipientInput!) { upsertRecipient(input: $input) { id } }`;
const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { notifications { id } } }`;

// packages/jobs CHANNEL_POLICIES.EMAIL.attempts.
const EMAIL_ATTEMPTS = 8;
const SENT = ["SENT", "DELIVERED"];

describe("email faults: every Postmark answer is classified, retried or given up on, and nothing is lost", () => {
  let stack: Stack;
  let key: KeyPair;
  const created: string[] = [];

  before(async () => {
    stack = await Stack.start({ env: { DELIVERY_BACKOFF_BASE_MS: "50" } });
    key = stack.createKeyPair();
  });
  after(() => stack?.stop());

  async function recipient(externalId: string): Promise<string> {
    const email = `${externalId}@example.com`;
    ok(await stack.graphql(key, UPSERT, { input: { externalId, email } }));
    return email;
  }

  const sendRaw = (externalId: string) => stack.graphql(key, SEND, { input: { externalId, channels: ["EMAIL"], content: { subject: "Hello", body: "text", html: "<p>html</p>" } } });

  async function sendAndSettle(externalId: string, timeoutMs = 20_000): Promise<Settled> {
    const id: string = ok(await sendRaw(externalId)).sendNotification.notifications[0].id;
    created.push(id);
    return stack.eventually(
      () =>
        stack.db.notification.findUniqueOrThrow({
          where: { id },
          include: { attempts: { orderBy: [{ attemptNumber: "asc" }, { startedAt: "asc" }] }, events: { orderBy: { occurredAt: "asc" } } },
        }),
      (n) => (TERMINAL as readonly string[]).includes(n.status),
      timeoutMs,
    );
  }

  const received = (id: string): RecordedRequest[] =>
    stack.sandbox.recorder.list({ provider: "postmark" }).filter((r) => (r.body as { Metadata?: { notificationId?: string } })?.Metadata?.notificationId === id);

  const transient: Array<{ kind: FaultKind; code: string; status: number }> = [
    { kind: "rate_limit", code: "429", status: 429 },
    { kind: "server_error", code: "500", status: 500 },
    { kind: "unavailable", code: "503", status: 503 },
    { kind: "timeout", code: "network", status: 0 },
  ];
  for (const { kind, code, status } of transient) {
    test(`${kind} twice: retried with backoff, then SENT once; each refused try is its own FAILED attempt`, async () => {
      const email = await recipient(`mail-${kind}`);
      stack.sandbox.faults.add({ provider: "postmark", kind, target: email, remaining: 2, retryAfterSeconds: 0, delayMs: 100 });
      const n = await sendAndSettle(`mail-${kind}`);

      assert.ok(SENT.includes(n.status), `${n.status}: ${n.lastError}`);
      assert.equal(n.attemptCount, 3);
      assert.deepEqual(n.attempts.map((a) => [a.attemptNumber, a.status, a.errorCode, a.retryable]), [
        [1, "FAILED", code, true],
        [2, "FAILED", code, true],
        [3, "SUCCEEDED", null, null],
      ]);
      assert.deepEqual(n.events.map((e) => e.type).slice(0, 4), ["ACCEPTED", "RETRY_SCHEDULED", "RETRY_SCHEDULED", "SENT"]);
      const requests = received(n.id);
      assert.deepEqual(requests.map((r) => [r.accepted, r.response.status]), [[false, status], [false, status], [true, 200]]);
      assert.equal(n.attempts[2]!.providerMessageId, (requests[2]!.response.body as { MessageID: string }).MessageID);
      assert.equal((await stack.db.recipient.findFirstOrThrow({ where: { email } })).emailInvalidAt, null, "a transient failure says nothing about the address");
    });
  }

  test("Postmark's Retry-After on a 429 is honoured before the next try", async () => {
    const email = await recipient("mail-retry-after");
    stack.sandbox.faults.add({ provider: "postmark", kind: "rate_limit", target: email, remaining: 1, retryAfterSeconds: 2 });
    const n = await sendAndSettle("mail-retry-after");
    assert.ok(SENT.includes(n.status));
    const retry = n.events.find((e) => e.type === "RETRY_SCHEDULED");
    assert.equal((retry?.detail as { retryAfterMs?: number }).retryAfterMs, 2000);
    const gap = n.attempts[1]!.startedAt.getTime() - n.attempts[0]!.finishedAt!.getTime();
    assert.ok(gap >= 1900, `second try ${gap} ms after the first; the base backoff alone is 50 ms`);
  });

  test("406 inactive recipient: the address is marked undeliverable with the reason, FAILED without retry, later sends refused", async () => {
    const email = await recipient("mail-inactive");
    // Postmark's own suppression list: the address hard-bounced or complained before.
    const res = await stack.sandboxControl(`/postmark/suppressions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email }) });
    assert.equal(res.status, 200);
    const n = await sendAndSettle("mail-inactive");

    assert.equal(n.status, "FAILED");
    assert.equal(n.statusReason, "406");
    assert.equal(n.attempts.length, 1, "a dead address is not retried");
    assert.equal(n.attempts[0]!.errorCode, "406");
    assert.equal(n.attempts[0]!.retryable, false);
    const [request] = received(n.id);
    assert.equal((request!.response.body as { ErrorCode: number }).ErrorCode, 406, "the simulator answered as Postmark does");
    const r = await stack.db.recipient.findFirstOrThrow({ where: { email } });
    assert.ok(r.emailInvalidAt);
    assert.match(r.emailInvalidReason ?? "", /^406: Postmark: .*inactive/i);

    const before = await stack.db.notification.count();
    const refused = await sendRaw("mail-inactive");
    assert.equal(refused.errors?.[0]?.extensions?.code, "BAD_USER_INPUT");
    assert.equal(refused.errors?.[0]?.extensions?.reason, "CONTACT_UNDELIVERABLE");
    assert.equal(await stack.db.notification.count(), before, "a refused call writes nothing");
  });

  const permanent: Array<{ kind: FaultKind; code: string }> = [
    { kind: "bad_request", code: "300" },
    { kind: "auth", code: "10" },
  ];
  for (const { kind, code } of permanent) {
    test(`${kind} (Postmark ErrorCode ${code}): FAILED without retry, the address stays usable and gets the next email`, async () => {
      const email = await recipient(`mail-${kind}`);
      stack.sandbox.faults.add({ provider: "postmark", kind, target: email, remaining: 1 });
      const n = await sendAndSettle(`mail-${kind}`);
      assert.equal(n.status, "FAILED");
      assert.equal(n.statusReason, code);
      assert.deepEqual(n.attempts.map((a) => [a.status, a.errorCode, a.retryable]), [["FAILED", code, false]]);
      assert.equal((await stack.db.recipient.findFirstOrThrow({ where: { email } })).emailInvalidAt, null);
      assert.ok(SENT.includes((await sendAndSettle(`mail-${kind}`)).status));
    });
  }

  test(`a 503 that never clears: DEAD after ${EMAIL_ATTEMPTS} attempts, every failure in the history`, async () => {
    const email = await recipient("mail-dead");
    const rule = stack.sandbox.faults.add({ provider: "postmark", kind: "unavailable", target: email, retryAfterSeconds: 0 });
    const n = await sendAndSettle("mail-dead", 60_000);
    stack.sandbox.faults.remove(rule.id);

    assert.equal(n.status, "DEAD");
    assert.equal(n.statusReason, `gave up after ${EMAIL_ATTEMPTS} attempts`);
    assert.deepEqual(n.attempts.map((a) => a.attemptNumber), Array.from({ length: EMAIL_ATTEMPTS }, (_, i) => i + 1));
    assert.ok(n.attempts.every((a) => a.status === "FAILED" && a.errorCode === "503" && a.retryable === true));
    assert.deepEqual(n.events.map((e) => e.type), ["ACCEPTED", ...Array(EMAIL_ATTEMPTS - 1).fill("RETRY_SCHEDULED"), "DEAD_LETTERED"]);
    assert.equal(received(n.id).length, EMAIL_ATTEMPTS);
    assert.equal((await stack.db.recipient.findFirstOrThrow({ where: { email } })).emailInvalidAt, null);
  });

  test("nothing lost: every email this suite created is terminal, with one attempt row per request Postmark saw", async () => {
    assert.ok(created.length >= 10);
    const rows = await stack.db.notification.findMany({ where: { id: { in: created } }, include: { attempts: true } });
    assert.deepEqual(
      rows.filter((n) => !(TERMINAL as readonly string[]).includes(n.status) || n.attempts.some((a) => a.status === "SENDING")).map((n) => `${n.id} ${n.status}`),
      [],
    );
    for (const n of rows) assert.equal(n.attempts.length, received(n.id).length, n.id);
  });
});
