import { randomBytes } from "node:crypto";
import pg from "pg";
import type { KeyPair, Stack } from "../harness/stack.js";
import { diff, memoryOf, percentile, pool, serverCounters, type ServerCounters } from "./metrics.js";

export type Channel = "IOS_PUSH" | "ANDROID_PUSH" | "SMS" | "EMAIL";

/** The seed's daily volume in proportion: 10M push, 1M SMS, 5M email. */
export const SEED_MIX: [Channel, number][] = [
  ["IOS_PUSH", 5],
  ["ANDROID_PUSH", 5],
  ["SMS", 1],
  ["EMAIL", 5],
];

const CONTENT = { subject: "Your order shipped", title: "Order shipped", body: "Your order #1234 is on its way." };

export interface BenchContext {
  stack: Stack;
  key: KeyPair;
  databaseUrl: string;
  redisUrl: string;
  recipients: string[];
}

/** Recipients with every contact point, written straight to Postgres: setup is not measured. */
export async function seedRecipients(stack: Stack, appId: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, count - start) }, (_, i) => `bench-${start + i}`);
    const rows = await stack.db.recipient.createManyAndReturn({
      data: batch.map((externalId, i) => ({
        appId,
        externalId,
        email: `${externalId}@example.com`,
        phone: `+1415555${String(start + i).padStart(4, "0").slice(-4)}`,
        timezone: "UTC",
      })),
    });
    await stack.db.device.createMany({
      data: rows.flatMap((r) => [
        { recipientId: r.id, platform: "IOS" as const, token: randomBytes(32).toString("hex") },
        { recipientId: r.id, platform: "ANDROID" as const, token: `fcm-${randomBytes(40).toString("base64url")}` },
      ]),
    });
    ids.push(...batch);
  }
  return ids;
}

function pickChannel(mix: [Channel, number][], i: number): Channel {
  const total = mix.reduce((s, [, w]) => s + w, 0);
  let slot = i % total;
  for (const [channel, weight] of mix) {
    if (slot < weight) return channel;
    slot -= weight;
  }
  return mix[0]![0];
}

/** Rejected sends by error code, with one message each, so a failing run says why. */
export const rejections = new Map<string, { count: number; example: string }>();

async function send(ctx: BenchContext, externalId: string, channel: Channel, category: string): Promise<boolean> {
  try {
    const res = await ctx.stack.graphql(ctx.key, `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { replayed } }`, {
      input: { externalId, channels: [channel], content: CONTENT, category },
    });
    if (!res.errors) return true;
    note(String(res.errors[0]?.extensions?.code ?? res.status), res.errors[0]?.message ?? "");
  } catch (err) {
    note("client", (err as Error).message);
  }
  return false;
}

function note(code: string, message: string) {
  const r = rejections.get(code) ?? { count: 0, example: message };
  r.count++;
  rejections.set(code, r);
}

export interface ScenarioResult {
  name: string;
  requested: number;
  accepted: number;
  acceptSeconds: number;
  acceptedPerSecond: number;
  delivered: number;
  deliverSeconds: number;
  deliveredPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number };
  byStatus: Record<string, number>;
  perNotification: { pgStatements: number; pgTransactions: number; pgRowsWritten: number; redisCommands: number };
  memory: Record<string, { rssMiB: number; peakMiB: number }>;
  rssSamples?: Record<string, number[]>;
}

