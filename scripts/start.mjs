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
};
// Per-install random secrets, never public defaults: kept in .data/ so links in emails sent
// before a restart still verify. The API and the workers must sign with the same one.
env.UNSUBSCRIBE_SECRET = process.env.UNSUBSCRIBE_SECRET ?? installSecret("unsubscribe-secret");
// The sandbox control API (recordings, faults, webhook triggers) answers only with this token;
// the console holds it on its server side.
env.SANDBOX_CONTROL_TOKEN = process.env.SANDBOX_CONTROL_TOKEN ?? installSecret("sandbox-control-token");
// Recipient tokens keep working across API restarts (and, behind a load balancer, across processes).
env.APP_TOKEN_SECRET = process.env.APP_TOKEN_SECRET ?? installSecret("app-token-secret");

/** A random secret made on the first start and kept in .data/<name> (mode 600). */
function installSecret(name) {
  const file = join(dataDir, name);
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600, flag: "wx" });
  return readFileSync(file, "utf8").trim();
}

/** Runs the API's create-key CLI (an app and its first key pair); its JSON answer. */
function createKey(name, label, scopes) {
  const res = spawnSync(process.execPath, ["apps/api/dist/cli/create-key.js", "--name", name, "--label", label, ...(scopes ? ["--scopes", scopes] : []), "--json"], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  if (res.status !== 0) {
    console.error(res.stderr);
    process.exit(1);
  }
  return res.stdout;
}

/** A JSON file in .data/ made once (mode 600) and read on every later start. */
function kept(file, make) {
  const path = join(dataDir, file);
  if (!existsSync(path)) writeFileSync(path, make(), { mode: 0o600 });
  return JSON.parse(readFileSync(path, "utf8"));
}

// A first key pair so a new user can call the API at once; kept across restarts.
if (!existsSync(join(dataDir, "dev-api-key.json"))) step("Creating a first appKey/appSecret pair");
const key = kept("dev-api-key.json", () => createKey("sandbox", "created by start"));

// The console's secrets: its session cookies' key, and the one it signs the signed-in user's
// identity for the API with (the API verifies with the same value).
const consoleSecrets = kept("console-secrets.json", () =>
  JSON.stringify({ BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"), CONSOLE_IDENTITY_SECRET: randomBytes(32).toString("base64url") }),
);
env.CONSOLE_IDENTITY_SECRET = consoleSecrets.CONSOLE_IDENTITY_SECRET;
// The console's own mail-only app: invitations and password resets go out through the platform's email channel.
const mailKey = kept("console-mail-key.json", () => createKey("console mail", "console invitations and password resets", "SEND,RECIPIENTS"));

// The first console user: a platform admin, ADMIN of the dev app. The password is printed once.
const adminFile = join(dataDir, "console-admin.json");
let adminPassword;
if (!existsSync(adminFile)) {
  step("Creating the first console admin");
  // A reserved .localhost domain (RFC 6761): better-auth requires an address with a dot in its domain.
  const email = "admin@notify.localhost";
  const password = randomBytes(18).toString("base64url");
  // The users CLI writes the rows the console's sign-in reads; the password goes in on stdin, out of the process list.
  const res = spawnSync(
    process.execPath,
    ["apps/api/dist/cli/users.js", "--email", email, "--password-stdin", "--app", key.appId, "--role", "ADMIN", "--platform-admin", "--if-absent"],
    { cwd: ROOT, env: { ...process.env, ...env }, input: password, encoding: "utf8" },
  );
  if (res.status === 0) {
    writeFileSync(adminFile, JSON.stringify({ email, password }, null, 2), { mode: 0o600 });
    adminPassword = password;
  } else if (res.status === 3) {
    console.log(`  ${email} already exists in this database; its password is not in .data/ (set a new one with the forgot-password link)`);
  } else {
    console.error(res.stderr || res.stdout);
    process.exit(1);
  }
}

function adminEmail() {
  return existsSync(adminFile) ? JSON.parse(readFileSync(adminFile, "utf8")).email : "admin@notify.localhost";
}

const consolePort = process.env.CONSOLE_PORT || "3000";
const consoleHost = process.env.CONSOLE_HOST || "127.0.0.1";
const consoleEnv = {
  ...corepackEnv,
  ...env,
  API_URL: env.PUBLIC_API_URL,
  CONSOLE_PORT: consolePort,
  CONSOLE_HOST: consoleHost,
  BETTER_AUTH_SECRET: consoleSecrets.BETTER_AUTH_SECRET,
  CONSOLE_MAIL_APP_KEY: mailKey.appKey,
  CONSOLE_MAIL_APP_SECRET: mailKey.appSecret,
};

step("Starting sandbox providers, API, workers and console (Ctrl-C stops all)");
const children = [
  spawnService("sandbox", process.execPath, ["apps/sandbox/dist/main.js"], { env, color: 35 }),
];
// The workers read the simulators' credentials file, which the sandbox writes on first start.
await waitForFile(env.SANDBOX_CREDENTIALS_FILE, 30_000);
children.push(
  spawnService("api", process.execPath, ["apps/api/dist/main.js"], { env, color: 36 }),
  spawnService("workers", process.execPath, ["apps/workers/dist/main.js"], { env, color: 33 }),
  // Next itself, not through `pnpm start`: pnpm did not pass SIGTERM on, and the console outlived the platform.
  spawnService("console", process.execPath, ["apps/console/node_modules/next/dist/bin/next", "start", "apps/console", "-H", consoleHost, "-p", consolePort], { env: consoleEnv, color: 32 }),
);

setTimeout(() => {
  console.log(`
  GraphQL API   http://127.0.0.1:4000/graphql   (X-App-Key: ${key.appKey}, X-App-Secret in .data/dev-api-key.json)
  Console       http://${consoleHost}:${consolePort}   (sign in as ${adminEmail()}, ${adminPassword ? `password ${adminPassword} — shown only now, also in .data/console-admin.json` : "password in .data/console-admin.json"})
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
