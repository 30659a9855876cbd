import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { twilioSignature } from "@notify/sandbox";
import twilio from "twilio";
import { translateTwilio, type TwilioTranslation } from "./twilio.js";

const SID = "SM0123456789abcdef0123456789abcdef";
const callback = (status: string, extra: Record<string, string> = {}) => ({
  AccountSid: "AC0123456789abcdef0123456789abcdef",
  MessageSid: SID,
  SmsSid: SID,
  MessageStatus: status,
  SmsStatus: status,
  To: "+14155550100",
  From: "+15005550006",
  ...extra,
});

function translated(params: Record<string, string>): Extract<TwilioTranslation, { ok: true }> {
  const t = translateTwilio(params);
  assert.ok(t.ok, JSON.stringify(t));
  return t;
}

describe("translateTwilio", () => {
  test("sent is a SENT event only; delivered moves the notification to DELIVERED", () => {
    const sent = translated(callback("sent"));
    assert.equal(sent.report.type, "SENT");
    assert.equal(sent.report.outcome, undefined);
    assert.equal(sent.report.detail.providerStatus, "sent");
    const delivered = translated(callback("delivered"));
    assert.equal(delivered.report.type, "DELIVERED");
    assert.deepEqual(delivered.report.outcome, { status: "DELIVERED" });
    assert.notEqual(sent.report.providerEventId, delivered.report.providerEventId);
  });

  test("undelivered/failed fail the notification; only dead-number codes disable the phone", () => {
    for (const code of ["30005", "30006", "21610", "21614"]) {
      const t = translated(callback("undelivered", { ErrorCode: code }));
      assert.equal(t.report.type, "FAILED");
      assert.equal(t.report.outcome?.status, "FAILED");
      assert.deepEqual(t.report.deadContact && { channel: t.report.deadContact.channel, address: t.report.deadContact.address }, { channel: "SMS", address: "+14155550100" }, code);
    }
    const unreachable = translated(callback("undelivered", { ErrorCode: "30003" }));
    assert.equal(unreachable.report.outcome?.status, "FAILED");
    assert.equal(unreachable.report.outcome?.status === "FAILED" && unreachable.report.outcome.reason, "30003");
    assert.equal(unreachable.report.deadContact, undefined, "a switched-off phone comes back");
    assert.equal(translated(callback("failed")).report.deadContact, undefined);
  });

  test("intermediate statuses and payloads without a sid are acknowledged without effect", () => {
    for (const status of ["queued", "accepted", "sending", "scheduled", "canceled"]) assert.equal(translateTwilio(callback(status)).ok, false, status);
    assert.equal(translateTwilio({ MessageStatus: "delivered" }).ok, false);
  });
});

describe("X-Twilio-Signature", () => {
  const token = "12345678901234567890123456789012";
  const url = "https://api.example.com/webhooks/twilio/status";

  test("the sandbox signs callbacks the way the official SDK verifies them", () => {
    const params = callback("undelivered", { ErrorCode: "30005", Body: "héllo ✓ & more" });
    assert.equal(twilio.validateRequest(token, twilioSignature(token, url, params), url, params), true);
  });

  test("another token, another URL or a changed field fails verification", () => {
    const params = callback("delivered");
    const signature = twilioSignature(token, url, params);
    assert.equal(twilio.validateRequest("x".repeat(32), signature, url, params), false);
    assert.equal(twilio.validateRequest(token, signature, `${url}?attemptId=1`, params), false);
    assert.equal(twilio.validateRequest(token, signature, url, { ...params, MessageStatus: "undelivered" }), false);
  });
});
