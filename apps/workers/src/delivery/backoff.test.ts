import assert from "node:assert/strict";
import { test } from "node:test";
import { PermanentProviderError, RetryableProviderError, retryAfterMs } from "../providers/errors.js";
import { backoffDelay } from "./backoff.js";

test("backoff doubles per attempt, jittered within [half, full] of the exponential step", () => {
  for (let attempt = 1; attempt <= 6; attempt++) {
    const step = 1000 * 2 ** (attempt - 1);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(attempt, 1000);
      assert.ok(d >= step / 2 && d <= step, `attempt ${attempt}: ${d} outside [${step / 2}, ${step}]`);
    }
  }
});

test("backoff is capped", () => {
  assert.ok(backoffDelay(40, 1000, undefined, 60_000) <= 60_000);
});

test("a provider's Retry-After wins over the computed backoff", () => {
  assert.equal(backoffDelay(1, 1000, new RetryableProviderError("429", "429", 7000)), 7000);
  assert.ok(backoffDelay(1, 1000, new PermanentProviderError("x", "400")) <= 1000);
});

test("Retry-After parses seconds and HTTP dates", () => {
  assert.equal(retryAfterMs("3"), 3000);
  assert.equal(retryAfterMs(undefined), undefined);
  const inFive = new Date(Date.now() + 5000).toUTCString();
  const ms = retryAfterMs(inFive)!;
  assert.ok(ms > 3000 && ms <= 5000, String(ms));
});
