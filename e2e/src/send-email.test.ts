import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Stack, type KeyPair } from "./harness/stack.js";

const UPSERT = `mutation ($input: UpsertRecipientInput!) { upsertRecipient(input: $input) { id externalId email phone locale timezone } }`;
const SEND = `mutation ($input: SendNotificationInput!) {
  sendNotification(input: $input) { replayed notifications { id channel status content } }
}`;
const HISTORY = `query ($externalId: String!) {
  deliveryHistory(externalId: $externalId) {
    id channel status sentAt attemptCount
    attempts { attemptNumber provider target status providerMessageId }
    events { type source }
    recipient { externalId }
  }
}`;

describe("email, end to end: GraphQL → Postgres → BullMQ → worker → Postmark SDK → simulator", () => {
  let stack: Stack;
  let key: KeyPair;

  before(async () => {
    stack = await Stack.start();
    key = stack.createKeyPair();
  });
  after(() => stack?.stop());

  test("one email is delivered exactly once, recorded as SENT with one attempt, and shows in history", async () => {
    const upsert = await stack.graphql(key, UPSERT, {
      input: { externalId: "user-1", email: "ada@example.com", locale: "en-GB", timezone: "Europe/London" },
    });
    assert.equal(upsert.errors, undefined, JSON.stringify(upsert.errors));
    assert.equal(upsert.data!.upsertRecipient.email, "ada@example.com");

    const sent = await stack.graphql(key, SEND, {
      input: {
        externalId: "user-1",
        channels: ["EMAIL"],
        content: { subject: "Your receipt", body: "Thanks for your order #42.", html: "<p>Thanks for your order <b>#42</b>.</p>" },
        category: "account",
      },
    });
    assert.equal(sent.errors, undefined, JSON.stringify(sent.errors));
    const [notification] = sent.data!.sendNotification.notifications;
    assert.equal(notification.channel, "EMAIL");
    assert.ok(["PENDING", "QUEUED", "SENDING", "SENT"].includes(notification.status));

    const row = await stack.eventually(
      () => stack.db.notification.findUniqueOrThrow({ where: { id: notification.id }, include: { attempts: true } }),
      // The sandbox's Postmark posts its Delivery webhook back, so SENT soon becomes DELIVERED.
      (n) => n.status === "DELIVERED",
    );
    assert.ok(row.sentAt);
    assert.equal(row.attempts.length, 1);
    assert.equal(row.attempts[0]!.status, "SUCCEEDED");
    assert.equal(row.attempts[0]!.provider, "postmark");
    assert.ok(row.attempts[0]!.providerMessageId);

    const received = stack.sandbox.recorder.list({ provider: "postmark", accepted: true });
    assert.equal(received.length, 1, "the simulator received exactly one message");
    const body = received[0]!.body as Record<string, any>;
    assert.equal(received[0]!.target, "ada@example.com");
    assert.equal(body.To, "ada@example.com");
    assert.equal(body.Subject, "Your receipt");
    assert.equal(body.TextBody, "Thanks for your order #42.");
    assert.equal(body.HtmlBody, "<p>Thanks for your order <b>#42</b>.</p>");
    assert.equal(body.Metadata.notificationId, notification.id);
    assert.equal(received[0]!.headers["x-postmark-server-token"], stack.sandbox.credentials.postmark.serverToken);

    const history = await stack.graphql(key, HISTORY, { externalId: "user-1" });
    assert.equal(history.errors, undefined, JSON.stringify(history.errors));
    const items = history.data!.deliveryHistory;
    assert.equal(items.length, 1);
    assert.equal(items[0].id, notification.id);
    assert.equal(items[0].status, "DELIVERED");
    assert.equal(items[0].recipient.externalId, "user-1");
    assert.equal(items[0].attempts[0].providerMessageId, row.attempts[0]!.providerMessageId);
    assert.deepEqual(items[0].events.map((e: { type: string }) => e.type), ["ACCEPTED", "SENT", "DELIVERED"]);
  });

  test("an idempotent retry returns the first notification and sends nothing more", async () => {
    const input = { externalId: "user-1", channels: ["EMAIL"], content: { subject: "Once", body: "only once" }, idempotencyKey: "order-43" };
    const first = await stack.graphql(key, SEND, { input });
    const second = await stack.graphql(key, SEND, { input });
    assert.equal(second.errors, undefined);
    assert.equal(second.data!.sendNotification.replayed, true);
    assert.equal(second.data!.sendNotification.notifications[0].id, first.data!.sendNotification.notifications[0].id);
    await stack.eventually(
      () => stack.db.notification.findUniqueOrThrow({ where: { id: first.data!.sendNotification.notifications[0].id } }),
      (n) => n.status === "SENT" || n.status === "DELIVERED",
    );
    assert.equal(stack.sandbox.recorder.list({ provider: "postmark", accepted: true }).filter((r) => (r.body as any).Subject === "Once").length, 1);

    const conflict = await stack.graphql(key, SEND, { input: { ...input, content: { subject: "Different", body: "x" } } });
    assert.equal(conflict.errors?.[0]?.extensions?.code, "CONFLICT");
    assert.equal(conflict.errors?.[0]?.extensions?.reason, "IDEMPOTENCY_KEY_REUSED");
  });
});
