import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import type { KeyPair, Stack } from "./stack.js";
import { freePort, ROOT, waitReady, type ServiceProcess } from "./processes.js";

const CONSOLE_DIR = join(ROOT, "apps", "console");
const NEXT_BIN = join(CONSOLE_DIR, "node_modules", "next", "dist", "bin", "next");

export interface RunningConsole {
  url: string;
  process: ServiceProcess;
  stop(): Promise<void>;
}

/**
 * The built console (`next start`) as a real process, wired to one Stack: its API, called with
 * `key`, and its sandbox's control API. The console is one app's support tool (recipients belong
 * to an app), so it gets the key pair of the app whose recipients the test creates. Needs
 * `next build` to have run (turbo's build does).
 */
export async function startConsole(stack: Stack, key: Pick<KeyPair, "appKey" | "appSecret">): Promise<RunningConsole> {
  if (!existsSync(join(CONSOLE_DIR, ".next", "BUILD_ID"))) {
    throw new Error("The console is not built: run `corepack pnpm --filter @notify/console build` first");
  }
  const port = await freePort();
  const env = {
    ...process.env,
    API_URL: stack.apiUrl,
    CONSOLE_APP_KEY: key.appKey,
    CONSOLE_APP_SECRET: key.appSecret,
    SANDBOX_CONTROL_URL: stack.sandbox.urls.control,
    SANDBOX_CONTROL_TOKEN: stack.sandbox.controlToken,
    NEXT_TELEMETRY_DISABLED: "1",
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
  const url = `http://127.0.0.1:${port}`;
  await waitReady(`${url}/webpush`, proc);
  return { url, process: proc, stop: () => proc.stop() };
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

/** Screenshots for people to look at (e2e/screenshots/ is gitignored). */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = join(ROOT, "e2e", "screenshots");
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
