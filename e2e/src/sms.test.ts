import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { FaultKind } from "@notify/sandbox";
import { Stack, type KeyPair } from "./harness/stack.js";

const UPSERT = `mutation ($input: UpsertRecipientInput!) { upsertRecipient(input: $input) { id phone } }`;
const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { notifications { id channel status } } }`;

// packages/jobs CHANNEL_POLICIES.SMS.attempts: provider attempts before the notification is DEAD.
const SMS_ATTEMPTS = 6;
const SETTLED = ["SENT", "DELIVERED", "FAILED", "DEAD", "SKIPPED"];

describe("SMS, end to end: GraphQL → worker → twilio SDK → Twilio simulator", () => {
  let stack: Stack;
  let key: KeyPair;
  let nextPhone = 4155550100;

  before(async () => {
    stack = await Stack.start({ env: { DELIVERY_BACKOFF_BASE_MS: "50" } });
    key = stack.createKeyPair();
  });
  after(() => stack?.stop());

  /** A recipient with a fresh number, so faults and recordings can be told apart by target. */
  async function recipientWithPhone(phone = `+1${nextPhone++}`): Promise<{ externalId: string; phone: string; id: string }> {
    const externalId = `sms-${phone}`;
    const res = await stack.graphql(key, UPSERT, { input: { externalId, phone } });
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    return { externalId, phone, id: res.data!.upsertRecipient.id };
  }

  async function sendSms(externalId: string, body: string) {
    return stack.graphql(key, SEND, { input: { externalId, channels: ["SMS"], content: { body } } });
  }

  async function sendAndSettle(externalId: string, body: string) {
    const res = await sendSms(externalId, body);
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

  const twilioRequests = (phone: string) => stack.sandbox.recorder.list({ provider: "twilio", target: phone });

  test("a 200-character GSM-7 message: form post with basic auth, SM sid as provider id, 2 segments", async () => {
    const { externalId, phone } = await recipientWithPhone();
    const body = "Your verification code is 481516. ".repeat(6).slice(0, 200);
    assert.equal(body.length, 200);
    const n = await sendAndSettle(externalId, body);
    assert.ok(["SENT", "DELIVERED"].includes(n.status), `status ${n.status}: ${n.lastError}`);

    const received = twilioRequests(phone);
    assert.equal(received.length, 1, "exactly one request reached Twilio");
    const [req] = received;
    const { accountSid, authToken, fromNumber } = stack.sandbox.credentials.twilio;
    assert.equal(req.accepted, true);
    assert.equal(req.path, `/2010-04-01/Accounts/${accountSid}/Messages.json`);
    assert.match(req.headers["content-type"], /^application\/x-www-form-urlencoded/);
    assert.equal(req.headers.authorization, `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`);
    const form = req.body as Record<string, string>;
    assert.equal(form.To, phone);
    assert.equal(form.From, fromNumber);
    assert.equal(form.Body, body);
    assert.equal(form.StatusCallback, `${stack.apiUrl}/webhooks/twilio/status`);

    const sid = (req.response.body as { sid: string; num_segments: string }).sid;
    assert.match(sid, /^SM[0-9a-f]{32}$/);
    assert.equal(n.attempts.length, 1);
    assert.equal(n.attempts[0]!.provider, "twilio");
    assert.equal(n.attempts[0]!.status, "SUCCEEDED");
    assert.equal(n.attempts[0]!.providerMessageId, sid);
    const sent = n.events.filter((e) => e.type === "SENT");
    assert.equal(sent.length, 1);
    assert.deepEqual((sent[0]!.detail as { attempts: unknown[] }).attempts, [{ target: phone, providerMessageId: sid, segments: 2, encoding: "GSM-7" }]);
    // Our count agrees with what Twilio will bill.
    assert.equal((req.response.body as { num_segments: string }).num_segments, "2");
  });

  test("a 71-character Korean message is UCS-2 and takes 2 segments; 70 characters take 1", async () => {
    const { externalId, phone } = await recipientWithPhone();
    const long = "안녕하세요 주문하신 상품이 오늘 발송되었습니다 감사합니다 ".repeat(3).slice(0, 71);
    const short = long.slice(0, 70);
    assert.equal([...long].length, 71);
    const [a, b] = [await sendAndSettle(externalId, long), await sendAndSettle(externalId, short)];
    for (const [n, segments] of [[a, 2], [b, 1]] as const) {
      assert.ok(["SENT", "DELIVERED"].includes(n.status), `status ${n.status}: ${n.lastError}`);
      const detail = n.events.find((e) => e.type === "SENT")!.detail as { attempts: { segments: number; encoding: string }[] };
      assert.equal(detail.attempts[0]!.encoding, "UCS-2");
      assert.equal(detail.attempts[0]!.segments, segments);
    }
    assert.deepEqual(twilioRequests(phone).map((r) => (r.response.body as { num_segments: string }).num_segments), ["2", "1"]);
  });

  test("rate_limit, server_error, unavailable and timeout are retried until the message is SENT", async () => {
    const kinds: { kind: FaultKind; code: string; delayMs?: number }[] = [
      { kind: "rate_limit", code: "20429" },
      { kind: "server_error", code: "20500" },
      { kind: "unavailable", code: "20503" },
      { kind: "timeout", code: "ECONNRESET", delayMs: 200 },
    ];
    await Promise.all(
      kinds.map(async ({ kind, code, delayMs }) => {
        const { externalId, phone } = await recipientWithPhone();
        stack.sandbox.faults.add({ provider: "twilio", kind, target: phone, remaining: 2, retryAfterSeconds: 0, delayMs });
        const n = await sendAndSettle(externalId, `retry after ${kind}`);
        assert.ok(["SENT", "DELIVERED"].includes(n.status), `${kind}: status ${n.status}: ${n.lastError}`);
        assert.deepEqual(
          n.attempts.map((a) => [a.status, a.errorCode, a.retryable]),
          [["FAILED", code, true], ["FAILED", code, true], ["SUCCEEDED", null, null]],
          kind,
        );
        assert.equal(n.events.filter((e) => e.type === "RETRY_SCHEDULED").length, 2, kind);
        const received = twilioRequests(phone);
        assert.deepEqual(received.map((r) => r.accepted), [false, false, true], kind);
        assert.equal(n.attempts[2]!.providerMessageId, (received[2]!.response.body as { sid: string }).sid);
      }),
    );
  });

  test("Twilio's Retry-After (kept although RestException drops headers) delays the retry", async () => {
    const { externalId, phone } = await recipientWithPhone();
    stack.sandbox.faults.add({ provider: "twilio", kind: "rate_limit", target: phone, remaining: 1, retryAfterSeconds: 1 });
    const n = await sendAndSettle(externalId, "slow down");
    assert.ok(["SENT", "DELIVERED"].includes(n.status), `status ${n.status}: ${n.lastError}`);
    assert.equal(n.attempts.length, 2);
    const retry = n.events.find((e) => e.type === "RETRY_SCHEDULED")!.detail as { code: string; retryAfterMs: number };
    assert.deepEqual(retry, { code: "20429", retryAfterMs: 1000 });
    const gap = n.attempts[1]!.startedAt.getTime() - n.attempts[0]!.finishedAt!.getTime();
    assert.ok(gap >= 900, `retry came ${gap} ms after the 429, expected ≥ 1000 ms (backoff base is 50 ms)`);
  });

  for (const { kind, code } of [
    { kind: "invalid_target", code: "21614" },
    { kind: "bad_request", code: "21211" },
  ] as const) {
    test(`${kind} (Twilio ${code}) marks the phone undeliverable, FAILS the notification and refuses the next send`, async () => {
      const { externalId, phone, id } = await recipientWithPhone();
      stack.sandbox.faults.add({ provider: "twilio", kind, target: phone, remaining: 1 });
      const n = await sendAndSettle(externalId, "to a dead number");
      assert.equal(n.status, "FAILED");
      assert.equal(n.statusReason, code);
      assert.equal(n.attempts.length, 1, "not retried");
      assert.deepEqual([n.attempts[0]!.errorCode, n.attempts[0]!.retryable], [code, false]);

      const recipient = await stack.db.recipient.findUniqueOrThrow({ where: { id } });
      assert.ok(recipient.phoneInvalidAt, "phoneInvalidAt is set");
      assert.match(recipient.phoneInvalidReason ?? "", new RegExp(`^${code}: `));

      const again = await sendSms(externalId, "once more");
      assert.equal(again.errors?.[0]?.extensions?.code, "BAD_USER_INPUT");
      assert.equal(again.errors?.[0]?.extensions?.reason, "CONTACT_UNDELIVERABLE");
      assert.equal(twilioRequests(phone).length, 1, "the refused send never reached Twilio");
      assert.equal(await stack.db.notification.count({ where: { recipientId: id } }), 1, "the refused send wrote nothing");
    });
  }

  test("a recipient who replied STOP (Twilio 21610, the simulator's magic number) is marked undeliverable", async () => {
    const { externalId, id } = await recipientWithPhone("+15005550004");
    const n = await sendAndSettle(externalId, "promo");
    assert.equal(n.status, "FAILED");
    assert.equal(n.statusReason, "21610");
    const recipient = await stack.db.recipient.findUniqueOrThrow({ where: { id } });
    assert.match(recipient.phoneInvalidReason ?? "", /^21610: /);
  });

  test("rejected credentials (20003) FAIL the notification without retry and leave the phone valid", async () => {
    const { externalId, phone, id } = await recipientWithPhone();
    stack.sandbox.faults.add({ provider: "twilio", kind: "auth", target: phone, remaining: 1 });
    const n = await sendAndSettle(externalId, "bad creds");
    assert.equal(n.status, "FAILED");
    assert.equal(n.statusReason, "20003");
    assert.equal(n.attempts.length, 1);
    assert.equal(twilioRequests(phone)[0]!.response.status, 401);
    const recipient = await stack.db.recipient.findUniqueOrThrow({ where: { id } });
    assert.equal(recipient.phoneInvalidAt, null);
  });

  test(`an endless server error dead-letters the notification after ${SMS_ATTEMPTS} attempts`, async () => {
    const { externalId, phone } = await recipientWithPhone();
    stack.sandbox.faults.add({ provider: "twilio", kind: "server_error", target: phone });
    const n = await sendAndSettle(externalId, "never arrives");
    assert.equal(n.status, "DEAD");
    assert.equal(n.attempts.length, SMS_ATTEMPTS);
    assert.ok(n.attempts.every((a) => a.status === "FAILED" && a.errorCode === "20500" && a.retryable === true));
    assert.equal(n.events.filter((e) => e.type === "RETRY_SCHEDULED").length, SMS_ATTEMPTS - 1);
    assert.equal(n.events.filter((e) => e.type === "DEAD_LETTERED").length, 1);
    assert.equal(twilioRequests(phone).length, SMS_ATTEMPTS);
  });
});
