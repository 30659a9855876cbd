import "server-only";
import { NextResponse } from "next/server";
import { ApiRequestError, ApiUnreachableError } from "./api";
import { ConsoleConfigError } from "./env";
import { NoAppError, SignedOutError } from "./viewer";
import { SandboxPushServiceError } from "./webpush";
import type { ErrorResponse } from "./webpush-wire";

/** The signed-in user's role may not use this route (the API would refuse it too). */
export class ForbiddenRouteError extends Error {
  override name = "ForbiddenRouteError";
}

/** The request itself was malformed (before anything was called). */
export class BadRouteInputError extends Error {
  override name = "BadRouteInputError";
}

const STATUS_BY_API_CODE: Record<string, number> = { NOT_FOUND: 404, BAD_USER_INPUT: 400, CONFLICT: 409, FORBIDDEN: 403 };

/** Maps the failures route handlers expect to an HTTP status and a message the page can show. */
export function errorResponse(err: unknown): NextResponse<ErrorResponse> {
  if (err instanceof SignedOutError) return NextResponse.json({ error: err.message, code: "UNAUTHENTICATED" }, { status: 401 });
  if (err instanceof NoAppError || err instanceof ForbiddenRouteError) return NextResponse.json({ error: err.message, code: "FORBIDDEN" }, { status: 403 });
  if (err instanceof BadRouteInputError) return NextResponse.json({ error: err.message }, { status: 400 });
  if (err instanceof ApiRequestError) {
    // Anything but the caller's own input (e.g. UNAUTHENTICATED: the console's key pair) is the console's problem.
    return NextResponse.json({ error: err.message, code: err.code }, { status: STATUS_BY_API_CODE[err.code ?? ""] ?? 502 });
  }
  if (err instanceof ApiUnreachableError || err instanceof SandboxPushServiceError) {
    return NextResponse.json({ error: err.message }, { status: err instanceof SandboxPushServiceError ? err.status : 502 });
  }
  if (err instanceof ConsoleConfigError) return NextResponse.json({ error: err.message }, { status: 500 });
  throw err;
}
