import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { hash } from "@node-rs/argon2";
import type { Db, Role } from "@notify/db";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import type { KeyPair, Stack } from "./stack.js";
import { freePort, ROOT, waitReady, type ServiceProcess } from "./processes.js";

const CONSOLE_DIR = join(ROOT, "apps", "console");
const NEXT_BIN = join(CONSOLE_DIR, "node_modules", "next", "dist", "bin", "next");

export interface RunningConsole {
  url: string;
  process: ServiceProcess;
  stop(): Promise<void>;
}

export interface ConsoleOptions {
  /** Extra environment (OIDC provider, NOTIFY_MODE, a wrong identity secret, …). */
  env?: Record<string, string>;
  /** The console's mail-only key pair (invitations, password resets). */
  mailKey?: Pick<KeyPair, "appKey" | "appSecret">;
  /** When the URL must be known first (an identity provider's redirect URI). */
  port?: number;
}

/** One per test process: every console of a run accepts the others' sessions (cookies ignore ports). */
const AUTH_SECRET = randomBytes(32).toString("hex");

/**
 * The built console (`next start`) as a real process, wired to one Stack: its database (users,
 * sessions, memberships), its API (called as the signed-in user with the stack's identity
 * secret) and its sandbox's control API. Needs `next build` to have run (turbo's build does).
 */
export async function startConsole(stack: Stack, { env: extra = {}, mailKey, port: fixedPort }: ConsoleOptions = {}): Promise<RunningConsole> {
  if (!existsSync(join(CONSOLE_DIR, ".next", "BUILD_ID"))) {
    throw new Error("The console is not built: run `corepack pnpm --filter @notify/console build` first");
  }
  const port = fixedPort ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    API_URL: stack.apiUrl,
    DATABASE_URL: stack.databaseUrl,
    CONSOLE_URL: url,
    CONSOLE_PORT: String(port),
    BETTER_AUTH_SECRET: AUTH_SECRET,
    CONSOLE_IDENTITY_SECRET: stack.consoleIdentitySecret,
    ...(mailKey ? { CONSOLE_MAIL_APP_KEY: mailKey.appKey, CONSOLE_MAIL_APP_SECRET: mailKey.appSecret } : {}),
    SANDBOX_CONTROL_URL: stack.sandbox.urls.control,
    SANDBOX_CONTROL_TOKEN: stack.sandbox.controlToken,
    NEXT_TELEMETRY_DISABLED: "1",
    ...extra,
  };
  const child = spawn(process.execPath, [NEXT_BIN, "start", CONSOLE_DIR, "--port", String(port), "--hostname", "127.0.0.1"], {
    cwd: CONSOLE_DIR,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const proc: ServiceProcess = {
    name: "console",
    child,
    output: () => out,
    stop: (signal = "SIGTERM") =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill(signal);
        setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
      }),
  };
  // The sign-in page is the one page that answers without a session.
  await waitReady(`${url}/sign-in`, proc);
  return { url, process: proc, stop: () => proc.stop() };
}

export interface ConsoleUserSpec {
  email: string;
  password: string;
  /** Memberships: app id → role. */
  apps?: Record<string, Role>;
  platformAdmin?: boolean;
}

/**
 * A console user with a password, written as better-auth and the users CLI write them:
 * console_user, a console_account with providerId "credential" (accountId = user id) holding an
 * argon2id hash, and memberships.
 */
export async function createConsoleUser(db: Db, { email, password, apps = {}, platformAdmin = false }: ConsoleUserSpec): Promise<string> {
  const id = randomUUID();
  await db.consoleUser.create({ data: { id, email, name: email.split("@")[0]!, emailVerified: true, platformAdmin } });
  await db.consoleAccount.create({ data: { id: randomUUID(), userId: id, accountId: id, providerId: "credential", password: await hash(password) } });
  for (const [appId, role] of Object.entries(apps)) await db.membership.create({ data: { userId: id, appId, role } });
  return id;
}

