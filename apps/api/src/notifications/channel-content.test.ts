import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ApiError } from "../errors.js";
import { configureSmsPolicy, contentForChannel, DEFAULT_SMS_POLICY } from "./channel-content.js";
import type { PushPriority } from "./send.input.js";
import { requestHash } from "./idempotency.js";

function reason(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ApiError);
    return err.extensions.reason as string;
  }
  return undefined;
}

describe("contentForChannel", () => {
  test("keeps only what the channel's provider uses", () => {
    const content = { subject: "S", title: "T", body: "B", html: "<p>H</p>", url: "https://x" };
    assert.deepEqual(contentForChannel("EMAIL", content, undefined), { subject: "S", body: "B", html: "<p>H</p>" });
    assert.deepEqual(contentForChannel("SMS", content, undefined), { body: "B" });
    assert.deepEqual(contentForChannel("IOS_PUSH", content, undefined), { title: "T", body: "B", url: "https://x" });
  });

  test("rejects content a channel cannot send", () => {
    assert.equal(reason(() => contentForChannel("EMAIL", { body: "b" }, undefined)), "MISSING_CONTENT");
    assert.equal(reason(() => contentForChannel("SMS", { subject: "s" }, undefined)), "MISSING_CONTENT");
    assert.equal(reason(() => contentForChannel("ANDROID_PUSH", { html: "<p>" }, undefined)), "MISSING_CONTENT");
  });

  test("measures the push payload with its data against the 4 KB limit", () => {
    assert.equal(reason(() => contentForChannel("IOS_PUSH", { title: "t" }, { blob: "x".repeat(4050) })), "PAYLOAD_TOO_LARGE");
    assert.equal(reason(() => contentForChannel("IOS_PUSH", { title: "t" }, { blob: "x".repeat(3900) })), undefined);
  });

  test("counts push data as the providers see it: non-string values travel as escaped JSON strings", () => {
    // 700 one-character strings are 2.8 KB as a JSON array, and 4.2 KB as a string value, every quote escaped.
    const list = Array.from({ length: 700 }, () => "a");
    assert.ok(Buffer.byteLength(JSON.stringify({ list })) < 3600);
    assert.equal(reason(() => contentForChannel("ANDROID_PUSH", { title: "t" }, { list })), "PAYLOAD_TOO_LARGE");
    assert.equal(reason(() => contentForChannel("IOS_PUSH", { title: "t" }, { list })), "PAYLOAD_TOO_LARGE");
    // Web Push carries the data as JSON inside the encrypted body: no escaping, but 103 bytes of encryption overhead.
    assert.equal(reason(() => contentForChannel("WEB_PUSH", { title: "t" }, { list })), undefined);
    assert.equal(reason(() => contentForChannel("WEB_PUSH", { title: "t" }, { blob: "x".repeat(3950) })), "PAYLOAD_TOO_LARGE");
    assert.equal(reason(() => contentForChannel("ANDROID_PUSH", { title: "t" }, { blob: "x".repeat(3950) })), undefined);
  });

  test("keeps the push delivery options for push channels only, and checks a Web Push topic", () => {
    const content = { title: "T", priority: "normal" as PushPriority, ttlSeconds: 60, collapseKey: "score" };
    assert.deepEqual(contentForChannel("ANDROID_PUSH", content, undefined), { title: "T", priority: "normal", ttlSeconds: 60, collapseKey: "score" });
    assert.deepEqual(contentForChannel("IN_APP", content, undefined), { title: "T" });
    assert.equal(reason(() => contentForChannel("WEB_PUSH", { ...content, collapseKey: "not a topic!" }, undefined)), "INVALID_COLLAPSE_KEY");
    assert.equal(reason(() => contentForChannel("IOS_PUSH", { ...content, collapseKey: "not a topic!" }, undefined)), undefined);
  });

  test("SMS: Twilio's 1600 characters, and at most SMS_MAX_SEGMENTS segments (10 by default)", () => {
    assert.equal(reason(() => contentForChannel("SMS", { body: "a".repeat(1530) }, undefined)), undefined, "10 GSM-7 segments of 153");
    assert.equal(reason(() => contentForChannel("SMS", { body: "a".repeat(1531) }, undefined)), "PAYLOAD_TOO_LARGE");
    assert.equal(reason(() => contentForChannel("SMS", { body: "가".repeat(670) }, undefined)), undefined, "10 UCS-2 segments of 67");
    assert.equal(reason(() => contentForChannel("SMS", { body: "가".repeat(671) }, undefined)), "PAYLOAD_TOO_LARGE");
    configureSmsPolicy({ maxSegments: 20 });
    try {
      assert.equal(reason(() => contentForChannel("SMS", { body: "a".repeat(1600) }, undefined)), undefined);
      assert.equal(reason(() => contentForChannel("SMS", { body: "a".repeat(1601) }, undefined)), "PAYLOAD_TOO_LARGE", "Twilio's cap still holds");
      configureSmsPolicy({ maxSegments: 1 });
      assert.equal(reason(() => contentForChannel("SMS", { body: "a".repeat(160) }, undefined)), undefined);
      assert.equal(reason(() => contentForChannel("SMS", { body: "a".repeat(161) }, undefined)), "PAYLOAD_TOO_LARGE");
      assert.equal(reason(() => contentForChannel("SMS", { body: "€".repeat(81) }, undefined)), "PAYLOAD_TOO_LARGE", "extension characters take two septets");
    } finally {
      configureSmsPolicy(DEFAULT_SMS_POLICY);
    }
  });
});

describe("requestHash", () => {
  test("ignores key order but not values", () => {
    assert.equal(requestHash({ a: 1, b: { c: 2, d: [1, 2] } }), requestHash({ b: { d: [1, 2], c: 2 }, a: 1 }));
    assert.notEqual(requestHash({ a: 1, b: [1, 2] }), requestHash({ a: 1, b: [2, 1] }));
  });
});
