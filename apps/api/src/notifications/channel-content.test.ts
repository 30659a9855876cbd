import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ApiError } from "../errors.js";
import { contentForChannel } from "./channel-content.js";
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

  test("counts SMS length in characters, not bytes", () => {
    assert.equal(reason(() => contentForChannel("SMS", { body: "가".repeat(1600) }, undefined)), undefined);
    assert.equal(reason(() => contentForChannel("SMS", { body: "a".repeat(1601) }, undefined)), "PAYLOAD_TOO_LARGE");
  });
});

describe("requestHash", () => {
  test("ignores key order but not values", () => {
    assert.equal(requestHash({ a: 1, b: { c: 2, d: [1, 2] } }), requestHash({ b: { d: [1, 2], c: 2 }, a: 1 }));
    assert.notEqual(requestHash({ a: 1, b: [1, 2] }), requestHash({ a: 1, b: [2, 1] }));
  });
});
