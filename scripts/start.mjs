#!/usr/bin/env node
// Sets everything up and starts the whole platform in sandbox mode:
//   API (GraphQL), workers, console and the provider simulators.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { ROOT, corepackEnv, installAndBuild, pnpm, spawnService, step } from "./lib/run.mjs";
import { ensureServices } from "./lib/services.mjs";

const skipInstall = process.argv.includes("--no-install");
if (!skipInstall) installAndBuild();

step("Making sure PostgreSQL and Redis are up");
const { databaseUrl, redisUrl } = await ensureServices();

step("Applying database migrations");
pnpm(["--filter", "@notify/db", "exec", "prisma", "migrate", "deploy"], { env: { DATABASE_URL: databaseUrl } });

const dataDir = join(ROOT, ".data");
mkdirSync(dataDir, { recursive: true });
const env = {
  DATABASE_URL: databaseUrl,
  REDIS_URL: redisUrl,
  SANDBOX_DIR: join(dataDir, "sandbox"),
  SANDBOX_CREDENTIALS_FILE: join(dataDir, "sandbox", "credentials.json"),
  PUBLIC_API_URL: process.env.PUBLIC_API_URL ?? "http://127.0.0.1:4000",
  SANDBOX_POSTMARK_WEBHOOK_URL: `${process.env.PUBLIC_API_URL ?? "http://127.0.0.1:4000"}/webhooks/postmark`,
  NEXT_TELEMETRY_DISABLED: "1",
  // Per-install random secrets, never public defaults: kept in .data/ so links in emails sent
  // before a restart still verify. The API and the workers must sign with the same one.
  UNSUBSCRIBE_SECRET: process.env.UNSUBSCRIBE_SECRET ?? installSecret("unsubscribe-secret"),
  // The sandbox control API (recordings, faults, webhook triggers) answers only with this token;
  // the console holds it on its server side.
  SANDBOX_CONTROL_TOKEN: process.env.SANDBOX_CONTROL_TOKEN ?? installSecret("sandbox-control-token"),
};

/** A random secret made on the first start and kept in .data/<name> (mode 600). */
function installSecret(name) {
  const file = join(dataDir, name);
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600, flag: "wx" });
  return readFileSync(file, "utf8").trim();
}

// A first key pair so a new user can call the API at once; kept across restarts.
const keyFile = join(dataDir, "dev-api-key.json");
if (!existsSync(keyFile)) {
  step("Creating a first appKey/appSecret pair");
  const res = spawnSync(process.execPath, ["apps/api/dist/cli/create-key.js", "--name", "sandbox", "--label", "created by start", "--json"], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  if (res.status !== 0) {
    console.error(res.stderr);
    process.exit(1);
  }
  writeFileSync(keyFile, res.stdout, { mode: 0o600 });
}
const key = JSON.parse(readFileSync(keyFile, "utf8"));
env.CONSOLE_APP_KEY = key.appKey;
env.CONSOLE_APP_SECRET = key.appSecret;

step("Starting sandbox providers, API, workers and console (Ctrl-C stops all)");
const children = [
  spawnService("sandbox", process.execPath, ["apps/sandbox/dist/main.js"], { env, color: 35 }),
];
// The workers read the simulators' credentials file, which the sandbox writes on first start.
await waitForFile(env.SANDBOX_CREDENTIALS_FILE, 30_000);
children.push(
  spawnService("api", process.execPath, ["apps/api/dist/main.js"], { env, color: 36 }),
  spawnService("workers", process.execPath, ["apps/workers/dist/main.js"], { env, color: 33 }),
  spawnService("console", "corepack", ["pnpm", "--filter", "@notify/console", "start"], { env: { ...corepackEnv, ...env, API_URL: env.PUBLIC_API_URL }, color: 32 }),
);

setTimeout(() => {
  console.log(`
  GraphQL API   http://127.0.0.1:4000/graphql   (X-App-Key: ${key.appKey}, X-App-Secret in .data/dev-api-key.json)
  Console       http://127.0.0.1:3000
  Sandbox       http://127.0.0.1:4010/messages  (what the simulated providers received; Authorization: Bearer <.data/sandbox-control-token>)
`);
}, 4000);

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill("SIGTERM");
  setTimeout(() => process.exit(0), 5000).unref();
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
for (const c of children) c.on("exit", (code) => {
  if (!stopping && code !== 0) {
    console.error(`a service exited with ${code}; stopping the platform`);
    stop();
    process.exitCode = 1;
  }
});

async function waitForFile(file, ms) {
  const until = Date.now() + ms;
  while (!existsSync(file)) {
    if (Date.now() > until) {
      console.error(`✖ the sandbox did not write ${file}`);
      stop();
      process.exit(1);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
