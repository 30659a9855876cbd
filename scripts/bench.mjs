#!/usr/bin/env node
// `pnpm bench [-- --no-install] [--smoke] [--scenario single,bulk,steady,broadcast,scale|all]
//   [--api N] [--workers M] [--scale 1x1,2x2] [--latency MS] [--json] …` (every flag: README, "Benchmark").
// Installs and builds (unless --no-install), makes sure Postgres and Redis are up, migrates a
// template database the bench clones, and runs e2e/dist/bench/run.js on the real stack.
import { spawnSync } from "node:child_process";
import { ROOT, corepackEnv, installAndBuild, step } from "./lib/run.mjs";
import { ensureServices } from "./lib/services.mjs";
import { prepareTemplate } from "./lib/template.mjs";

const args = process.argv.slice(2).filter((a) => a !== "--");
if (!args.includes("--no-install")) installAndBuild();
step("Making sure PostgreSQL and Redis are up");
const { databaseUrl, redisUrl } = await ensureServices();
const template = await prepareTemplate(databaseUrl, "notify_bench_template");
step("Benchmark");
// Ctrl-C reaches the bench too (same process group); it stops its stack, then we drop the template.
process.on("SIGINT", () => undefined);
const res = spawnSync(process.execPath, ["e2e/dist/bench/run.js", ...args.filter((a) => a !== "--no-install")], {
  cwd: ROOT,
  stdio: "inherit",
  env: { ...process.env, ...corepackEnv, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, TEST_DATABASE_TEMPLATE: template.name },
});
await template.drop().catch(() => undefined);
process.exit(res.status ?? 1);