/** Waits until no notification of the category is still on its way, then measures it. */
async function settle(ctx: BenchContext, category: string, expected: number, timeoutMs: number): Promise<{ seconds: number; stats: Awaited<ReturnType<typeof stats>> }> {
  const started = Date.now();
  for (;;) {
    const s = await stats(ctx, category);
    const open = (s.byStatus.PENDING ?? 0) + (s.byStatus.QUEUED ?? 0) + (s.byStatus.SENDING ?? 0);
    if ((open === 0 && s.total >= expected) || Date.now() - started > timeoutMs) return { seconds: (Date.now() - started) / 1000, stats: s };
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function stats(ctx: BenchContext, category: string) {
  const client = new pg.Client({ connectionString: ctx.databaseUrl });
  await client.connect();
  try {
    const byStatus = await client.query(`SELECT status, count(*)::int AS n FROM "Notification" WHERE category = $1 GROUP BY status`, [category]);
    // accept → hand-off: from the row's creation to the provider accepting it (attempt finished).
    const lat = await client.query(
      `SELECT EXTRACT(EPOCH FROM (min(a."finishedAt") - n."createdAt")) * 1000 AS ms
         FROM "Notification" n JOIN "DeliveryAttempt" a ON a."notificationId" = n.id AND a.status = 'SUCCEEDED'
        WHERE n.category = $1 GROUP BY n.id, n."createdAt"`,
      [category],
    );
    const span = await client.query(`SELECT min("createdAt") AS first, max("sentAt") AS last FROM "Notification" WHERE category = $1`, [category]);
    const counts = Object.fromEntries(byStatus.rows.map((r) => [r.status as string, r.n as number]));
    return {
      byStatus: counts,
      total: Object.values(counts).reduce((a, b) => a + b, 0),
      latencies: lat.rows.map((r) => Number(r.ms)).sort((a, b) => a - b),
      first: span.rows[0]?.first as Date | null,
      last: span.rows[0]?.last as Date | null,
    };
  } finally {
    await client.end();
  }
}

function processMemory(stack: Stack): Record<string, { rssMiB: number; peakMiB: number }> {
  const out: Record<string, { rssMiB: number; peakMiB: number }> = {};
  for (const p of stack.processes()) if (p.child.pid && p.child.exitCode === null) out[p.name] = memoryOf(p.child.pid);
  return out;
}

function result(name: string, requested: number, accepted: number, acceptSeconds: number, settled: { seconds: number; stats: Awaited<ReturnType<typeof stats>> }, before: ServerCounters, after: ServerCounters, stack: Stack): ScenarioResult {
  const s = settled.stats;
  const delivered = (s.byStatus.SENT ?? 0) + (s.byStatus.DELIVERED ?? 0);
  const deliverSeconds = s.first && s.last ? (s.last.getTime() - s.first.getTime()) / 1000 : NaN;
  const d = diff(before, after);
  const per = (v: number) => Math.round((v / Math.max(1, accepted)) * 10) / 10;
  return {
    name,
    requested,
    accepted,
    acceptSeconds,
    acceptedPerSecond: Math.round(accepted / acceptSeconds),
    delivered,
    deliverSeconds,
    deliveredPerSecond: Math.round(delivered / deliverSeconds),
    latencyMs: { p50: Math.round(percentile(s.latencies, 50)), p95: Math.round(percentile(s.latencies, 95)), p99: Math.round(percentile(s.latencies, 99)) },
    byStatus: s.byStatus,
    perNotification: { pgStatements: per(d.pgStatements), pgTransactions: per(d.pgTransactions), pgRowsWritten: per(d.pgRowsWritten), redisCommands: per(d.redisCommands) },
    memory: processMemory(stack),
  };
}

/** As many single sends as the API takes, `concurrency` in flight, then wait for delivery. */
export async function burst(ctx: BenchContext, count: number, concurrency: number, mix: [Channel, number][]): Promise<ScenarioResult> {
  const category = `bench-burst-${Date.now()}`;
  const before = await serverCounters(ctx.databaseUrl, ctx.redisUrl);
  const t0 = Date.now();
  let accepted = 0;
  await pool(Array.from({ length: count }, (_, i) => i), concurrency, async (i) => {
    if (await send(ctx, ctx.recipients[i % ctx.recipients.length]!, pickChannel(mix, i), category)) accepted++;
  });
  const acceptSeconds = (Date.now() - t0) / 1000;
  const settled = await settle(ctx, category, accepted, 10 * 60_000);
  return result("burst", count, accepted, acceptSeconds, settled, before, await serverCounters(ctx.databaseUrl, ctx.redisUrl), ctx.stack);
}

/** A fixed arrival rate for a while; samples each process's RSS to show whether memory stays flat. */
export async function steady(ctx: BenchContext, ratePerSecond: number, seconds: number, mix: [Channel, number][]): Promise<ScenarioResult> {
  const category = `bench-steady-${Date.now()}`;
  const before = await serverCounters(ctx.databaseUrl, ctx.redisUrl);
  const samples: Record<string, number[]> = {};
  const t0 = Date.now();
  let sent = 0;
  let accepted = 0;
  const inFlight = new Set<Promise<void>>();
  const sampler = setInterval(() => {
    for (const [name, m] of Object.entries(processMemory(ctx.stack))) (samples[name] ??= []).push(Math.round(m.rssMiB));
  }, Math.max(1000, (seconds * 1000) / 10));
  while (Date.now() - t0 < seconds * 1000) {
    const due = Math.floor(((Date.now() - t0) / 1000) * ratePerSecond);
    while (sent < due) {
      const i = sent++;
      const p: Promise<void> = send(ctx, ctx.recipients[i % ctx.recipients.length]!, pickChannel(mix, i), category).then((ok) => {
        if (ok) accepted++;
        inFlight.delete(p);
      });
      inFlight.add(p);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(inFlight);
  clearInterval(sampler);
  const acceptSeconds = (Date.now() - t0) / 1000;
  const settled = await settle(ctx, category, accepted, 10 * 60_000);
  return { ...result("steady", sent, accepted, acceptSeconds, settled, before, await serverCounters(ctx.databaseUrl, ctx.redisUrl), ctx.stack), rssSamples: samples };
}
