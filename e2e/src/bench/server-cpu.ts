import pg from "pg";
import { Redis } from "ioredis";
import { cpuSecondsOf } from "./metrics.js";

const LOCAL = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/**
 * CPU time of the servers on this machine: the Postgres backends serving the bench's database
 * and the Redis server process, read from /proc. Backends come and go with the pools, so they
 * are listed every sample; one that ends between samples loses its last second.
 */
export class ServerCpu {
  private readonly base = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private redis?: { pid: number; base: number; last: number };
  private busy = false;

  private constructor(
    private readonly client: pg.Client,
    private readonly database: string,
  ) {}

  /** Undefined when the servers are not on this machine (their CPU is not in this /proc). */
  static async start(databaseUrl: string, redisUrl: string): Promise<ServerCpu | undefined> {
    if (!LOCAL.has(new URL(databaseUrl).hostname)) return undefined;
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const cpu = new ServerCpu(client, new URL(databaseUrl).pathname.slice(1));
    for (const pid of await cpu.backends()) cpu.read(pid, true);
    if (LOCAL.has(new URL(redisUrl).hostname)) {
      const r = new Redis(redisUrl, { lazyConnect: true });
      try {
        await r.connect();
        const pid = Number(/process_id:(\d+)/.exec(await r.info("server"))?.[1]);
        const base = cpuSecondsOf(pid);
        cpu.redis = { pid, base, last: base };
      } catch {
        // not readable (another user's process, or a container boundary): leave Redis out
      } finally {
        r.disconnect();
      }
    }
    return cpu;
  }

  private async backends(): Promise<number[]> {
    const r = await this.client.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [this.database]);
    return r.rows.map((row) => row.pid);
  }

  private read(pid: number, atStart = false): void {
    try {
      const s = cpuSecondsOf(pid);
      // A backend first seen after the start was opened during the window: it counts from zero.
      if (!this.base.has(pid)) this.base.set(pid, atStart ? s : 0);
      this.last.set(pid, s);
    } catch {
      // the backend ended
    }
  }

  async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (const pid of await this.backends()) this.read(pid);
      if (this.redis) this.redis.last = cpuSecondsOf(this.redis.pid);
    } catch {
      // a sample missed is a second less precision, not a failed run
    } finally {
      this.busy = false;
    }
  }

  async stop(): Promise<{ postgres: number; redis?: number }> {
    await this.sample();
    await this.client.end();
    let postgres = 0;
    for (const [pid, last] of this.last) postgres += last - this.base.get(pid)!;
    return { postgres, redis: this.redis ? this.redis.last - this.redis.base : undefined };
  }
}
