import assert from "node:assert/strict";
import { test } from "node:test";
import { CHANNEL_POLICIES } from "@notify/jobs";
import { parseRecipientCaps } from "./recipient-caps.js";
import { budgetSpent, retryPolicies } from "./retry-budget.js";

const HOUR = 3_600_000;
const base = { attemptCount: 1, attemptsBeforeReplay: 0, replayedAt: null, scheduledAt: null, createdAt: new Date("2026-01-01T00:00:00Z") };

test("retry policies default to the channel catalog and take per-channel overrides", () => {
  const p = retryPolicies("SMS=10", "EMAIL=2h,IOS_PUSH=90s");
  assert.deepEqual(p.SMS, { maxAttempts: 10, maxAgeMs: CHANNEL_POLICIES.SMS.maxAgeMs });
  assert.deepEqual(p.EMAIL, { maxAttempts: CHANNEL_POLICIES.EMAIL.attempts, maxAgeMs: 2 * HOUR });
  assert.equal(p.IOS_PUSH.maxAgeMs, 90_000);
  assert.throws(() => retryPolicies("SMS=0", undefined), /RETRY_MAX_ATTEMPTS: "SMS=0"/);
  assert.throws(() => retryPolicies(undefined, "SMS=soon"), /RETRY_MAX_AGE: "SMS=soon" is not CHANNEL=24h/);
  assert.throws(() => retryPolicies("FAX=3", undefined), /unknown channel FAX/);
});

test("the budget is spent after maxAttempts attempts, counted since the last replay", () => {
  const policy = { maxAttempts: 3, maxAgeMs: 24 * HOUR };
  const now = new Date("2026-01-01T00:10:00Z");
  assert.equal(budgetSpent({ ...base, attemptCount: 2 }, policy, now), null);
  assert.match(budgetSpent({ ...base, attemptCount: 3 }, policy, now)!, /gave up after 3 attempts/);
  // Replayed after 3: attempts 4 and 5 are within the new budget, the 6th spends it.
  const replayed = { ...base, attemptsBeforeReplay: 3, replayedAt: new Date("2026-01-05T00:00:00Z") };
  assert.equal(budgetSpent({ ...replayed, attemptCount: 5 }, policy, new Date("2026-01-05T00:01:00Z")), null);
  assert.match(budgetSpent({ ...replayed, attemptCount: 6 }, policy, new Date("2026-01-05T00:01:00Z"))!, /after 3 attempts/);
});

test("the budget is spent once the notification is maxAge past due; a replay restarts the clock", () => {
  const policy = { maxAttempts: 100, maxAgeMs: HOUR };
  assert.equal(budgetSpent(base, policy, new Date("2026-01-01T00:59:00Z")), null);
  assert.match(budgetSpent(base, policy, new Date("2026-01-01T01:00:00Z"))!, /max age 3600 s/);
  // Scheduled for later: the age counts from when it was due.
  const scheduled = { ...base, scheduledAt: new Date("2026-01-01T05:00:00Z") };
  assert.equal(budgetSpent(scheduled, policy, new Date("2026-01-01T05:30:00Z")), null);
  const replayed = { ...base, replayedAt: new Date("2026-01-03T00:00:00Z") };
  assert.equal(budgetSpent(replayed, policy, new Date("2026-01-03T00:30:00Z")), null);
});

test("recipient caps parse COUNT/DURATION per channel", () => {
  assert.deepEqual(parseRecipientCaps("SMS=5/1d, EMAIL=50/1h,WEB_PUSH=3/500ms"), {
    SMS: { max: 5, windowMs: 86_400_000 },
    EMAIL: { max: 50, windowMs: 3_600_000 },
    WEB_PUSH: { max: 3, windowMs: 500 },
  });
  assert.deepEqual(parseRecipientCaps(undefined), {});
  assert.throws(() => parseRecipientCaps("SMS=5"), /RECIPIENT_CAPS: "SMS=5" is not CHANNEL=5\/1d/);
  assert.throws(() => parseRecipientCaps("SMS=0/1d"), /RECIPIENT_CAPS/);
});
