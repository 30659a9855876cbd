import { pnpm, step } from "./run.mjs";
import { admin, withDatabase } from "./pg.mjs";

/**
 * A freshly migrated database that test suites clone (CREATE DATABASE … TEMPLATE takes
 * milliseconds, migrating takes seconds). Named per run, so concurrent runs never drop each
 * other's template.
 */
export async function prepareTemplate(databaseUrl, prefix = "notify_test_template") {
  step("Migrating the template database");
  const name = `${prefix}_${process.pid}`;
  await admin(databaseUrl, [`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
  pnpm(["--filter", "@notify/db", "exec", "prisma", "migrate", "deploy"], { env: { DATABASE_URL: withDatabase(databaseUrl, name) } });
  return { name, drop: () => admin(databaseUrl, [`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]) };
}
