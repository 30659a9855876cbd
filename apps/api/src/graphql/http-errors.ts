import type { ErrorRequestHandler } from "express";
import type { Logger } from "pino";

/**
 * Express answers a body-parser failure with its HTML error page, which carried a Node stack
 * with absolute paths. Callers get the GraphQL error shape instead: 413 PAYLOAD_TOO_LARGE for
 * a body over the limit, 400 BAD_REQUEST for one that is not JSON, and a masked 500 for
 * anything else that reaches here.
 */
export function jsonBodyErrors(log: Pick<Logger, "error">): ErrorRequestHandler {
  return (err, _req, res, next) => {
    if (res.headersSent) return next(err);
    const e = err as { type?: string; status?: number; limit?: number };
    if (e.type === "entity.too.large") {
      res.status(413).json({ errors: [{ message: `The request body exceeds the limit of ${e.limit} bytes; send fewer recipients per call`, extensions: { code: "PAYLOAD_TOO_LARGE", limit: e.limit } }] });
    } else if (e.type === "entity.parse.failed" || e.type === "encoding.unsupported" || e.type === "charset.unsupported") {
      res.status(400).json({ errors: [{ message: "The request body is not valid JSON", extensions: { code: "BAD_REQUEST", reason: "MALFORMED_JSON" } }] });
    } else if (typeof e.status === "number" && e.status >= 400 && e.status < 500) {
      res.status(e.status).json({ errors: [{ message: "The request could not be read", extensions: { code: "BAD_REQUEST" } }] });
    } else {
      log.error({ err }, "unhandled HTTP error");
      res.status(500).json({ errors: [{ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } }] });
    }
  };
}
