import "server-only";
import { createDb, type Db } from "@notify/db";
import { consoleEnv } from "./env";

// One pool per console process; kept on globalThis so a dev server's reloads do not open more.
const holder = globalThis as unknown as { __notifyConsoleDb?: Db };

/**
 * The console reads only what sign-in needs from Postgres (users, sessions, memberships,
 * invitations, the audit log); everything about notifications goes through the API.
 */
export function db(): Db {
  consoleEnv();
  holder.__notifyConsoleDb ??= createDb({ url: process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/notify", max: 5 });
  return holder.__notifyConsoleDb;
}
