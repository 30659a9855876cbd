import { execFileSync } from "node:child_process";
import { startPrivateRedis, type PrivateRedis } from "../harness/private-services.js";
import { Stack } from "../harness/stack.js";
import { LoadClient } from "./client.js";
import { createBenchTemplate, seedRecipients, type Audience } from "./seed.js";

export interface BenchStackOptions {
  apis: number;
  workers: number;
  /** Every simulated provider answers after this long. */
  latencyMs: number;
  /** DB_POOL_SIZE of each API and worker process. */
  dbPoolSize: number;
  /** Recipients reachable on every channel, for the single, bulk and steady scenarios. */
  poolRecipients: number;
  /** Use a leased db on the shared Redis instead of a redis-server of the bench's own. */
  sharedRedis: boolean;
  /** Write a V8 CPU profile of every API and worker process into this directory when it exits. */
  cpuProfDir?: string;
}

export interface BenchStack {
  stack: Stack;
  client: LoadClient;
  pool: Audience;
  shape: string;
  /** "private redis-server" or "shared Redis (db leased)": Redis commands are only exact on a private one. */
  redis: string;
  stop(): Promise<void>;
}

export function shapeOf(apis: number, workers: number): string {
  return `${apis} API${apis === 1 ? "" : "s"} × ${workers} worker${workers === 1 ? "" : "s"}`;
}

function haveRedisServer(): boolean {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * The real stack for one bench shape: a fresh database, its own Redis (so the server's command
 * counter is the bench's alone and no other suite's queues share it), N API and M worker
 * processes, and simulators answering after `latencyMs`. The API's per-key rate limit is off:
 * the bench is one caller sending as much as it can.
 */
export async function startBenchStack(o: BenchStackOptions): Promise<BenchStack> {
  const redis: PrivateRedis | undefined = !o.sharedRedis && haveRedisServer() ? await startPrivateRedis() : undefined;
  try {
    const stack = await Stack.start({
      apis: o.apis,
      workers: o.workers,
      redisUrl: redis?.url,
      env: {
        DB_POOL_SIZE: String(o.dbPoolSize),
        LOG_LEVEL: "error",
        API_COST_BUDGET: "0", API_RECIPIENT_COST_BUDGET: "0",
        ...(o.cpuProfDir
          ? { BENCH_CPU_PROF_DIR: o.cpuProfDir, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import=${new URL("./cpu-profile.js", import.meta.url).href}`.trim() }
          : {}),
      },
    });
    try {
      for (const provider of ["postmark", "twilio", "apns", "fcm", "webpush"] as const) stack.sandbox.faults.setLatency(provider, o.latencyMs);
      const client = new LoadClient(stack, stack.createKeyPair("bench"));
      await createBenchTemplate(client);
      const pool = await seedRecipients(stack.databaseUrl, { appId: client.key.appId, prefix: "bench-", count: o.poolRecipients, reach: "all" });
      return {
        stack,
        client,
        pool,
        shape: shapeOf(o.apis, o.workers),
        redis: redis ? "private redis-server" : "shared Redis (a leased db; command counts include other clients)",
        async stop() {
          await stack.stop();
          await redis?.stop();
        },
      };
    } catch (err) {
      await stack.stop();
      throw err;
    }
  } catch (err) {
    await redis?.stop();
    throw err;
  }
}
