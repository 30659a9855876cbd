import { createRequire } from "node:module";
import { randomBytes, randomUUID } from "node:crypto";

// Borrowed from the workspace packages that depend on them (after `pnpm install`), as pg.mjs does.
const fromDb = createRequire(new URL("../../prisma/package.json", import.meta.url));
const fromConsole = createRequire(new URL("../../apps/console/package.json", import.meta.url));

/**
 * The first console user, as the users CLI and better-auth write one: console_user (platform
 * admin, email verified), a console_account with providerId "credential" and accountId = user id
 * holding an argon2id hash, and an ADMIN membership of `appId`. Returns the password, which only
 * the caller ever sees. Does nothing (returns null) when the email already exists.
 */
export async function createFirstAdmin(databaseUrl, { email, appId }) {
  const { Client } = fromDb("pg");
  const { hash } = fromConsole("@node-rs/argon2");
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const existing = await client.query("SELECT id FROM console_user WHERE email = $1", [email]);
    if (existing.rowCount > 0) return null;
    const password = randomBytes(18).toString("base64url");
    const id = randomUUID();
    await client.query("BEGIN");
    await client.query(`INSERT INTO console_user (id, name, email, "emailVerified", "platformAdmin", "createdAt", "updatedAt") VALUES ($1, 'Admin', $2, true, true, now(), now())`, [id, email]);
    await client.query(`INSERT INTO console_account (id, "accountId", "providerId", "userId", password, "createdAt", "updatedAt") VALUES ($1, $2, 'credential', $2, $3, now(), now())`, [randomUUID(), id, await hash(password)]);
    await client.query(`INSERT INTO "Membership" ("userId", "appId", role, "createdAt", "updatedAt") VALUES ($1, $2, 'ADMIN', now(), now())`, [id, appId]);
    await client.query("COMMIT");
    return password;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}
