import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HandoffTap } from "./handoffs.js";
import { Monkey, type ChaosLog } from "./monkey.js";
import { TrafficClient, TrafficStats, upsertRecipient, type SendSpec } from "./traffic.js";
import { statusCounts, tally, type Tally } from "./verify.js";
import { startPrivatePostgres, startPrivateRedis, type PrivatePostgres, type PrivateRedis } from "../harness/private-services.js";
import { Stack } from "../harness/stack.js";

export interface ChaosOptions {
  /** Logical sends (each with its own idempotency key). */
  notifications: number;
  /** Worker processes kept running (one is replaced after each SIGKILL). */
  workers: number;
  /** Sends per second the callers aim at, so the chaos happens while work is in flight. */
  ratePerSecond: number;
  /** Concurrent callers. */
  callers: number;
  /** Time between two chaos actions. */
  chaosIntervalMs: number;
  /** How long to wait, after traffic and chaos stop, for every notification to settle. */
  settleTimeoutMs: number;
  /** Share of sends also made a second time, at once, with the same key. */
  concurrentDuplicates: number;
  /** Share of sends repeated with the same key after their first answer. */
  lateDuplicates: number;
  log: (line: string) => void;
  /** Where every process's output is written at the end (a temp dir when absent). */
  logDir?: string;
}

