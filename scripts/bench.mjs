#!/usr/bin/env node
// `pnpm bench [--no-install] [--smoke] [--scenario burst|steady|all] [--count N] [--rate R]
//   [--duration S] [--workers M] [--latency MS] [--channels EMAIL,SMS,…]`
// Runs the real stack under load and prints figures (see README, "Benchmark").
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
const res = spawnSync(process.execPath, ["e2e/dist/bench/run.js", ...args.filter((a) => a !== "--no-install")], {
  cwd: ROOT,
  stdio: "inherit",
  env: { ...process.env, ...corepackEnv, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, TEST_DATABASE_TEMPLATE: template.name },
});
await template.drop().catch(() => undefined);
process.exit(res.status ?? 1);