/** Signs a browser context in through the sign-in page, as a person would. */
export async function signIn(context: BrowserContext, console_: RunningConsole, email: string, password: string): Promise<void> {
  const page = await context.newPage();
  try {
    await withDiagnostics(page, console_, "sign-in", async () => {
      await page.goto(`${console_.url}/sign-in`);
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(password);
      await Promise.all([page.waitForURL(`${console_.url}/`), page.getByTestId("sign-in-submit").click()]);
    });
  } finally {
    await page.close();
  }
}

export const CHROMIUM = "/usr/bin/chromium";

/**
 * Debian's chromium (scripts/test.mjs installs it), headless. Never Playwright's own browser
 * download: it needs hosts this machine cannot reach.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`No browser at ${CHROMIUM}: apt-get install -y chromium (scripts/test.mjs does it when root)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
      "--disable-quic",
      "--no-first-run",
    ],
  });
}

/** Screenshots for people to look at (e2e/screenshots/ is gitignored; SCREENSHOT_DIR puts them elsewhere). */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = process.env.SCREENSHOT_DIR || join(ROOT, "e2e", "screenshots");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Runs one browser step; when it throws, saves a `<name>-failure` screenshot and adds the
 * console server's output to the error, so a failure says what the page showed and why.
 */
export async function withDiagnostics<T>(page: Page, console_: RunningConsole, name: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    const shot = await screenshot(page, `${name}-failure`).catch((e: Error) => `(no screenshot: ${e.message})`);
    const error = err as Error;
    const context = `\n  page: ${page.url()}\n  screenshot: ${shot}\n  console output (last 4000 chars):\n${console_.process.output().slice(-4000)}`;
    // Reporters print the stack, which was captured with the original message.
    error.message += context;
    if (error.stack) error.stack += context;
    throw error;
  }
}

/** A server action's request as the browser sent it (its id, the encrypted bound arguments, the form). */
export interface CapturedAction {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * Clicks something that calls a server action and captures the request instead of sending it
 * (the route is aborted, so the action does not run). An action's id is public (it is in the
 * page's scripts), so whoever holds a session can replay it: the API must be what refuses.
 */
export async function captureServerAction(page: Page, click: () => Promise<void>): Promise<CapturedAction> {
  let captured: CapturedAction | undefined;
  await page.route(
    (url) => url.origin === new URL(page.url()).origin,
    async (route) => {
      const req = route.request();
      if (req.method() === "POST" && req.headers()["next-action"]) {
        captured = { url: req.url(), headers: req.headers(), body: req.postData() ?? "" };
        return route.abort();
      }
      return route.continue();
    },
  );
  try {
    await click();
    const deadline = Date.now() + 15_000;
    while (!captured) {
      if (Date.now() > deadline) throw new Error("No server action was called");
      await new Promise((r) => setTimeout(r, 50));
    }
    return captured;
  } finally {
    await page.unrouteAll({ behavior: "ignoreErrors" });
  }
}

/** The Cookie header a browser context sends to the console. */
export async function cookieHeader(context: BrowserContext): Promise<string> {
  return (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
}

/**
 * Sends a captured server action again with another session's cookie, from the console's own
 * origin (so Host and Origin checks pass: what is left is the signed-in user's role). Answers
 * the status and the RSC text, which carries the action's result (e.g. its FORBIDDEN problem).
 */
export async function replayServerAction(console_: RunningConsole, action: CapturedAction, cookie: string): Promise<{ status: number; body: string }> {
  const { "next-action": id, "content-type": contentType, "next-router-state-tree": tree } = action.headers;
  const res = await fetch(action.url, {
    method: "POST",
    headers: { origin: console_.url, cookie, "next-action": id!, "content-type": contentType!, ...(tree ? { "next-router-state-tree": tree } : {}) },
    body: action.body,
    redirect: "manual",
  });
  return { status: res.status, body: await res.text() };
}
