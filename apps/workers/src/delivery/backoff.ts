import { RetryableProviderError } from "../providers/errors.js";

/**
 * Exponential backoff with full jitter, so retries after a provider outage do not arrive as
 * one thundering herd; a provider's Retry-After always wins when it asks for longer.
 */
export function backoffDelay(attemptsMade: number, baseMs: number, err?: Error, maxMs = 10 * 60_000): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attemptsMade - 1));
  const jittered = exponential / 2 + Math.random() * (exponential / 2);
  const asked = err instanceof RetryableProviderError ? err.retryAfterMs : undefined;
  return Math.round(asked !== undefined ? Math.max(asked, baseMs / 4) : jittered);
}
