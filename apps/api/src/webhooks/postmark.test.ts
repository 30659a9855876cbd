import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { postmarkAuthorized, translatePostmark, type PostmarkTranslation } from "./postmark.js";

const MESSAGE_ID = "883953f4-6105-42a2-a16a-77a8eac79483";
const meta = { notificationId: "5d3f5b0e-8a59-4b0e-9f8a-0d6f4a0f2b11", attemptId: "0b0c7a3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d" };

function translated(body: Record<string, unknown>): Extract<PostmarkTranslation, { ok: true }> {
  const t = translatePostmark({ MessageID: MESSAGE_ID, Metadata: meta, ...body });
  assert.ok(t.ok, JSON.stringify(t));
  return t;
}

const bounce = (Type: string, Inactive: boolean) =>
  translated({ RecordType: "Bounce", ID: 42, Type, TypeCode: 1, Inactive, Email: "ada@example.com", Description: "Mailbox not found", Details: "550 5.1.1" });

describe("translatePostmark", () => {
  test("Delivery moves the notification to DELIVERED and keeps the ids the worker sent as Metadata", () => {
    const t = translated({ RecordType: "Delivery", Recipient: "ada@example.com", DeliveredAt: "2026-11-25T10:00:00Z" });
    assert.equal(t.messageId, MESSAGE_ID);
    assert.equal(t.notificationId, meta.notificationId);
    assert.equal(t.attemptId, meta.attemptId);
    assert.equal(t.report.type, "DELIVERED");
    assert.deepEqual(t.report.outcome, { status: "DELIVERED" });
    assert.equal(t.report.deadContact, undefined);
    assert.equal(t.report.providerEventId, `Delivery:${MESSAGE_ID}:ada@example.com`);
  });

  test("a hard bounce fails the notification and disables the address; a soft one only fails it; a delay changes nothing", () => {
    const hard = bounce("HardBounce", true);
    assert.equal(hard.report.type, "BOUNCED");
    assert.equal(hard.report.outcome?.status, "FAILED");
    assert.deepEqual(hard.report.deadContact?.address, "ada@example.com");
    assert.equal(hard.report.deadContact?.channel, "EMAIL");
    assert.equal(hard.report.providerEventId, "Bounce:42");

    const soft = bounce("SoftBounce", false);
    assert.equal(soft.report.outcome?.status, "FAILED");
    assert.equal(soft.report.deadContact, undefined);

    const delayed = bounce("Transient", false);
    assert.equal(delayed.report.type, "BOUNCED");
    assert.equal(delayed.report.outcome, undefined);
    assert.equal(delayed.report.deadContact, undefined);
  });

  test("Postmark's Inactive flag or a dead-address type disables the address", () => {
    assert.ok(bounce("Blocked", true).report.deadContact, "Inactive: true");
    assert.ok(bounce("BadEmailAddress", false).report.deadContact);
    assert.ok(bounce("ManuallyDeactivated", false).report.deadContact);
    assert.equal(bounce("DnsError", false).report.deadContact, undefined);
  });

  test("a spam complaint disables the address but leaves the (delivered) notification's status alone", () => {
    const t = translated({ RecordType: "SpamComplaint", ID: 7, Email: "ada@example.com", Inactive: true });
    assert.equal(t.report.type, "COMPLAINED");
    assert.equal(t.report.outcome, undefined);
    assert.equal(t.report.deadContact?.address, "ada@example.com");
  });

  test("Open and Click become OPENED and CLICKED with the link", () => {
    const open = translated({ RecordType: "Open", Recipient: "ada@example.com", ReceivedAt: "2026-11-25T10:01:00Z", FirstOpen: true });
    assert.equal(open.report.type, "OPENED");
    assert.equal(open.report.outcome, undefined);
    const click = translated({ RecordType: "Click", Recipient: "ada@example.com", ReceivedAt: "2026-11-25T10:02:00Z", OriginalLink: "https://example.com/x" });
    assert.equal(click.report.type, "CLICKED");
    assert.equal(click.report.detail.link, "https://example.com/x");
    assert.notEqual(open.report.providerEventId, click.report.providerEventId);
  });

  test("payloads without a message, and record types we do not use, are ignored", () => {
    assert.equal(translatePostmark({ RecordType: "Delivery" }).ok, false);
    assert.equal(translatePostmark({ MessageID: MESSAGE_ID }).ok, false);
    assert.equal(translatePostmark({ RecordType: "SubscriptionChange", MessageID: MESSAGE_ID }).ok, false);
  });
});

describe("postmarkAuthorized", () => {
  const expected = { username: "hook", password: "s3cr:et" };
  const basic = (s: string) => ({ authorization: `Basic ${Buffer.from(s).toString("base64")}` });

  test("accepts exactly the configured pair (a password may contain a colon)", () => {
    assert.equal(postmarkAuthorized(basic("hook:s3cr:et"), expected), true);
  });

  test("refuses a wrong user, a wrong password, no colon, another scheme or no header", () => {
    assert.equal(postmarkAuthorized(basic("hook:s3cr:eT"), expected), false);
    assert.equal(postmarkAuthorized(basic("Hook:s3cr:et"), expected), false);
    assert.equal(postmarkAuthorized(basic("hook"), expected), false);
    assert.equal(postmarkAuthorized({ authorization: "Bearer hook:s3cr:et" }, expected), false);
    assert.equal(postmarkAuthorized({}, expected), false);
  });
});
