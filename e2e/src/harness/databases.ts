import { randomBytes } from "node:crypto";
import pg from "pg";
import { Redis } from "ioredis";

const baseUrl = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/notify";
const template = process.env.TEST_DATABASE_TEMPLATE ?? "notify_test_template";

export function databaseUrl(name: string): string {
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl("postgres") });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database of its own for one test suite, cloned from the template. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `notify_e2e_${randomBytes(6).toString("hex")}`;
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  return { url: databaseUrl(name), drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/**
 * A Redis logical database of its own (1–15), leased through a key in db 0 so suites running
 * in parallel never share queues.
 */
export async function leaseRedisDatabase(): Promise<{ url: string; release(): Promise<void> }> {
  const base = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const control = new Redis(base, { lazyConnect: true });
  await control.connect();
  for (let db = 1; db <= 15; db++) {
    const leased = await control.set(`notify-test:lease:${db}`, String(process.pid), "EX", 1800, "NX");
    if (leased) {
      const u = new URL(base);
      u.pathname = `/${db}`;
      const url = u.toString();
      const r = new Redis(url);
      await r.flushdb();
      r.disconnect();
      return {
        url,
        release: async () => {
          await control.del(`notify-test:lease:${db}`);
          control.disconnect();
        },
      };
    }
  }
  control.disconnect();
  throw new Error("all 15 test Redis databases are leased; is another test run going on?");
}
