import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { Redis } from "ioredis";
import { freePort, ROOT } from "./processes.js";

/**
 * Throwaway Redis and PostgreSQL servers of the test's own, on free ports, so a chaos test can
 * kill and restart them without touching the machine's shared servers that other suites use.
 */

const PG_BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";

/** Every private server still running, killed synchronously if the test process exits early. */
const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once("exit", () => live.delete(child));
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, probe: () => Promise<boolean>, output: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what} did not come up within ${timeoutMs} ms:\n${output()}`);
}

export interface PrivateRedis {
  url: string;
  port: number;
  /** Times it was restarted. */
  restarts: number;
  /** SIGKILL, then a fresh server on the same port: every key is gone (no RDB, no AOF). */
  restartEmpty(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** maxmemoryPolicy: noeviction unless a test wants to see the platform refuse another policy. */
export async function startPrivateRedis({ maxmemoryPolicy = "noeviction" }: { maxmemoryPolicy?: string } = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "notify-redis-"));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess;
  let out = "";

  const start = async () => {
    out = "";
    // noeviction by default, as in production (connectRedis refuses anything else); no
    // persistence, so a restart is a Redis that lost everything.
    child = track(
      spawn(
        "redis-server",
        ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no", "--maxmemory-policy", maxmemoryPolicy, "--daemonize", "no"],
        { stdio: ["ignore", "pipe", "pipe"] },
      ),
    );
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    await until(`redis-server on ${port}`, () => ping(url), () => out);
  };
  await start();

  const redis: PrivateRedis = {
    url,
    port,
    restarts: 0,
    async restartEmpty(downMs = 0) {
      child.kill("SIGKILL");
      await exited(child);
      await sleep(downMs);
      await start();
      redis.restarts++;
    },
    async stop() {
      child.kill("SIGKILL");
      await exited(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return redis;
}

export interface PrivateRedisCluster {
  /** redis-cluster://host:port,… as the platform's REDIS_URL takes it. */
  url: string;
  ports: number[];
  stop(): Promise<void>;
}

/**
 * A Redis Cluster of its own: `masters` redis-servers in cluster mode (no replicas), joined
 * with `redis-cli --cluster create`, which spreads the 16,384 slots over them.
 */
export async function startPrivateRedisCluster(masters = 3): Promise<PrivateRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), "notify-redis-cluster-"));
  const ports: number[] = [];
  const children: ChildProcess[] = [];
  const outputs: string[] = [];
  const stop = async () => {
    for (const child of children) child.kill("SIGKILL");
    await Promise.all(children.map((child) => exited(child)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const [port, busPort] = [await freePort(), await freePort()];
      const nodeDir = join(dir, String(port));
      mkdirSync(nodeDir);
      const child = track(
        spawn(
          "redis-server",
          [
            "--port", String(port), "--cluster-port", String(busPort), "--bind", "127.0.0.1", "--dir", nodeDir,
            "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--save", "", "--appendonly", "no",
            "--maxmemory-policy", "noeviction", "--daemonize", "no",
          ],
          { stdio: ["ignore", "pipe", "pipe"] },
        ),
      );
      const index = outputs.push("") - 1;
      child.stdout!.on("data", (d) => (outputs[index] += d));
      child.stderr!.on("data", (d) => (outputs[index] += d));
      children.push(child);
      ports.push(port);
      await until(`redis-server (cluster mode) on ${port}`, () => ping(`redis://127.0.0.1:${port}`), () => outputs[index]!);
    }
    execFileSync("redis-cli", ["--cluster", "create", ...ports.map((p) => `127.0.0.1:${p}`), "--cluster-replicas", "0", "--cluster-yes"], { stdio: "pipe" });
    await until(
      "the cluster to agree (cluster_state:ok)",
      async () => {
        const states = await Promise.all(ports.map((p) => clusterState(p)));
        return states.every((s) => s === "ok");
      },
      () => outputs.join("\n"),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `redis-cluster://${ports.map((p) => `127.0.0.1:${p}`).join(",")}`, ports, stop };
}

