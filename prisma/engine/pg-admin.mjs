// Direct `pg` helpers: connection-string handling, database create/drop, and translation of pg
// errors into the user-facing error codes (P1xxx) that Prisma's CLI expects from the native engine.

import pg from "pg";

/** Parse a postgres:// or postgresql:// connection string. */
export function parseUrl(url) {
  if (typeof url !== "string" || url === "") throw new KnownError("P1012", "The datasource url is empty.");
  let u;
  try {
    u = new URL(url);
  } catch {
    throw new KnownError("P1013", "The provided database string is invalid. The scheme is not recognized in database URL.");
  }
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") {
    throw new KnownError(
      "P1013",
      `The provided database string is invalid. This stand-in engine only supports postgresql:// URLs, got \`${u.protocol}\`.`,
    );
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, "")) || decodeURIComponent(u.username) || "postgres";
  return {
    url: u,
    database,
    host: u.hostname || u.searchParams.get("host") || "localhost",
    port: u.port || "5432",
    user: decodeURIComponent(u.username),
    schema: u.searchParams.get("schema") || undefined,
  };
}

/** The same connection string pointing at another database on the same server. */
export function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = "/" + encodeURIComponent(database);
  return u.toString();
}

/**
 * pg connection options for a Prisma-style URL. Prisma's URL parameters that pg does not know
 * (`schema`, `connection_limit`, `pool_timeout`, ...) are removed; `schema` is returned separately.
 */
export function pgConfig(url) {
  const u = new URL(url);
  const schema = u.searchParams.get("schema") || undefined;
  for (const p of ["schema", "connection_limit", "pool_timeout", "pgbouncer", "statement_cache_size", "socket_timeout", "connect_timeout"]) {
    u.searchParams.delete(p);
  }
  return { connectionString: u.toString(), schema };
}

export function quoteIdent(name) {
  return '"' + String(name).replaceAll('"', '""') + '"';
}

/** An error with a Prisma user-facing error code. */
export class KnownError extends Error {
  constructor(code, message, meta) {
    super(message);
    this.errorCode = code;
    this.meta = meta;
  }
}

/** Translate a pg/socket error into the error the native engine would report. */
export function toKnownError(err, url) {
  if (err instanceof KnownError) return err;
  let info;
  try {
    info = parseUrl(url);
  } catch {
    info = { database: "?", host: "?", port: "?", user: "?" };
  }
  const at = `${info.host}:${info.port}`;
  switch (err?.code) {
    case "3D000":
      return new KnownError("P1003", `Database \`${info.database}\` does not exist on the database server at \`${at}\`.`, {
        database_name: info.database,
        database_host: info.host,
        database_port: info.port,
      });
    case "28P01":
    case "28000":
      return new KnownError(
        "P1000",
        `Authentication failed against database server, the provided database credentials for \`${info.user}\` are not valid.\n\nPlease make sure to provide valid database credentials for the database server at the configured address.`,
      );
    case "42P04":
      return new KnownError("P1009", `Database \`${info.database}\` already exists on the database server at \`${at}\``);
    case "42501":
      return new KnownError("P1010", `User \`${info.user}\` was denied access on the database \`${info.database}\``);
    case "ECONNREFUSED":
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ECONNRESET":
      return new KnownError(
        "P1001",
        `Can't reach database server at \`${at}\`\n\nPlease make sure your database server is running at \`${at}\`.`,
      );
    default:
      return new KnownError(undefined, err?.message ?? String(err));
  }
}

/** Run `fn(client)` with a single pg client connected to `url`, always closing it. */
export async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: pgConfig(url).connectionString });
  client.on("error", () => {}); // a dropped connection surfaces through the pending query instead
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Run `fn(client)` on a connection suitable for CREATE/DROP DATABASE: the server's `postgres`
 * database, then `template1`, then the url's own database (if the server has neither).
 */
export async function withMaintenanceClient(url, fn) {
  const { database } = parseUrl(url);
  const candidates = [...new Set(["postgres", "template1", database])];
  let lastErr;
  for (const db of candidates) {
    let client;
    try {
      client = new pg.Client({ connectionString: pgConfig(withDatabase(url, db)).connectionString });
      client.on("error", () => {});
      await client.connect();
    } catch (err) {
      lastErr = err; // (pg closes the socket of a failed connect itself)
      if (err?.code === "3D000" || err?.code === "42501") continue; // try the next database
      throw err;
    }
    try {
      return await fn(client);
    } finally {
      await client.end().catch(() => {});
    }
  }
  throw lastErr;
}

export async function canConnect(url) {
  await withClient(url, (c) => c.query("SELECT 1"));
}

export async function createDatabase(url) {
  const { database } = parseUrl(url);
  await withMaintenanceClient(url, (c) => c.query(`CREATE DATABASE ${quoteIdent(database)}`));
  return database;
}

/**
 * Drop a database. `force` terminates other sessions first (WITH (FORCE), Postgres 13+; older
 * servers get pg_terminate_backend and a plain DROP).
 */
export async function dropDatabase(url, { force = false, ifExists = false } = {}) {
  const { database } = parseUrl(url);
  const drop = `DROP DATABASE ${ifExists ? "IF EXISTS " : ""}${quoteIdent(database)}`;
  await withMaintenanceClient(url, async (c) => {
    if (!force) return c.query(drop);
    try {
      await c.query(`${drop} WITH (FORCE)`);
    } catch (err) {
      if (err?.code !== "42601") throw err; // syntax error: server older than 13
      await c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [database]);
      await c.query(drop);
    }
  });
  return database;
}
