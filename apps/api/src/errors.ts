import { HeaderMap } from "@apollo/server";
import { GraphQLError } from "graphql";

/**
 * Every error a caller can cause has a stable `extensions.code` to branch on, and, for input
 * problems, the `field` at fault. Anything else is an internal error and is masked by Apollo.
 */
export type ErrorCode =
  | "UNAUTHENTICATED"
  | "NOT_FOUND"
  | "BAD_USER_INPUT"
  | "CONFLICT"
  | "FORBIDDEN"
  | "RATE_LIMITED"
  | "PAYLOAD_TOO_LARGE"
  | "BAD_REQUEST";

export class ApiError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}, httpStatus?: number) {
    super(message, { extensions: { code, ...extra, ...(httpStatus ? { http: { status: httpStatus } } : {}) } });
  }
}

export class UnauthenticatedError extends ApiError {
  constructor(message = "A valid appKey and appSecret are required") {
    super("UNAUTHENTICATED", message, {}, 401);
  }
}

export class NotFoundError extends ApiError {
  constructor(entity: string, ref: string) {
    super("NOT_FOUND", `${entity} ${JSON.stringify(ref)} does not exist`, { entity, ref });
  }
}

/** `reason` is machine-readable (e.g. MISSING_CONTACT), `field` the input path at fault. */
export class InputError extends ApiError {
  constructor(reason: string, message: string, field?: string) {
    super("BAD_USER_INPUT", message, { reason, ...(field ? { field } : {}) });
  }
}

export class ConflictError extends ApiError {
  constructor(reason: string, message: string) {
    super("CONFLICT", message, { reason });
  }
}

/** Authenticated, but this caller may not do this (e.g. a recipient token outside its recipient). */
export class ForbiddenError extends ApiError {
  constructor(message: string) {
    super("FORBIDDEN", message);
  }
}

/**
 * The caller spent its cost budget (auth/rate-limit.ts); retry after `retryAfterMs`. The HTTP
 * answer is a 429 with Retry-After in whole seconds.
 */
export class RateLimitedError extends ApiError {
  constructor(retryAfterMs: number, cost: number, budget: number) {
    const retryAfter = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super(
      "RATE_LIMITED",
      `Rate limit: this operation costs ${cost} and the caller's budget of ${budget} for the current window is spent; retry in ${retryAfterMs} ms`,
      { retryAfterMs, cost, budget },
      429,
    );
    (this.extensions.http as { headers?: HeaderMap }).headers = new HeaderMap([["retry-after", String(retryAfter)]]);
  }
}
