import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/client.js";

export * from "../generated/client.js";

export interface DbOptions {
  url: string;
  /** Pool size per process; keep API + workers × this under Postgres' (or PgBouncer's) limit. */
  max?: number;
}

/** The one way apps get a client: the pg driver adapter, so no native query engine is needed. */
export function createDb({ url, max = 10 }: DbOptions): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max }) });
}

export type Db = PrismaClient;
/** The client handed to `$transaction(async (tx) => …)` callbacks. */
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
