import assert from "node:assert/strict";
import { test } from "node:test";
import { parseProviderRateLimits } from "./rate-limits.js";

test("parses per-channel provider limits", () => {
  assert.deepEqual(parseProviderRateLimits("SMS=100/1s, EMAIL=50/100ms,IOS_PUSH=6000/1m"), {
    SMS: { max: 100, duration: 1000 },
    EMAIL: { max: 50, duration: 100 },
    IOS_PUSH: { max: 6000, duration: 60_000 },
  });
  assert.deepEqual(parseProviderRateLimits(undefined), {});
});

test("refuses a malformed or unknown limit with a message naming it", () => {
  assert.throws(() => parseProviderRateLimits("SMS=fast"), /SMS=fast/);
  assert.throws(() => parseProviderRateLimits("FAX=1/1s"), /unknown channel FAX/);
});
