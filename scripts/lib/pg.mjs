import { createRequire } from "node:module";

// pg is a dependency of the prisma workspace package; scripts borrow it from there, once
// `pnpm install` has run (so it is required lazily, not at import time).
const require = createRequire(new URL("../../prisma/package.json", import.meta.url));

export function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Runs statements against the server's maintenance database (postgres). */
export async function admin(url, statements) {
  const { Client } = require("pg");
  const client = new Client({ connectionString: withDatabase(url, "postgres") });
  await client.connect();
  try {
    for (const sql of statements) await client.query(sql);
  } finally {
    await client.end();
  }
}
