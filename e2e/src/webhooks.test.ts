import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { twilioSignature } from "@notify/sandbox";
import { Stack, type KeyPair } from "./harness/stack.js";

const UPSERT = `mutation ($input: UpsertRecipientInput!) { upsertRecipient(input: $input) { id } }`;
const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { notifications { id } } }`;

describe("provider feedback: webhooks become delivery events", () => {
  let stack: Stack;
  let key: KeyPair;

  before(async () => {
    stack = await Stack.start();
    key = stack.createKeyPair();
  });
  after(() => stack?.stop());

  async function upsert(input: Record<string, unknown>): Promise<string> {
    const r = await stack.graphql(key, UPSERT, { input });
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    return r.data!.upsertRecipient.id as string;
  }

  const send = (externalId: string, channel: "EMAIL" | "SMS", content: Record<string, string>) =>
    stack.graphql(key, SEND, { input: { externalId, channels: [channel], content } });

  const notification = (id: string) => stack.db.notification.findUniqueOrThrow({ where: { id }, include: { attempts: true, recipient: true } });
  const events = (notificationId: string) => stack.db.deliveryEvent.findMany({ where: { notificationId }, orderBy: { occurredAt: "asc" } });
  const ofType = async (notificationId: string, type: string, source?: string) =>
    (await events(notificationId)).filter((e) => e.type === type && (source === undefined || e.source === source));

  // ─── Postmark ───────────────────────────────────────────────────────────────

  /** Sends one email through the real path and waits for the simulator's own Delivery webhook. */
  async function deliveredEmail(externalId: string, email: string) {
    await upsert({ externalId, email });
    const sent = await send(externalId, "EMAIL", { subject: "Receipt", body: "Thanks" });
    assert.equal(sent.errors, undefined, JSON.stringify(sent.errors));
    const id = sent.data!.sendNotification.notifications[0].id as string;
    const n = await stack.eventually(() => notification(id), (n) => n.status === "DELIVERED");
    assert.equal(n.attempts.length, 1);
    const attempt = n.attempts[0]!;
    assert.ok(attempt.providerMessageId);
    return { id, attemptId: attempt.id, messageId: attempt.providerMessageId!, recipientId: n.recipientId };
  }

  /** The sandbox control API: Postmark posts the webhook to the API and returns what it sent. */
  async function triggerPostmark(body: Record<string, unknown>): Promise<{ receiverStatus: number; payload: Record<string, unknown> }> {
    const res = await stack.sandboxControl(`/postmark/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const out = (await res.json()) as { receiverStatus: number; payload: Record<string, unknown> };
    assert.equal(res.status, 200, JSON.stringify(out));
    return out;
  }

  function postmarkAuth(username = stack.sandbox.credentials.postmark.webhookUsername, password = stack.sandbox.credentials.postmark.webhookPassword) {
    return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
  }

  const postPostmark = (body: string | Record<string, unknown>, authorization: string | null = postmarkAuth()) =>
    fetch(`${stack.apiUrl}/webhooks/postmark`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  async function rejectedSend(externalId: string, channel: "EMAIL" | "SMS", content: Record<string, string>) {
    const before = await stack.db.notification.count({ where: { recipient: { externalId } } });
    const r = await send(externalId, channel, content);
    assert.equal(r.errors?.[0]?.extensions?.code, "BAD_USER_INPUT", JSON.stringify(r));
    assert.equal(r.errors?.[0]?.extensions?.reason, "CONTACT_UNDELIVERABLE");
    assert.equal(await stack.db.notification.count({ where: { recipient: { externalId } } }), before, "a rejected send writes nothing");
  }

  test("Postmark: the simulator's own Delivery webhook makes the email DELIVERED, with one DELIVERED event from postmark", async () => {
    const mail = await deliveredEmail("pm-deliver", "ada@example.com");
    const timeline = await events(mail.id);
    assert.deepEqual(timeline.map((e) => `${e.type}/${e.source}`), ["ACCEPTED/platform", "SENT/platform", "DELIVERED/postmark"]);
    const delivered = timeline[2]!;
    assert.equal(delivered.attemptId, mail.attemptId);
    assert.equal((delivered.detail as Record<string, unknown>).messageId, mail.messageId);
    assert.equal((delivered.detail as Record<string, unknown>).recipient, "ada@example.com");
  });

  test("Postmark: a hard bounce records BOUNCED, fails the notification, disables the address; later sends are refused", async () => {
    const mail = await deliveredEmail("pm-bounce", "bounce@example.com");
    const { receiverStatus, payload } = await triggerPostmark({ messageId: mail.messageId, recordType: "Bounce", bounceType: "HardBounce" });
    assert.equal(receiverStatus, 200);

    const bounced = await ofType(mail.id, "BOUNCED", "postmark");
    assert.equal(bounced.length, 1);
    assert.equal((bounced[0]!.detail as Record<string, unknown>).bounceType, "HardBounce");
    const n = await notification(mail.id);
    assert.equal(n.status, "FAILED");
    assert.equal(n.statusReason, "bounced: HardBounce");
    assert.ok(n.recipient.emailInvalidAt, "the address is marked undeliverable");
    assert.match(n.recipient.emailInvalidReason ?? "", /HardBounce/);

    await rejectedSend("pm-bounce", "EMAIL", { subject: "Again", body: "x" });

    // Postmark retries webhooks it thinks failed: the same bounce again is one event.
    assert.equal((await postPostmark(payload)).status, 200);
    // A Delivery arriving after the bounce does not move the notification back.
    assert.equal((await triggerPostmark({ messageId: mail.messageId, recordType: "Delivery" })).receiverStatus, 200);
    assert.equal((await ofType(mail.id, "BOUNCED")).length, 1);
    assert.equal((await ofType(mail.id, "DELIVERED")).length, 1);
    assert.equal((await notification(mail.id)).status, "FAILED");
  });

  test("Postmark: a delay notice changes nothing, a soft bounce fails the notification but keeps the address usable", async () => {
    const mail = await deliveredEmail("pm-soft", "soft@example.com");
    assert.equal((await triggerPostmark({ messageId: mail.messageId, recordType: "Bounce", bounceType: "Transient" })).receiverStatus, 200);
    assert.equal((await ofType(mail.id, "BOUNCED")).length, 1);
    assert.equal((await notification(mail.id)).status, "DELIVERED");

    assert.equal((await triggerPostmark({ messageId: mail.messageId, recordType: "Bounce", bounceType: "SoftBounce" })).receiverStatus, 200);
    assert.equal((await ofType(mail.id, "BOUNCED")).length, 2);
    const n = await notification(mail.id);
    assert.equal(n.status, "FAILED");
    assert.equal(n.recipient.emailInvalidAt, null);
    const again = await send("pm-soft", "EMAIL", { subject: "Again", body: "x" });
    assert.equal(again.errors, undefined, JSON.stringify(again.errors));
  });

  test("Postmark: a spam complaint records COMPLAINED and disables the address, leaving the notification DELIVERED", async () => {
    const mail = await deliveredEmail("pm-spam", "spam@example.com");
    assert.equal((await triggerPostmark({ messageId: mail.messageId, recordType: "SpamComplaint" })).receiverStatus, 200);
    const complained = await ofType(mail.id, "COMPLAINED", "postmark");
    assert.equal(complained.length, 1);
    const n = await notification(mail.id);
    assert.equal(n.status, "DELIVERED");
    assert.ok(n.recipient.emailInvalidAt);
    assert.match(n.recipient.emailInvalidReason ?? "", /SpamComplaint/);
    await rejectedSend("pm-spam", "EMAIL", { subject: "Again", body: "x" });
  });

  test("Postmark: Open and Click become OPENED and CLICKED (with the link); a replayed click is one event", async () => {
    const mail = await deliveredEmail("pm-engage", "engaged@example.com");
    assert.equal((await triggerPostmark({ messageId: mail.messageId, recordType: "Open" })).receiverStatus, 200);
    const click = await triggerPostmark({ messageId: mail.messageId, recordType: "Click", link: "https://example.com/orders/42" });
    assert.equal(click.receiverStatus, 200);
    const replays = await Promise.all([postPostmark(click.payload), postPostmark(click.payload), postPostmark(click.payload)]);
    assert.deepEqual(replays.map((r) => r.status), [200, 200, 200]);

    const opened = await ofType(mail.id, "OPENED", "postmark");
    const clicked = await ofType(mail.id, "CLICKED", "postmark");
    assert.equal(opened.length, 1);
    assert.equal(clicked.length, 1);
    assert.equal((clicked[0]!.detail as Record<string, unknown>).link, "https://example.com/orders/42");
    assert.equal((await notification(mail.id)).status, "DELIVERED");
    assert.equal((await notification(mail.id)).recipient.emailInvalidAt, null);
  });

  test("Postmark: wrong or missing basic auth gets 401 and records nothing", async () => {
    const mail = await deliveredEmail("pm-auth", "auth@example.com");
    const bounce = {
      RecordType: "Bounce",
      ID: 990001,
      Type: "HardBounce",
      TypeCode: 1,
      MessageID: mail.messageId,
      Metadata: { notificationId: mail.id, attemptId: mail.attemptId },
      Email: "auth@example.com",
      Inactive: true,
      Description: "forged",
    };
    const creds = stack.sandbox.credentials.postmark;
    for (const authorization of [null, postmarkAuth(creds.webhookUsername, "wrong"), postmarkAuth("wrong", creds.webhookPassword), `Bearer ${creds.webhookPassword}`]) {
      const res = await postPostmark(bounce, authorization);
      assert.equal(res.status, 401, String(authorization));
    }
    assert.equal((await ofType(mail.id, "BOUNCED")).length, 0);
    let n = await notification(mail.id);
    assert.equal(n.status, "DELIVERED");
    assert.equal(n.recipient.emailInvalidAt, null);

    // The same payload with the right credentials is accepted: the 401s were about auth alone.
    assert.equal((await postPostmark(bounce)).status, 200);
    assert.equal((await ofType(mail.id, "BOUNCED")).length, 1);
    n = await notification(mail.id);
    assert.equal(n.status, "FAILED");
    assert.ok(n.recipient.emailInvalidAt);
  });

  test("Postmark: an unknown message is acknowledged and records nothing; bad JSON is 400, an oversized body 413", async () => {
    const before = await stack.db.deliveryEvent.count();
    const unknown = await postPostmark({ RecordType: "Delivery", MessageID: "00000000-0000-4000-8000-000000000000", Recipient: "x@example.com", Metadata: {} });
    assert.equal(unknown.status, 200);
    assert.equal((await postPostmark("{not json")).status, 400);
    assert.equal((await postPostmark({ RecordType: "Delivery", MessageID: "x", Details: "x".repeat(300 * 1024) })).status, 413);
    assert.equal(await stack.db.deliveryEvent.count(), before);
  });

  // ─── Twilio ─────────────────────────────────────────────────────────────────

  const twilioUrl = () => `${stack.apiUrl}/webhooks/twilio/status`;

  /** An SMS notification already handed to Twilio (SENT, one SUCCEEDED attempt), written directly. */
  async function sentSms(externalId: string, phone: string) {
    const recipientId = await upsert({ externalId, phone });
    const recipient = await stack.db.recipient.findUniqueOrThrow({ where: { id: recipientId } });
    const sid = `SM${randomBytes(16).toString("hex")}`;
    const n = await stack.db.notification.create({
      data: {
        appId: recipient.appId,
        recipientId,
        channel: "SMS",
        content: { body: "Your code is 123456" },
        status: "SENT",
        sentAt: new Date(),
        attemptCount: 1,
        attempts: { create: { attemptNumber: 1, provider: "twilio", target: phone, status: "SUCCEEDED", providerMessageId: sid, finishedAt: new Date() } },
      },
    });
    return { id: n.id, sid, phone };
  }

  function callback(sms: { sid: string; phone: string }, status: string, extra: Record<string, string> = {}): Record<string, string> {
    const creds = stack.sandbox.credentials.twilio;
    return {
      AccountSid: creds.accountSid,
      ApiVersion: "2010-04-01",
      From: creds.fromNumber,
      MessageSid: sms.sid,
      MessageStatus: status,
      SmsSid: sms.sid,
      SmsStatus: status,
      To: sms.phone,
      ...extra,
    };
  }

  async function postTwilio(params: Record<string, string>, opts: { signature?: string | null; token?: string; signedUrl?: string; signedParams?: Record<string, string> } = {}) {
    const signature =
      opts.signature === undefined
        ? twilioSignature(opts.token ?? stack.sandbox.credentials.twilio.authToken, opts.signedUrl ?? twilioUrl(), opts.signedParams ?? params)
        : opts.signature;
    const res = await fetch(twilioUrl(), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...(signature ? { "x-twilio-signature": signature } : {}) },
      body: new URLSearchParams(params).toString(),
    });
    await res.arrayBuffer();
    return res.status;
  }

  test("Twilio: signed sent and delivered callbacks record SENT and DELIVERED from twilio and make the SMS DELIVERED", async () => {
    const sms = await sentSms("tw-deliver", "+14155550101");
    assert.equal(await postTwilio(callback(sms, "sent")), 200);
    assert.equal((await notification(sms.id)).status, "SENT");
    assert.equal(await postTwilio(callback(sms, "delivered", { RawDlrDoneDate: "2611251000" })), 200);
    const timeline = await events(sms.id);
    assert.deepEqual(timeline.map((e) => `${e.type}/${e.source}`), ["SENT/twilio", "DELIVERED/twilio"]);
    assert.equal((timeline[1]!.detail as Record<string, unknown>).providerStatus, "delivered");
    assert.ok(timeline.every((e) => e.attemptId !== null));
    assert.equal((await notification(sms.id)).status, "DELIVERED");
  });

  test("Twilio: the same callback many times, at once and again later, is one event", async () => {
    const sms = await sentSms("tw-dupes", "+14155550102");
    const statuses = await Promise.all([1, 2, 3, 4].map(() => postTwilio(callback(sms, "delivered"))));
    assert.deepEqual(statuses, [200, 200, 200, 200]);
    assert.equal(await postTwilio(callback(sms, "delivered")), 200);
    assert.equal((await ofType(sms.id, "DELIVERED")).length, 1);
    assert.equal((await notification(sms.id)).status, "DELIVERED");
  });

  test("Twilio: undelivered 30005 fails the SMS and disables the number; a late delivered does not revive it", async () => {
    const sms = await sentSms("tw-dead", "+14155550103");
    assert.equal(await postTwilio(callback(sms, "undelivered", { ErrorCode: "30005" })), 200);
    const failed = await ofType(sms.id, "FAILED", "twilio");
    assert.equal(failed.length, 1);
    assert.equal((failed[0]!.detail as Record<string, unknown>).errorCode, "30005");
    let n = await notification(sms.id);
    assert.equal(n.status, "FAILED");
    assert.equal(n.statusReason, "30005");
    assert.ok(n.recipient.phoneInvalidAt);
    assert.match(n.recipient.phoneInvalidReason ?? "", /30005/);
    await rejectedSend("tw-dead", "SMS", { body: "again" });

    assert.equal(await postTwilio(callback(sms, "delivered")), 200);
    n = await notification(sms.id);
    assert.equal(n.status, "FAILED");
  });

  test("Twilio: undelivered 30003 (handset off) fails the SMS but keeps the number", async () => {
    const sms = await sentSms("tw-off", "+14155550104");
    assert.equal(await postTwilio(callback(sms, "undelivered", { ErrorCode: "30003" })), 200);
    const n = await notification(sms.id);
    assert.equal(n.status, "FAILED");
    assert.equal(n.recipient.phoneInvalidAt, null);
  });

  test("Twilio: a missing or wrong signature gets 403 and records nothing", async () => {
    const sms = await sentSms("tw-forged", "+14155550105");
    const dead = callback(sms, "undelivered", { ErrorCode: "30005" });
    assert.equal(await postTwilio(dead, { signature: null }), 403, "no signature");
    assert.equal(await postTwilio(dead, { token: "0".repeat(32) }), 403, "another account's token");
    assert.equal(await postTwilio(dead, { signedUrl: "https://elsewhere.example.com/webhooks/twilio/status" }), 403, "signed for another URL");
    assert.equal(await postTwilio(dead, { signedParams: callback(sms, "delivered") }), 403, "fields changed after signing");
    assert.equal(await postTwilio(dead, { signature: "not-a-signature" }), 403, "garbage");

    assert.equal((await events(sms.id)).length, 0);
    const n = await notification(sms.id);
    assert.equal(n.status, "SENT");
    assert.equal(n.recipient.phoneInvalidAt, null);
  });

  test("Twilio: a callback for a message that is not ours is acknowledged with 200 and records nothing", async () => {
    const before = await stack.db.deliveryEvent.count();
    assert.equal(await postTwilio(callback({ sid: `SM${randomBytes(16).toString("hex")}`, phone: "+14155550199" }, "delivered")), 200);
    assert.equal(await stack.db.deliveryEvent.count(), before);
  });

  test("Twilio, real path: an SMS sent through the worker is DELIVERED by the simulator's signed status callbacks", async () => {
    await upsert({ externalId: "tw-real", phone: "+14155550106" });
    const sent = await send("tw-real", "SMS", { body: "Your code is 654321" });
    assert.equal(sent.errors, undefined, JSON.stringify(sent.errors));
    const id = sent.data!.sendNotification.notifications[0].id as string;
    const n = await stack.eventually(() => notification(id), (n) => n.status === "DELIVERED");
    assert.equal(n.attempts.length, 1);
    assert.equal(n.attempts[0]!.provider, "twilio");
    assert.match(n.attempts[0]!.providerMessageId ?? "", /^SM[0-9a-f]{32}$/);
    const timeline = await stack.eventually(
      () => events(id),
      (t) => t.some((e) => e.type === "SENT" && e.source === "twilio"),
    );
    assert.deepEqual(timeline.map((e) => `${e.type}/${e.source}`), ["ACCEPTED/platform", "SENT/platform", "SENT/twilio", "DELIVERED/twilio"]);
    assert.equal(stack.sandbox.recorder.list({ provider: "twilio", accepted: true, target: "+14155550106" }).length, 1);
  });
});
