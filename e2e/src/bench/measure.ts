import type { Stack } from "../harness/stack.js";
import { cpuSecondsOf, diff, memoryOf, resetPeak, serverCounters, type ServerCounters } from "./metrics.js";
import { ServerCpu } from "./server-cpu.js";
import { withClient } from "./seed.js";

/** Which notifications a scenario made: its own category, or one broadcast's. */
export type Scope = { category: string } | { broadcastId: string };

function where(scope: Scope): { sql: string; param: string } {
  return "category" in scope ? { sql: `n.category = $1`, param: scope.category } : { sql: `n."broadcastId" = $1::uuid`, param: scope.broadcastId };
}

export interface Outcome {
  notifications: number;
  byStatus: Record<string, number>;
  /** Handed to the provider (SENT) or confirmed by it (DELIVERED). */
  delivered: number;
  /** Successful provider hand-offs beyond the first per notification. */
  duplicates: number;
  /** When there are duplicates: a few of those notifications' attempts, to see how it happened. */
  duplicateSample: string[];
  /** Row creation (inside the accepting transaction) → first successful attempt finished. */
  latencyMs: { p50: number; p95: number; p99: number };
  first: Date | null;
  last: Date | null;
}

/** Reads the scenario's notifications once, after it settled; percentiles are computed in SQL. */
export async function outcome(databaseUrl: string, scope: Scope): Promise<Outcome> {
  const { sql, param } = where(scope);
  return withClient(databaseUrl, async (c) => {
    const byStatus = await c.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM "Notification" n WHERE ${sql} GROUP BY status`, [param]);
    const span = await c.query<{ first: Date | null; last: Date | null }>(`SELECT min(n."createdAt") AS first, max(n."sentAt") AS last FROM "Notification" n WHERE ${sql}`, [param]);
    const lat = await c.query<{ p: string[] | null }>(
      `SELECT percentile_disc(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY ms) AS p FROM (
         SELECT EXTRACT(EPOCH FROM (min(a."finishedAt") - n."createdAt")) * 1000 AS ms
           FROM "Notification" n JOIN "DeliveryAttempt" a ON a."notificationId" = n.id AND a.status = 'SUCCEEDED'
          WHERE ${sql} GROUP BY n.id, n."createdAt") l`,
      [param],
    );
    const dup = await c.query<{ n: number }>(
      `SELECT (count(*) - count(DISTINCT a."notificationId"))::int AS n
         FROM "DeliveryAttempt" a JOIN "Notification" n ON n.id = a."notificationId"
        WHERE a.status = 'SUCCEEDED' AND ${sql}`,
      [param],
    );
    const sample = dup.rows[0]?.n
      ? await c.query<{ id: string; channel: string; attempts: string }>(
          `SELECT n.id, n.channel::text, string_agg(
                    format('#%s %s %s→%s %s', a."attemptNumber", a.status, to_char(a."startedAt", 'HH24:MI:SS.MS'), to_char(a."finishedAt", 'HH24:MI:SS.MS'), coalesce(a."errorCode", '')),
                    ', ' ORDER BY a."startedAt") AS attempts
             FROM "Notification" n JOIN "DeliveryAttempt" a ON a."notificationId" = n.id
            WHERE ${sql} AND n.id IN (SELECT "notificationId" FROM "DeliveryAttempt" WHERE status = 'SUCCEEDED' GROUP BY 1 HAVING count(*) > 1)
            GROUP BY n.id, n.channel LIMIT 3`,
          [param],
        )
      : { rows: [] };
    const counts = Object.fromEntries(byStatus.rows.map((r) => [r.status, r.n]));
    const [p50, p95, p99] = (lat.rows[0]?.p ?? [NaN, NaN, NaN]).map((v) => Math.round(Number(v)));
    return {
      notifications: Object.values(counts).reduce((a, b) => a + b, 0),
      byStatus: counts,
      delivered: (counts.SENT ?? 0) + (counts.DELIVERED ?? 0),
      duplicates: dup.rows[0]?.n ?? 0,
      duplicateSample: sample.rows.map((r) => `${r.channel} ${r.id}: ${r.attempts}`),
      latencyMs: { p50: p50!, p95: p95!, p99: p99! },
      first: span.rows[0]?.first ?? null,
      last: span.rows[0]?.last ?? null,
    };
  });
}

/**
 * Waits until nothing in the bench's database is still on its way (scenarios run one at a time,
 * so "nothing PENDING, QUEUED or SENDING" means this scenario is done) and `more` says its own
 * part is done too. Gives up after `stallMs` without progress: what is still open is then lost.
 */
export async function settle(
  databaseUrl: string,
  { stallMs, intervalMs = 500, more }: { stallMs: number; intervalMs?: number; more?: () => Promise<{ done: boolean; progress: string }> },
): Promise<{ settled: boolean; open: number }> {
  let last = "";
  let lastChange = Date.now();
  let lastReport = Date.now();
  for (;;) {
    const open = await withClient(databaseUrl, async (c) => {
      const r = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Notification" WHERE status IN ('PENDING', 'QUEUED', 'SENDING')`);
      return r.rows[0]!.n;
    });
    const extra = more ? await more() : { done: true, progress: "" };
    if (open === 0 && extra.done) return { settled: true, open };
    const state = `${open}/${extra.progress}`;
    // A long run says where it is (on stderr, so stdout stays the report).
    if (Date.now() - lastReport > 15_000) {
      console.error(`  … ${open} notifications still open${extra.progress ? `, ${extra.progress}` : ""}`);
      lastReport = Date.now();
    }
    if (state !== last) {
      last = state;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > stallMs) {
      return { settled: false, open };
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface WindowFigures {
  counters: ServerCounters;
  peakRssMiB: Record<string, number>;
  /** CPU time each process used during the window (user + system); "postgres" is the bench database's backends. */
  cpuSeconds: Record<string, number>;
  rssSeries: Record<string, number[]>;
}

/**
 * One scenario's window on the servers and processes: server counters at both ends, and each
 * process's RSS sampled every second with its peak reset at the start, and its CPU time. "bench" is this process:
 * the load generator and the in-process provider simulators.
 */
export class Window {
  private readonly samples: Record<string, number[]> = {};
  private readonly peaks: Record<string, number> = {};
  private readonly cpuAtStart: Record<string, number> = {};
  private readonly cpuSeconds: Record<string, number> = {};
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly stack: Stack,
    private readonly before: ServerCounters,
    private readonly servers: ServerCpu | undefined,
  ) {
    for (const [name, pid] of this.pids()) {
      resetPeak(pid);
      this.cpuAtStart[name] = cpuSecondsOf(pid);
    }
    this.sample();
    this.timer = setInterval(() => {
      this.sample();
      void this.servers?.sample();
    }, 1000);
  }

  static async open(stack: Stack): Promise<Window> {
    const servers = await ServerCpu.start(stack.databaseUrl, stack.redisUrl);
    return new Window(stack, await serverCounters(stack.databaseUrl, stack.redisUrl), servers);
  }

  private pids(): [string, number][] {
    const live = this.stack.processes().filter((p) => p.child.pid && p.child.exitCode === null && p.child.signalCode === null);
    return [...live.map((p): [string, number] => [p.name, p.child.pid!]), ["bench", process.pid]];
  }

  private sample(): void {
    for (const [name, pid] of this.pids()) {
      try {
        const m = memoryOf(pid);
        (this.samples[name] ??= []).push(Math.round(m.rssMiB));
        this.peaks[name] = Math.max(this.peaks[name] ?? 0, Math.round(m.peakMiB));
        // A process started after the window opened counts from zero.
        this.cpuSeconds[name] = cpuSecondsOf(pid) - (this.cpuAtStart[name] ?? 0);
      } catch {
        // the process exited between listing and reading
      }
    }
  }

  async close(): Promise<WindowFigures> {
    clearInterval(this.timer);
    this.sample();
    const servers = await this.servers?.stop();
    const all = { ...this.cpuSeconds, ...(servers ? { postgres: servers.postgres } : {}), ...(servers?.redis !== undefined ? { redis: servers.redis } : {}) };
    const cpuSeconds = Object.fromEntries(Object.entries(all).map(([n, v]) => [n, Math.round(v * 10) / 10]));
    // Postgres backends publish their statistics within about a second of going idle.
    await new Promise((r) => setTimeout(r, 1500));
    const after = await serverCounters(this.stack.databaseUrl, this.stack.redisUrl);
    return { counters: diff(this.before, after), peakRssMiB: { ...this.peaks }, cpuSeconds, rssSeries: this.samples };
  }
}
