#!/usr/bin/env node
// `pnpm chaos [-- --no-install]`: the full chaos run (README, "Delivery guarantees").
// Installs and builds (unless --no-install), then runs e2e/dist/chaos/main.js: the CI test's code
// (e2e/src/chaos.test.ts) with CHAOS_NOTIFICATIONS=20000 unless set. It starts its own Postgres and
// Redis servers (they get killed and restarted), so the machine's shared ones are not touched;
// it needs the postgresql and redis-server packages installed, not running.
import { spawnSync } from "node:child_process";
import { ROOT, corepackEnv, installAndBuild, step } from "./lib/run.mjs";

const args = process.argv.slice(2).filter((a) => a !== "--");
if (!args.includes("--no-install")) installAndBuild();
step(`Chaos run: ${process.env.CHAOS_NOTIFICATIONS ?? 20_000} notifications`);
// Ctrl-C reaches the run too (same process group); it stops its servers and processes itself.
process.on("SIGINT", () => undefined);
const res = spawnSync(process.execPath, ["e2e/dist/chaos/main.js"], {
  cwd: ROOT,
  stdio: "inherit",
  env: { ...process.env, ...corepackEnv, CHAOS_NOTIFICATIONS: process.env.CHAOS_NOTIFICATIONS ?? "20000" },
});
process.exit(res.status ?? 1);