async function clusterState(port: number): Promise<string | undefined> {
  const r = new Redis(port, "127.0.0.1", { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on("error", () => undefined);
  try {
    await r.connect();
    return /cluster_state:(\w+)/.exec(String(await r.call("CLUSTER", "INFO")))?.[1];
  } finally {
    r.disconnect();
  }
}

async function ping(url: string): Promise<boolean> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // Refused connections while the server starts are expected; connect() rejects with them already.
  r.on("error", () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === "PONG";
  } finally {
    r.disconnect();
  }
}

export interface PrivatePostgres {
  /** URL of the migrated `notify` database. */
  url: string;
  port: number;
  restarts: number;
  /** Stops the server ("fast": clients are disconnected, transactions rolled back) and starts it again. */
  restart(opts?: { mode?: "fast" | "immediate"; downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

/** Postgres refuses to run as root: as root, run its binaries as the `postgres` OS user. */
function postgresUser(): Pick<SpawnOptions, "uid" | "gid"> {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
  return { uid, gid };
}

/**
 * A PostgreSQL cluster of its own (initdb into a temp dir, `postgres` as a child process, socket
 * in that dir), with a `notify` database migrated by the real `prisma migrate deploy`.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const port = await freePort();
  const user = postgresUser();
  const dir = mkdtempSync(join(tmpdir(), "notify-pg-"));
  const data = join(dir, "data");
  if (user.uid !== undefined) chownSync(dir, user.uid, user.gid!);
  const env = { ...process.env, LC_ALL: "C", LANG: "C" };
  execFileSync(join(PG_BIN, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"], {
    ...user,
    cwd: dir,
    env,
    stdio: "pipe",
  });

  let child: ChildProcess;
  let out = "";
  const admin = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  const start = async () => {
    out = "";
    child = track(
      spawn(
        join(PG_BIN, "postgres"),
        ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=300"],
        { ...user, cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] },
      ),
    );
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    await until(`postgres on ${port}`, () => canQuery(admin), () => out);
  };
  await start();

  const url = `postgresql://postgres@127.0.0.1:${port}/notify`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query("CREATE DATABASE notify");
  await client.end();
  migrate(url);

  const postgres: PrivatePostgres = {
    url,
    port,
    restarts: 0,
    async restart({ mode = "fast", downMs = 0 } = {}) {
      // SIGINT = fast shutdown, SIGQUIT = immediate (crash-like, recovery on start).
      child.kill(mode === "fast" ? "SIGINT" : "SIGQUIT");
      await exited(child);
      await sleep(downMs);
      await start();
      postgres.restarts++;
    },
    async stop() {
      child.kill("SIGQUIT");
      await Promise.race([exited(child), sleep(10_000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return postgres;
}

async function canQuery(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  c.on("error", () => undefined);
  try {
    await c.connect();
    await c.query("SELECT 1");
    return true;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** The real migrations, applied the way deployments apply them. */
function migrate(url: string): void {
  execFileSync("corepack", ["pnpm", "--filter", "@notify/db", "exec", "prisma", "migrate", "deploy"], {
    cwd: ROOT,
    env: { ...process.env, COREPACK_INTEGRITY_KEYS: "0", COREPACK_ENABLE_DOWNLOAD_PROMPT: "0", DATABASE_URL: url },
    stdio: "pipe",
  });
}

/** True when this machine can run private servers (the binaries are installed). */
export function privateServicesAvailable(): { ok: boolean; missing: string[] } {
  const missing: string[] = [];
  if (!existsSync(join(PG_BIN, "postgres"))) missing.push(`${PG_BIN}/postgres (apt-get install -y postgresql)`);
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
  } catch {
    missing.push("redis-server (apt-get install -y redis-server)");
  }
  return { ok: missing.length === 0, missing };
}
