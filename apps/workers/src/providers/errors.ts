/**
 * What a provider's answer means for delivery, decided by type and never by matching strings
 * downstream: retry later, give up, or give up and stop using that address/token.
 */
export abstract class ProviderError extends Error {
  abstract readonly retryable: boolean;
  constructor(
    message: string,
    /** The provider's own code, e.g. "429", "Unregistered", "21211", "406". */
    readonly code: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** 429, 5xx, timeouts, connection failures. */
export class RetryableProviderError extends ProviderError {
  readonly retryable = true;
  constructor(message: string, code: string, readonly retryAfterMs?: number) {
    super(message, code);
  }
}

/** The provider will never accept this message as it is (bad content, bad credentials). */
export class PermanentProviderError extends ProviderError {
  readonly retryable = false;
}

/** The address/token is dead: deactivate it so it is never tried again. */
export class DeadTargetError extends PermanentProviderError {}

/** Parses an HTTP Retry-After value (seconds or a date) into milliseconds. */
export function retryAfterMs(value: string | number | null | undefined): number | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(String(value));
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
