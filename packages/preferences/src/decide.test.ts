import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ChannelScope } from "@notify/db";
import { decide, quietWindowOf, type DecideInput, type PreferenceRule } from "./decide.js";

const rule = (channel: ChannelScope, category: string, enabled: boolean): PreferenceRule => ({ channel, category, enabled });
const NOON_UTC = new Date("2026-06-01T12:00:00Z");

function input(overrides: Partial<DecideInput> = {}): DecideInput {
  return {
    preferences: [],
    categories: [{ key: "security", required: true }, { key: "marketing", required: false }],
    channel: "EMAIL",
    category: "marketing",
    urgent: false,
    recipientTimezone: "UTC",
    quiet: null,
    now: NOON_UTC,
    ...overrides,
  };
}

describe("decide: opt-outs, most specific rule wins", () => {
  test("no rules: allowed", () => {
    assert.deepEqual(decide(input()), { allowed: true });
  });

  test("each level on its own opts out, with a reason naming it", () => {
    assert.deepEqual(decide(input({ preferences: [rule("EMAIL", "marketing", false)] })), { allowed: false, reason: 'opted out of category "marketing" on EMAIL' });
    assert.deepEqual(decide(input({ preferences: [rule("EMAIL", "*", false)] })), { allowed: false, reason: "opted out of EMAIL" });
    assert.deepEqual(decide(input({ preferences: [rule("ALL", "marketing", false)] })), { allowed: false, reason: 'opted out of category "marketing" on every channel' });
    assert.deepEqual(decide(input({ preferences: [rule("ALL", "*", false)] })), { allowed: false, reason: "opted out of all notifications" });
  });

  test("(channel, category) beats (channel, *) beats (ALL, category) beats (ALL, *)", () => {
    const all = [rule("ALL", "*", false), rule("ALL", "marketing", true), rule("EMAIL", "*", false), rule("EMAIL", "marketing", true)];
    assert.equal(decide(input({ preferences: all })).allowed, true);
    assert.equal(decide(input({ preferences: all.slice(0, 3) })).allowed, false); // (EMAIL,*) off
    assert.equal(decide(input({ preferences: all.slice(0, 2) })).allowed, true); // (ALL,marketing) on beats (ALL,*) off
    assert.equal(decide(input({ preferences: [rule("ALL", "marketing", false), rule("EMAIL", "*", true)] })).allowed, true);
    assert.equal(decide(input({ preferences: [rule("ALL", "*", true), rule("ALL", "marketing", false)] })).allowed, false);
  });

  test("rules for another channel or category do not apply", () => {
    const rules = [rule("SMS", "*", false), rule("EMAIL", "account", false), rule("SMS", "marketing", false)];
    assert.equal(decide(input({ preferences: rules })).allowed, true);
    assert.equal(decide(input({ preferences: rules, channel: "SMS" })).allowed, false);
  });

  test("a notification without a category is governed by wildcard rules only", () => {
    assert.equal(decide(input({ category: null, preferences: [rule("EMAIL", "marketing", false), rule("ALL", "marketing", false)] })).allowed, true);
    assert.equal(decide(input({ category: null, preferences: [rule("EMAIL", "*", false)] })).allowed, false);
  });

  test("required categories ignore every opt-out, including the global one", () => {
    const rules = [rule("ALL", "*", false), rule("EMAIL", "*", false), rule("EMAIL", "security", false), rule("ALL", "security", false)];
    assert.deepEqual(decide(input({ category: "security", preferences: rules })), { allowed: true });
  });

  test("a category made required after the fact overrides its old opt-out", () => {
    const categories = [{ key: "marketing", required: true }];
    assert.equal(decide(input({ categories, preferences: [rule("EMAIL", "marketing", false)] })).allowed, true);
  });
});

describe("decide: quiet hours", () => {
  const night = { startMinute: 22 * 60, endMinute: 7 * 60 };
  const lateNight = new Date("2026-03-08T04:00:00Z"); // 23:00 EST in New York
  const ny = { recipientTimezone: "America/New_York", quiet: night, now: lateNight };

  test("a non-urgent notification inside the window is deferred to its end", () => {
    assert.deepEqual(decide(input(ny)), { allowed: true, deferUntil: new Date("2026-03-08T11:00:00Z") });
  });

  test("urgent bypasses quiet hours", () => {
    assert.deepEqual(decide(input({ ...ny, urgent: true })), { allowed: true });
  });

  test("IN_APP is never deferred", () => {
    assert.deepEqual(decide(input({ ...ny, channel: "IN_APP" })), { allowed: true });
  });

  test("an opt-out wins over quiet hours: skipped, not deferred", () => {
    assert.equal(decide(input({ ...ny, preferences: [rule("ALL", "*", false)] })).allowed, false);
  });

  test("required categories are still held by quiet hours unless urgent", () => {
    assert.ok((decide(input({ ...ny, category: "security" })) as { deferUntil?: Date }).deferUntil);
    assert.deepEqual(decide(input({ ...ny, category: "security", urgent: true })), { allowed: true });
  });

  test("outside the window: allowed now", () => {
    assert.deepEqual(decide(input({ ...ny, now: new Date("2026-03-08T16:00:00Z") })), { allowed: true });
  });

  test("quietWindowOf needs both ends", () => {
    assert.equal(quietWindowOf({ quietStartMinute: 1320, quietEndMinute: null }), null);
    assert.deepEqual(quietWindowOf({ quietStartMinute: 1320, quietEndMinute: 420 }), night);
  });
});
