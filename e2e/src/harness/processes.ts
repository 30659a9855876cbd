import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * A port for a test server to listen on, below Linux's ephemeral range (32768–60999). Port 0
 * hands out an ephemeral port, which the kernel may give to some test's outgoing connection
 * between our check and the server's listen (EADDRINUSE: seen with the chaos suite's traffic in
 * the same run); below that range only another listener can take it.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canListen(port)) return port;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  /** Everything it printed, for failure messages. */
  output(): string;
  /** Base URL of its /health and /ready endpoints, where known. */
  healthUrl?: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Children still running, killed if this process exits without stopping them (a failed run). */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Runs one of the platform's own entry points (apps/…/dist/main.js) as a real process. */
export function startProcess(name: string, script: string, env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, [script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  return {
    name,
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
}

/** Polls until the URL answers 200, or fails with the process's output. */
export async function waitReady(url: string, proc: ServiceProcess, timeoutMs = 90_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited with ${proc.child.exitCode}:\n${proc.output()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${proc.name} not ready at ${url} after ${timeoutMs} ms:\n${proc.output()}`);
}

/** Runs an entry point until it exits (or 30 s pass) and returns its exit code and output. */
export async function runUntilExit(name: string, script: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const proc = startProcess(name, script, env);
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      proc.child.kill("SIGKILL");
      resolve(null);
    }, 30_000);
    proc.child.once("exit", (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  return { code, output: proc.output() };
}