export interface ChaosReport {
  notifications: number;
  traffic: TrafficStats;
  chaos: ChaosLog;
  /** Counts before dead letters were replayed. */
  settled: Tally;
  /** Dead letters replayed through the API once the chaos was over, and where they ended. */
  replay: { replayed: number; byStatus: Record<string, number> };
  /** Counts after the replay: what the assertions judge. */
  final: Tally;
  durations: { setupMs: number; trafficMs: number; settleMs: number; totalMs: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The whole chaos run: private Postgres and Redis (so they can be killed), the real API and
 * several worker processes, the provider simulators in this process; paced traffic with
 * idempotency keys and duplicates; a monkey that kills workers, restarts Redis empty and Postgres,
 * and makes providers fail; then a wait until everything settles, a replay of the dead letters,
 * and the counts. Shared by the CI test (e2e/src/chaos.test.ts) and the full run (`pnpm chaos`).
 */
export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const t0 = Date.now();
  const { log } = opts;
  const run = randomBytes(4).toString("hex");
  let postgres: PrivatePostgres | undefined;
  let redis: PrivateRedis | undefined;
  let stack: Stack | undefined;
  try {
    [postgres, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
    stack = await Stack.start({
      workers: opts.workers,
      databaseUrl: postgres.url,
      redisUrl: redis.url,
      env: {
        LOG_LEVEL: process.env.LOG_LEVEL ?? "error",
        DB_POOL_SIZE: "20",
        // Fast retries and a small budget, so some notifications do end up dead-lettered.
        DELIVERY_BACKOFF_BASE_MS: "200",
        RETRY_MAX_ATTEMPTS: "EMAIL=4,SMS=4",
        // A provider account limit in play (generous enough not to be the bottleneck).
        PROVIDER_RATE_LIMITS: "EMAIL=500/1s,SMS=300/1s",
        SWEEP_INTERVAL_MS: "1000",
        SWEEP_GRACE_MS: "10000",
        // Above the adapters' 30 s request timeout: a slow provider call is not taken for a dead worker.
        SWEEP_SENDING_TIMEOUT_MS: "45000",
        API_COST_BUDGET: "0", API_RECIPIENT_COST_BUDGET: "0",
      },
    });
    const tap = new HandoffTap(stack.sandbox.recorder);
    // Only the monkey may stop a process: anything else exiting is a finding.
    for (const p of stack.processes()) p.child.once("exit", (code, signal) => signal !== "SIGKILL" && log(`!! ${p.name} exited (${code ?? signal}):\n${p.output().slice(-4000)}`));
    const key = stack.createKeyPair("chaos");

    const recipients = Math.max(10, Math.min(500, Math.ceil(opts.notifications / 4)));
    const externalIds = Array.from({ length: recipients }, (_, i) => `chaos-r${i}`);
    for (let i = 0; i < recipients; i += 20) {
      await Promise.all(
        externalIds.slice(i, i + 20).map((externalId, j) =>
          upsertRecipient(stack!.apiUrl, key, { externalId, email: `${externalId}@example.com`, phone: `+1415${String(5_000_000 + i + j).padStart(7, "0")}` }),
        ),
      );
    }
    const monkey = new Monkey({ stack, redis, postgres, providers: ["postmark", "twilio"], log });
    // A few addresses die at their first hand-off: FAILED notifications, then refused sends.
    monkey.doom(externalIds.slice(0, Math.max(1, Math.floor(recipients / 100))).map((id) => `${id}@example.com`));
    const setupMs = Date.now() - t0;
    log(`chaos ${run}: ${opts.notifications} sends to ${recipients} recipients, ${opts.workers} workers, private Postgres :${postgres.port}, Redis :${redis.port} (setup ${(setupMs / 1000).toFixed(1)} s)`);

    // ── traffic, with the monkey at work ──
    const stats = new TrafficStats();
    const client = new TrafficClient(stack.apiUrl, key, stats, 180_000);
    const specs: SendSpec[] = Array.from({ length: opts.notifications }, (_, i) => ({
      key: `chaos-${run}-${i}`,
      externalId: externalIds[i % recipients]!,
      channel: i % 3 === 2 ? "SMS" : "EMAIL",
    }));
    const tTraffic = Date.now();
    monkey.start(opts.chaosIntervalMs);
    let next = 0;
    const caller = async () => {
      while (next < specs.length) {
        const i = next++;
        // Pacing: send i is due at i / rate seconds after the start.
        const due = tTraffic + (i * 1000) / opts.ratePerSecond;
        if (due > Date.now()) await sleep(due - Date.now());
        const spec = specs[i]!;
        const sends = [client.send(spec)];
        if (Math.random() < opts.concurrentDuplicates) {
          stats.duplicateRequests++;
          sends.push(client.send(spec));
        }
        await Promise.all(sends);
        if (Math.random() < opts.lateDuplicates) {
          stats.duplicateRequests++;
          await client.send(spec);
        }
      }
    };
    const progress = setInterval(() => {
      const errors = [...stats.transientErrors].map(([k, v]) => `${k}×${v}`).join(", ");
      log(`  traffic: ${next}/${specs.length} sent, ${stats.acceptedIds.size} accepted, ${stats.requests} requests${errors ? `; retried after ${errors}` : ""}`);
    }, 10_000);
    try {
      await Promise.all(Array.from({ length: opts.callers }, caller));
    } finally {
      clearInterval(progress);
    }
    const trafficMs = Date.now() - tTraffic;
    // Every kind of disruption happens at least once, however short the traffic.
    while (monkey.chaos.timeline.length + monkey.chaos.errors.length < Monkey.ROTATION.length) await sleep(250);
    await monkey.stop();
    stack.sandbox.faults.clear();
    log(`traffic done in ${(trafficMs / 1000).toFixed(1)} s; chaos stopped after ${monkey.chaos.timeline.length} actions; waiting for every notification to settle`);

    // ── settle ──
    const tSettle = Date.now();
    const appId = key.appId;
    const keyToId = new Map([...stats.idsByKey].map(([k, ids]) => [k, [...ids][0]!]));
    await settle(stack, appId, opts.settleTimeoutMs, log);
    const settleMs = Date.now() - tSettle;
    const settled = await tally(stack.db, appId, stats, tap.handoffs, keyToId);

    // ── dead letters back through the API, now that providers behave ──
    const replay = await replayDeadLetters(stack, key, log);
    await settle(stack, appId, opts.settleTimeoutMs, log);
    const final = await tally(stack.db, appId, stats, tap.handoffs, keyToId);
    replay.byStatus = await replayedStatuses(stack, appId);

    return {
      notifications: opts.notifications,
      traffic: stats,
      chaos: monkey.chaos,
      settled,
      replay,
      final,
      durations: { setupMs, trafficMs, settleMs, totalMs: Date.now() - t0 },
    };
  } finally {
    if (stack) saveOutputs(stack, opts.logDir, log);
    await stack?.stop().catch(() => undefined);
    await Promise.all([redis?.stop(), postgres?.stop()].map((p) => p?.catch(() => undefined)));
  }
}

/** Every API and worker process's output, one file each, for reading after the run. */
function saveOutputs(stack: Stack, dir: string | undefined, log: (line: string) => void): void {
  const target = dir ?? mkdtempSync(join(tmpdir(), "notify-chaos-"));
  mkdirSync(target, { recursive: true });
  for (const p of stack.processes()) writeFileSync(join(target, `${p.name}.log`), p.output());
  log(`process output in ${target}`);
}

/** Waits until no notification of the app is open (PENDING/QUEUED/SENDING). */
async function settle(stack: Stack, appId: string, timeoutMs: number, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastLog = 0;
  for (;;) {
    const counts = await statusCounts(stack.db, appId).catch(() => undefined);
    if (counts && counts.open === 0) return;
    if (Date.now() > deadline) {
      log(`not settled after ${timeoutMs / 1000} s: ${JSON.stringify(counts?.byStatus)}`);
      return;
    }
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(`  settling: ${counts?.open ?? "?"} open ${JSON.stringify(counts?.byStatus ?? {})}`);
    }
    await sleep(1_000);
  }
}

async function replayDeadLetters(stack: Stack, key: { appKey: string; appSecret: string }, log: (line: string) => void): Promise<ChaosReport["replay"]> {
  let replayed = 0;
  for (;;) {
    const res = await stack.graphql(key, `mutation { replayDeadLetters(input: { filter: {}, limit: 5000 }) { replayed remaining } }`);
    if (res.errors?.length) throw new Error(`replayDeadLetters failed: ${JSON.stringify(res.errors)}`);
    replayed += res.data!.replayDeadLetters.replayed;
    if (res.data!.replayDeadLetters.remaining === 0) break;
  }
  log(`replayed ${replayed} dead letters`);
  return { replayed, byStatus: {} };
}

async function replayedStatuses(stack: Stack, appId: string): Promise<Record<string, number>> {
  const groups = await stack.db.notification.groupBy({ by: ["status"], where: { appId, replayedAt: { not: null } }, _count: { _all: true } });
  return Object.fromEntries(groups.map((g) => [g.status, g._count._all]));
}

/** What must hold for the run to pass; empty when it does. */
export function violations(r: ChaosReport): string[] {
  const f = r.final;
  const out: string[] = [];
  const must = (ok: boolean, what: string) => ok || out.push(what);
  must(f.lost === 0, `${f.lost} accepted notifications lost (${f.missing} missing, ${f.stuck} not in a terminal state)`);
  must(f.rows === f.accepted, `${f.rows} notification rows for ${f.accepted} accepted sends`);
  must(f.keysWithSeveralIds === 0, `${f.keysWithSeveralIds} idempotency keys answered with more than one notification`);
  must(f.keysAcceptedAndRefused === 0, `${f.keysAcceptedAndRefused} idempotency keys answered as accepted to one request and refused to another`);
  must(f.keysWithSeveralRows === 0, `${f.keysWithSeveralRows} idempotency keys with more than one row`);
  must(f.duplicatesOutsideWindow === 0, `${f.duplicatesOutsideWindow} notifications handed to a provider twice with no attempt of unknown outcome (lost worker, no answer) to explain it`);
  must(f.sentWithoutHandoff === 0, `${f.sentWithoutHandoff} notifications SENT that no provider received`);
  must(f.handoffsWithoutAttempt === 0, `${f.handoffsWithoutAttempt} hand-offs naming no attempt row`);
  must(f.handoffsOfUnknown === 0, `${f.handoffsOfUnknown} hand-offs of notifications nobody was told were accepted`);
  must(f.danglingAttempts === 0, `${f.danglingAttempts} attempts still SENDING on finished notifications`);
  must(r.traffic.abandoned.length === 0, `${r.traffic.abandoned.length} sends never got an answer (e.g. ${JSON.stringify(r.traffic.abandoned[0])})`);
  must((f.byStatus.DEAD ?? 0) === 0, `${f.byStatus.DEAD} dead letters left after the replay`);
  return out;
}

/** The figures, as printed at the end of a run. */
export function formatReport(r: ChaosReport): string {
  const s = r.settled;
  const f = r.final;
  const c = r.chaos;
  const errors = [...r.traffic.transientErrors].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}×${v}`).join(", ");
  const faults = Object.entries(c.faults).map(([k, v]) => `${k} ${v.rules} rules/${v.requests} requests`).join(", ");
  return [
    `── chaos: ${r.notifications} sends in ${(r.durations.totalMs / 1000).toFixed(0)} s (setup ${(r.durations.setupMs / 1000).toFixed(0)} s, traffic ${(r.durations.trafficMs / 1000).toFixed(0)} s, settle ${(r.durations.settleMs / 1000).toFixed(0)} s) ──`,
    `chaos:        ${c.workerKills} workers SIGKILLed (${c.workerStarts} started), Redis restarted empty ×${c.redisRestarts}, Postgres restarted ×${c.postgresRestarts}; faults: ${faults}; ${c.deadAddresses} addresses doomed`,
    ...(c.errors.length ? [`chaos errors: ${c.errors.join("; ")}`] : []),
    `callers:      ${r.traffic.requests} requests, ${r.traffic.duplicateRequests} deliberate duplicates, ${r.traffic.replayed} answered as idempotent replays; retried after: ${errors || "none"}`,
    `              refused for good: ${r.final.refusedSends} sends (requests: ${[...r.traffic.rejected].map(([k, v]) => `${k}×${v}`).join(", ") || "none"}); abandoned: ${r.traffic.abandoned.length}`,
    `accepted:     ${f.accepted} (rows ${f.rows})`,
    `settled:      ${JSON.stringify(s.byStatus)}`,
    `sent:         ${(s.byStatus.SENT ?? 0) + (s.byStatus.DELIVERED ?? 0)}  failed: ${s.byStatus.FAILED ?? 0}  skipped: ${s.byStatus.SKIPPED ?? 0}  dead-lettered: ${s.byStatus.DEAD ?? 0}`,
    `retried:      ${f.retried} extra attempts (${f.attempts} attempts for ${f.rows} notifications), ${f.workerLostAttempts} closed as WORKER_LOST`,
    `replayed:     ${r.replay.replayed} dead letters → ${JSON.stringify(r.replay.byStatus)}`,
    `final:        ${JSON.stringify(f.byStatus)}`,
    `hand-offs:    ${f.handoffs}; duplicated notifications ${f.duplicated} (${f.duplicatesInWindow} in the documented window, ${f.duplicatesOutsideWindow} outside)`,
    `lost:         ${f.lost} (missing ${f.missing}, not terminal ${f.stuck})`,
    ...f.unexplained.map((u) => `  unexplained duplicate ${u.id}: ${u.handoffs} hand-offs; attempts ${JSON.stringify(u.attempts)}`),
  ].join("\n");
}
