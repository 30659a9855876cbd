// Smoke test for the offline schema engine (prisma/engine/schema-engine.mjs), through the real
// Prisma CLI: on a throwaway database, `migrate deploy` must create the tables and
// `migrate diff --from-migrations migrations --to-schema schema.prisma --exit-code` must find no
// difference (and must find one, exit 2, for a schema with an extra field).
//
//   node --test prisma/test/            (or `pnpm --filter @notify/db test`)
//
// Needs a Postgres server: PRISMA_TEST_SERVER_URL (default postgresql://postgres@127.0.0.1:5432/postgres);
// the user must be allowed to create databases.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

const prismaDir = fileURLToPath(new URL("..", import.meta.url));
const enginePath = join(prismaDir, "engine", "schema-engine.mjs");
const require = createRequire(join(prismaDir, "package.json"));
const prismaCli = join(require.resolve("prisma/package.json"), "..", "build", "index.js");

const serverUrl = process.env.PRISMA_TEST_SERVER_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const dbName = `notify_engine_test_${randomBytes(4).toString("hex")}`;
const dbUrl = (() => {
  const u = new URL(serverUrl);
  u.pathname = "/" + dbName;
  return u.toString();
})();

async function admin(sql) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Run the Prisma CLI in prisma/; resolves with {code, stdout, stderr, ms} whatever the exit code. */
function prisma(args) {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [prismaCli, ...args],
      {
        cwd: prismaDir,
        env: {
          ...process.env,
          DATABASE_URL: dbUrl,
          // Always exercise the shim, even if the caller's environment points somewhere else.
          PRISMA_SCHEMA_ENGINE_BINARY: enginePath,
          CHECKPOINT_DISABLE: "1",
          NO_COLOR: "1",
        },
        timeout: 120_000,
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr, ms: Math.round(performance.now() - started) }),
    );
  });
}

function show(r) {
  return `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

before(async () => {
  await admin(`CREATE DATABASE "${dbName}"`);
});

after(async () => {
  await admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
});

test("migrate deploy applies the migrations to an empty database", async (t) => {
  const r = await prisma(["migrate", "deploy"]);
  t.diagnostic(`migrate deploy took ${r.ms} ms`);
  assert.equal(r.code, 0, show(r));
  assert.match(r.stdout, /All migrations have been successfully applied/, show(r));

  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    const tables = await client.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    const names = tables.rows.map((row) => row.table_name);
    for (const table of ["App", "Notification", "DeliveryAttempt", "_prisma_migrations"]) {
      assert.ok(names.includes(table), `table ${table} missing; found: ${names.join(", ")}`);
    }
    const applied = await client.query("SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL");
    assert.ok(applied.rows[0].n >= 1, "no finished migration recorded");
  } finally {
    await client.end();
  }
});

test("migrations match schema.prisma (migrate diff --exit-code)", async () => {
  const r = await prisma(["migrate", "diff", "--from-migrations", "migrations", "--to-schema", "schema.prisma", "--exit-code"]);
  assert.equal(r.code, 0, show(r));
  // Check the text too: Prisma 7.10's CLI can exit 0 silently when the engine process dies.
  assert.match(r.stdout, /No difference detected/, show(r));
});

test("migrate diff --exit-code reports drift with exit code 2", async () => {
  const dir = await mkdtemp(join(tmpdir(), "notify-drift-"));
  try {
    const schema = await readFile(join(prismaDir, "schema.prisma"), "utf8");
    const drifted = schema.replace(/^model App \{\n/m, "model App {\n  driftCheck String?\n");
    assert.notEqual(drifted, schema, "could not add a field to model App");
    await writeFile(join(dir, "schema.prisma"), drifted);
    const r = await prisma(["migrate", "diff", "--from-migrations", "migrations", "--to-schema", join(dir, "schema.prisma"), "--exit-code"]);
    assert.equal(r.code, 2, show(r));
    assert.match(r.stdout, /Added column `driftCheck`/, show(r));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
