#!/usr/bin/env node
// Sets everything up and runs the whole test suite against real Postgres and Redis:
//   node scripts/test.mjs [--no-install] [files…]
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { spawnSync } from "node:child_process";
import { ROOT, corepackEnv, installAndBuild, pnpm, step } from "./lib/run.mjs";
import { prepareTemplate } from "./lib/template.mjs";
import { ensureServices } from "./lib/services.mjs";
import { ensureChromium } from "./lib/browser.mjs";

const args = process.argv.slice(2);
const skipInstall = args.includes("--no-install");
const only = args.filter((a) => !a.startsWith("--"));

if (!skipInstall) installAndBuild();

// Import cycles make the path of a notification unreadable and break module init order; none may
// creep in (.madgerc: type-only imports do not count). Skipped when running chosen files only.
if (!only.length) {
  step("Checking for import cycles (madge)");
  pnpm(["run", "cycles"]);
}

step("Making sure PostgreSQL and Redis are up");
const { databaseUrl, redisUrl } = await ensureServices();

step("Making sure chromium is installed (console browser tests)");
ensureChromium();

const template = await prepareTemplate(databaseUrl);

function testFiles(dir) {
  let out = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === "node_modules") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(testFiles(path));
    else if (/\.test\.(m?js)$/.test(name)) out.push(path);
  }
  return out;
}

const files = only.length
  ? only
  : [
      ...["apps/api/dist", "apps/workers/dist", "apps/sandbox/dist", "packages/jobs/dist", "packages/egress/dist", "prisma/test", "e2e/dist"].flatMap((d) =>
        testFiles(join(ROOT, d)),
      ),
    ].map((f) => relative(ROOT, f));

step(`Running ${files.length} test files`);
const res = spawnSync(process.execPath, ["--test", "--test-concurrency=2", "--test-reporter=spec", ...files], {
  cwd: ROOT,
  stdio: "inherit",
  env: {
    ...process.env,
    ...corepackEnv,
    DATABASE_URL: databaseUrl,
    TEST_DATABASE_TEMPLATE: template.name,
    REDIS_URL: redisUrl,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  },
});
await template.drop().catch(() => undefined);
process.exit(res.status ?? 1);
