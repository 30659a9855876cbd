import type { GraphQLFormattedError } from "graphql";
import type { Logger } from "pino";
import { unavailableError } from "./unavailable.js";
import { explainValidationError } from "./validation-errors.js";

/**
 * Apollo's formatError. Internal errors reach the log with their stack, and the caller as a
 * bare INTERNAL_SERVER_ERROR: their message may name tables, SQL states, Prisma invocations or
 * paths. `debug` (sandbox mode and API_DEBUG_ERRORS=1 only) keeps the message.
 */
export function formatApiError({ debug, log }: { debug: boolean; log: Pick<Logger, "error"> }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    if (formatted.extensions?.code === "INTERNAL_SERVER_ERROR") {
      const unavailable = unavailableError(error);
      if (unavailable) return unavailable;
      log.error({ err: error }, "internal error");
      if (!debug) return { message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" }, ...(formatted.path ? { path: formatted.path } : {}) };
    }
    return explainValidationError(formatted);
  };
}
