import { ApiRequestError, ApiUnreachableError } from "./api";
import { ConsoleConfigError } from "./env";
import type { ActionProblem } from "./template-form";

/** A form's failure to show beside it: the API's typed error (code, reason, field) or the API being down. */
export function problemOf(err: unknown): ActionProblem {
  if (err instanceof ApiRequestError) {
    const { reason, field } = err.extensions as { reason?: string; field?: string };
    return { message: err.message, code: err.code, reason, field };
  }
  if (err instanceof ApiUnreachableError || err instanceof ConsoleConfigError) return { message: err.message };
  throw err;
}
