import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/client.js";

export * from "../generated/client.js";

export interface DbOptions {
  url: string;
  /** Pool size per process; keep API + workers × this under Postgres' (or PgBouncer's) limit. */
  max?: number;
}

/**
 * The one way apps get a client: the pg driver adapter, so no native query engine is needed.
 *
 * Our own pool, so every connection gets an 'error' listener for its whole life. When Postgres
 * restarts it sends each session a FATAL "terminating connection" message; a connection checked
 * out between two queries of a transaction has, for a moment, no listener from the adapter, and
 * Node kills the process on an unhandled 'error' event. The broken connection is not reused: the
 * pool drops connections that are no longer queryable when they are released.
 */
export function createDb({ url, max = 10 }: DbOptions): PrismaClient {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on("connect", (client) => client.on("error", () => undefined));
  pool.on("error", () => undefined); // idle connections lost in a restart; the next query reconnects
  return new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
}

export type Db = PrismaClient;
/** The client handed to `$transaction(async (tx) => …)` callbacks. */
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
