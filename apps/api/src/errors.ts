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
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}, httpStatus?: number, headers?: Record<string, string>) {
    // Apollo takes `http` off the error and applies it to the response (only for errors thrown
    // before execution: while authenticating, or in a plugin such as the cost guard's).
    const http = httpStatus ? { http: { status: httpStatus, ...(headers ? { headers: new HeaderMap(Object.entries(headers)) } : {}) } } : {};
    super(message, { extensions: { code, ...extra, ...http } });
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
  constructor(message: string, reason?: string, extra: Record<string, unknown> = {}) {
    super("FORBIDDEN", message, { ...(reason ? { reason } : {}), ...extra });
  }
}

/**
 * The caller spent its cost budget (auth/rate-limit.ts); retry after `retryAfterMs`. The HTTP
 * answer is a 429 with Retry-After in whole seconds.
 */
export class RateLimitedError extends ApiError {
  constructor(retryAfterMs: number, message = `Too many requests; retry in ${retryAfterMs} ms`, extra: Record<string, unknown> = {}) {
    super("RATE_LIMITED", message, { retryAfterMs, ...extra }, 429, { "retry-after": String(Math.max(1, Math.ceil(retryAfterMs / 1000))) });
  }
}
