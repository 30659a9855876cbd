import { unwrapResolverError } from "@apollo/server/errors";
import type { GraphQLFormattedError } from "graphql";

/**
 * Postgres (or Redis) unreachable, restarting, or out of connections: the caller did nothing
 * wrong and the same request will work once it is back. Without this it surfaces as a masked
 * INTERNAL_SERVER_ERROR, which a client cannot tell from a bug. Nothing was accepted when it
 * happens before the acceptance transaction commits, which is every case that reaches here: a
 * failure to enqueue after the commit is not an error (the outbox sweeper enqueues later).
 */
export function unavailableError(error: unknown): GraphQLFormattedError | null {
  const cause = storageFailure(unwrapResolverError(error));
  if (!cause) return null;
  return {
    message: `The platform cannot reach its ${cause} right now; nothing was changed. Retry shortly (with the same idempotencyKey, if any).`,
    extensions: { code: "SERVICE_UNAVAILABLE", retryable: true },
  };
}

// Prisma's codes for "cannot reach / lost / timed out waiting for" the database.
const PRISMA_UNAVAILABLE = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028"]);
// What the pg driver adapter reports as the kind of a connection-level failure.
const ADAPTER_UNAVAILABLE = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections", "DatabaseDoesNotExist"]);
const NET_UNAVAILABLE = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "57P01", "57P03", "53300"]);

// How pg and Prisma word a lost connection or a server that is restarting, when no code carries it
// (Prisma 7 puts the SQLSTATE only in the message: "Database error. Code: `57P03`").
const DATABASE_GONE =
  /Connection terminated|terminating connection|timeout exceeded when trying to connect|is not queryable|the database system is (shutting down|starting up|in recovery mode)|Code: `(57P0[1-3]|53300|08\d\d\d)`/i;

/** "database" or "queue" when the error (or anything in its cause chain) is a lost or refused connection. */
function storageFailure(err: unknown): "database" | "queue" | null {
  // GraphQL wraps what it caught in originalError (a failed context creation included), Node in cause.
  for (let e = err as Record<string, any> | undefined, depth = 0; e && depth < 8; e = e.originalError ?? e.cause, depth++) {
    const name = String(e.name ?? e.constructor?.name ?? "");
    if (name === "PrismaClientInitializationError" || PRISMA_UNAVAILABLE.has(e.code)) return "database";
    if (name === "DriverAdapterError" && ADAPTER_UNAVAILABLE.has(e.cause?.kind)) return "database";
    if (NET_UNAVAILABLE.has(e.code) || NET_UNAVAILABLE.has(e.originalCode)) return "database";
    if (name === "MaxRetriesPerRequestError" || /^Connection is closed/.test(String(e.message))) return "queue";
    if (DATABASE_GONE.test(String(e.message))) return "database";
  }
  return null;
}
