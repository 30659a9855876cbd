import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { twilioSignature } from "@notify/sandbox";
import { ok } from "./harness/gql.js";
import { Stack, type KeyPair } from "./harness/stack.js";

/**
 * NOTIFY_MODE=production, with no provider credentials configured: the sandbox's credentials and
 * simulators must not stand in for the real services. Otherwise a production install that forgot
 * a provider's settings would hand recipients' messages to whatever listens on the simulator's
 * port, and anyone who can read the sandbox's credentials file could sign "provider" callbacks.
 */
describe("production mode uses no sandbox credentials or simulators", () => {
  let stack: Stack;
  let key: KeyPair;

  before(async () => {
    stack = await Stack.start({ workers: 1, env: { NOTIFY_MODE: "production" } });
    key = stack.createKeyPair("prod");
  });
  after(async () => stack?.stop());

  test("an email for a channel with no provider configured is never handed to the sandbox's Postmark", async () => {
    ok(await stack.graphql(key, `mutation { upsertRecipient(input: { externalId: "p1", email: "p1@example.com" }) { id } }`));
    const sent = ok(await stack.graphql(key, `mutation { sendNotification(input: { externalId: "p1", channels: [EMAIL], content: { subject: "s", body: "b" } }) { notifications { id } } }`));
    const id = sent.sendNotification.notifications[0].id as string;
    // Long enough for a served channel to deliver many times over (sandbox mode does it in well under a second).
    await new Promise((r) => setTimeout(r, 3_000));
    assert.equal(stack.sandbox.recorder.list({ provider: "postmark" }).length, 0, "the sandbox's Postmark received a production email");
    const row = await stack.db.notification.findUniqueOrThrow({ where: { id } });
    assert.notEqual(row.status, "SENT");
    assert.equal(await stack.db.deliveryAttempt.count({ where: { notificationId: id } }), 0);
  });

  test("a Twilio callback signed with the sandbox's auth token is not accepted", async () => {
    const url = `${stack.apiUrl}/webhooks/twilio/status`;
    const params = { MessageSid: "SM00000000000000000000000000000000", MessageStatus: "delivered", To: "+14155550100" };
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": twilioSignature(stack.sandbox.credentials.twilio.authToken, url, params) },
      body: new URLSearchParams(params).toString(),
    });
    await res.arrayBuffer();
    assert.ok(res.status >= 400, `answered ${res.status}`);
  });

  test("a Postmark webhook with the sandbox's basic-auth pair is not accepted", async () => {
    const { webhookUsername, webhookPassword } = stack.sandbox.credentials.postmark;
    const res = await fetch(`${stack.apiUrl}/webhooks/postmark`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`${webhookUsername}:${webhookPassword}`).toString("base64")}` },
      body: JSON.stringify({ RecordType: "Delivery", MessageID: "00000000-0000-0000-0000-000000000000", Recipient: "p1@example.com" }),
    });
    await res.arrayBuffer();
    assert.ok(res.status >= 400, `answered ${res.status}`);
  });
});
