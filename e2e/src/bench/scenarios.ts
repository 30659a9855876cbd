import type { Stack } from "../harness/stack.js";
import type { LoadClient } from "./client.js";
import { outcome, settle, Window } from "./measure.js";
import { pool } from "./metrics.js";
import { pickChannel, slots, type Channel } from "./mix.js";
import { summarize, type ScenarioResult } from "./result.js";
import { BENCH_TEMPLATE, seedRecipients, withClient, type Audience } from "./seed.js";

const CONTENT = { subject: "Your order shipped", title: "Order shipped", body: "Your order #1234 is on its way." };
const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { replayed } }`;
const BULK = `mutation ($input: SendBulkInput!) { sendBulk(input: $input) { accepted rejected results { error { code message } } } }`;
const BROADCAST = `mutation ($input: SendBroadcastInput!) { sendBroadcast(input: $input) { id } }`;

export interface BenchContext {
  stack: Stack;
  client: LoadClient;
  /** Recipients reachable on every channel, for single, bulk and steady sends. */
  pool: Audience;
  shape: string;
  /** How long without progress before a run is declared stuck (what is still open counts as lost). */
  stallMs: number;
}

const recipientAt = (pool: Audience, i: number) => `${pool.prefix}${i % pool.count}`;

async function settleNotes(ctx: BenchContext, more?: Parameters<typeof settle>[1]["more"], intervalMs?: number): Promise<string[]> {
  const s = await settle(ctx.stack.databaseUrl, { stallMs: ctx.stallMs, more, intervalMs });
  return s.settled ? [] : [`STALLED: no progress for ${ctx.stallMs / 1000} s with ${s.open} notifications still open`];
}

/** Single sendNotification calls, `concurrency` in flight, one channel each in the mix's proportions. */
export async function single(ctx: BenchContext, { count, concurrency, mix }: { count: number; concurrency: number; mix: [Channel, number][] }): Promise<ScenarioResult> {
  const category = `bench-single-${Date.now()}`;
  const window = await Window.open(ctx.stack);
  const t0 = Date.now();
  let accepted = 0;
  await pool(
    Array.from({ length: count }, (_, i) => i),
    concurrency,
    async (i) => {
      const input = { externalId: recipientAt(ctx.pool, i), channels: [pickChannel(mix, i)], content: CONTENT, category };
      if (await ctx.client.call(SEND, { input })) accepted++;
    },
  );
  const acceptSeconds = (Date.now() - t0) / 1000;
  const refusals = ctx.client.takeRefusals();
  const notes = await settleNotes(ctx);
  const closed = await window.close();
  return summarize(
    { name: "single", shape: ctx.shape, load: `${count} sendNotification calls, ${concurrency} in flight`, requested: count, accepted, acceptSeconds, refusals, notes },
    await outcome(ctx.stack.databaseUrl, { category }),
    closed,
  );
}

/**
 * sendBulk calls of `batch` recipients each (template with per-recipient data, and a
 * per-recipient idempotency key unless `keys` is off), `concurrency` calls in flight; each
 * call goes to one channel, the calls following the mix.
 */
export async function bulk(
  ctx: BenchContext,
  { count, batch, concurrency, mix, keys }: { count: number; batch: number; concurrency: number; mix: [Channel, number][]; keys: boolean },
): Promise<ScenarioResult> {
  if (batch > ctx.pool.count) throw new Error(`--batch ${batch} is larger than the recipient pool (${ctx.pool.count}); raise --recipients`);
  const category = `bench-bulk-${Date.now()}`;
  const calls = Math.ceil(count / batch);
  const window = await Window.open(ctx.stack);
  const t0 = Date.now();
  let accepted = 0;
  await pool(
    Array.from({ length: calls }, (_, j) => j),
    concurrency,
    async (j) => {
      const size = Math.min(batch, count - j * batch);
      const recipients = Array.from({ length: size }, (_, k) => ({
        externalId: recipientAt(ctx.pool, j * batch + k),
        data: { name: `R${j}-${k}` },
        ...(keys ? { idempotencyKey: `${category}-${j}-${k}` } : {}),
      }));
      const input = { channels: [pickChannel(mix, j)], template: { key: BENCH_TEMPLATE }, category, recipients };
      const data = await ctx.client.call<{ sendBulk: { accepted: number; rejected: number; results: { error: { code: string; message: string } | null }[] } }>(BULK, { input });
      if (!data) return;
      accepted += data.sendBulk.accepted;
      for (const r of data.sendBulk.results) if (r.error) ctx.client.note(`recipient ${r.error.code}`, r.error.message);
    },
  );
  const acceptSeconds = (Date.now() - t0) / 1000;
  const refusals = ctx.client.takeRefusals();
  const notes = await settleNotes(ctx);
  const closed = await window.close();
  return summarize(
    {
      name: "bulk",
      shape: ctx.shape,
      load: `${calls} sendBulk calls × ${batch} recipients (${count} in all), ${concurrency} calls in flight, ${keys ? "with" : "without"} per-recipient idempotency keys`,
      requested: count,
      accepted,
      acceptSeconds,
      refusals,
      notes,
    },
    await outcome(ctx.stack.databaseUrl, { category }),
    closed,
  );
}

/** A fixed arrival rate (open loop: sends are not held back by slow answers); RSS sampled each second. */
export async function steady(ctx: BenchContext, { rate, seconds, mix }: { rate: number; seconds: number; mix: [Channel, number][] }): Promise<ScenarioResult> {
  const category = `bench-steady-${Date.now()}`;
  const window = await Window.open(ctx.stack);
  const t0 = Date.now();
  let sent = 0;
  let accepted = 0;
  const inFlight = new Set<Promise<void>>();
  while (Date.now() - t0 < seconds * 1000) {
    const due = Math.floor(((Date.now() - t0) / 1000) * rate);
    while (sent < due) {
      const i = sent++;
      const input = { externalId: recipientAt(ctx.pool, i), channels: [pickChannel(mix, i)], content: CONTENT, category };
      const p: Promise<void> = ctx.client.call(SEND, { input }).then((ok) => {
        if (ok) accepted++;
        inFlight.delete(p);
      });
      inFlight.add(p);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(inFlight);
  const acceptSeconds = (Date.now() - t0) / 1000;
  const refusals = ctx.client.takeRefusals();
  const notes = await settleNotes(ctx);
  const closed = await window.close();
  const result = summarize(
    { name: "steady", shape: ctx.shape, load: `${rate}/s for ${seconds} s (${sent} sendNotification calls)`, requested: sent, accepted, acceptSeconds, refusals, notes },
    await outcome(ctx.stack.databaseUrl, { category }),
    closed,
  );
  return { ...result, rssSeries: closed.rssSeries };
}

/**
 * A topic broadcast to `subscribers` recipients. Setup (recipients, devices, subscriptions
 * written straight to Postgres) is timed apart. Each subscriber can be reached on exactly one
 * channel, following the mix, so the broadcast (to every channel of the mix) makes one
 * notification per subscriber and counts the other channels as unreachable.
 */
export async function broadcast(ctx: BenchContext, { subscribers, mix }: { subscribers: number; mix: [Channel, number][] }): Promise<ScenarioResult> {
  const topicKey = `bench-topic-${Date.now()}`;
  const category = `bench-broadcast`;
  const audience = await seedRecipients(ctx.stack.databaseUrl, { appId: ctx.client.key.appId, prefix: `${topicKey}-`, count: subscribers, reach: slots(mix), topicKey });

  const window = await Window.open(ctx.stack);
  const t0 = Date.now();
  const data = await ctx.client.call<{ sendBroadcast: { id: string } }>(BROADCAST, { input: { topicKey, channels: mix.map(([c]) => c), content: CONTENT, category } });
  const callMs = Date.now() - t0;
  if (!data) throw new Error(`sendBroadcast was refused: ${ctx.client.takeRefusals().lines.join("; ")}`);
  const id = data.sendBroadcast.id;
  const row = () =>
    withClient(ctx.stack.databaseUrl, async (c) => {
      const r = await c.query<{ status: string; created: number; unreachable: number; createdAt: Date; finishedAt: Date | null }>(
        `SELECT status, created, unreachable, "createdAt", "finishedAt" FROM "Broadcast" WHERE id = $1::uuid`,
        [id],
      );
      return r.rows[0]!;
    });
  // Polling a million-row backlog costs the servers something too: look less often when it is big.
  const notes = await settleNotes(
    ctx,
    async () => {
      const b = await row();
      return { done: b.status === "DONE" || b.status === "FAILED", progress: `${b.status}:${b.created}` };
    },
    subscribers > 100_000 ? 2000 : 500,
  );
  const doneAt = Date.now();
  const closed = await window.close();
  const b = await row();
  const fanoutSeconds = b.finishedAt ? (b.finishedAt.getTime() - b.createdAt.getTime()) / 1000 : NaN;
  const out = await outcome(ctx.stack.databaseUrl, { broadcastId: id });
  const result = summarize(
    {
      name: "broadcast",
      shape: ctx.shape,
      load: `one sendBroadcast to a topic of ${subscribers} subscribers (answered in ${callMs} ms), each reachable on one channel of the mix`,
      requested: subscribers,
      accepted: b.created,
      acceptSeconds: fanoutSeconds,
      acceptLabel: "created by the fan-out",
      refusals: ctx.client.takeRefusals(),
      notes: [
        `setup, not measured: ${audience.count} recipients, their devices and subscriptions written in ${audience.seconds.toFixed(1)} s`,
        `fan-out: status ${b.status}, ${b.created} notifications created in ${fanoutSeconds.toFixed(1)} s → ${Math.round(b.created / fanoutSeconds)}/s; ${b.unreachable} subscriber × channel pairs unreachable (expected ${subscribers * (mix.length - 1)})`,
        `sendBroadcast call → every notification settled: ${((doneAt - t0) / 1000).toFixed(1)} s`,
        ...notes,
      ],
    },
    out,
    closed,
  );
  // A subscriber with no notification is lost too, even if every row that exists was delivered.
  return { ...result, lost: result.lost + Math.max(0, subscribers - result.accepted) };
}
