import { readFileSync, writeFileSync } from "node:fs";
import pg from "pg";
import { Redis } from "ioredis";

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Resident and peak-resident memory of a process, in MiB, from /proc. */
export function memoryOf(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? NaN);
  return { rssMiB: kb("VmRSS") / 1024, peakMiB: kb("VmHWM") / 1024 };
}

/** CPU time a process has used so far (user + system), in seconds, from /proc. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces) start at index 3: utime is 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** USER_HZ: 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS = 100;

/**
 * Starts a new peak-RSS window for a process (Linux: writing 5 to clear_refs resets VmHWM), so
 * a scenario reports its own peak rather than the highest since the process started. Returns
 * false where the kernel does not allow it; the peak then covers the process's whole life.
 */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

export interface ServerCounters {
  pgStatements: number;
  pgTransactions: number;
  pgRowsWritten: number;
  redisCommands: number;
}

/**
 * Server-side work, read from the servers themselves. Postgres counts statements through
 * pg_stat_statements when it is loaded, else only transactions and rows, for the bench's own
 * database; Redis counts every command the whole server processed, which is why the bench runs
 * its own redis-server when one is installed.
 */
export async function serverCounters(databaseUrl: string, redisUrl: string): Promise<ServerCounters> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const db = new URL(databaseUrl).pathname.slice(1);
    const stats = await client.query(
      `SELECT xact_commit + xact_rollback AS tx, tup_inserted + tup_updated + tup_deleted AS rows FROM pg_stat_database WHERE datname = $1`,
      [db],
    );
    let statements = NaN;
    try {
      const r = await client.query(`SELECT sum(calls)::bigint AS calls FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1`, [db]);
      statements = Number(r.rows[0]?.calls ?? NaN);
    } catch {
      // pg_stat_statements is not loaded on this server
    }
    const redis = new Redis(redisUrl);
    const info = await redis.info("stats");
    redis.disconnect();
    return {
      pgStatements: statements,
      pgTransactions: Number(stats.rows[0]?.tx ?? NaN),
      pgRowsWritten: Number(stats.rows[0]?.rows ?? NaN),
      redisCommands: Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? NaN),
    };
  } finally {
    await client.end();
  }
}

export function diff(a: ServerCounters, b: ServerCounters): ServerCounters {
  return {
    pgStatements: b.pgStatements - a.pgStatements,
    pgTransactions: b.pgTransactions - a.pgTransactions,
    pgRowsWritten: b.pgRowsWritten - a.pgRowsWritten,
    redisCommands: b.redisCommands - a.redisCommands,
  };
}

/** Runs `task` for each item with at most `concurrency` in flight. */
export async function pool<T>(items: T[], concurrency: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await task(items[i]!, i);
      }
    }),
  );
}
