import { cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { Stack } from "../harness/stack.js";
import { burst, rejections, SEED_MIX, seedRecipients, steady, type BenchContext, type Channel, type ScenarioResult } from "./scenarios.js";

/**
 * `pnpm bench`: the real stack (API over HTTP, worker processes, simulators with a provider
 * latency, real Postgres and Redis) under load, printing figures. No assertions on timing:
 * this is for reading, comparing and profiling.
 */
const { values } = parseArgs({
  options: {
    scenario: { type: "string", default: "all" },
    smoke: { type: "boolean", default: false },
    count: { type: "string" },
    concurrency: { type: "string", default: "64" },
    rate: { type: "string" },
    duration: { type: "string" },
    workers: { type: "string", default: "2" },
    latency: { type: "string", default: "50" },
    recipients: { type: "string" },
    channels: { type: "string", description: "comma-separated subset of IOS_PUSH,ANDROID_PUSH,SMS,EMAIL" },
  },
});

const smoke = values.smoke;
const count = Number(values.count ?? (smoke ? 500 : 100_000));
const rate = Number(values.rate ?? (smoke ? 100 : 2000));
const duration = Number(values.duration ?? (smoke ? 5 : 180));
const workers = Number(values.workers);
const latency = Number(values.latency);
const recipientCount = Number(values.recipients ?? (smoke ? 100 : 5000));
const wanted = values.channels?.split(",") as Channel[] | undefined;
const mix = wanted ? SEED_MIX.filter(([c]) => wanted.includes(c)) : SEED_MIX;

function print(r: ScenarioResult) {
  const lines = [
    `── ${r.name} ─────────────────────────────────────────────`,
    `  requested ${r.requested}, accepted ${r.accepted} in ${r.acceptSeconds.toFixed(1)} s → ${r.acceptedPerSecond}/s accepted`,
    `  delivered ${r.delivered} in ${r.deliverSeconds.toFixed(1)} s (first accept → last hand-off) → ${r.deliveredPerSecond}/s delivered`,
    `  accept → hand-off latency: p50 ${r.latencyMs.p50} ms, p95 ${r.latencyMs.p95} ms, p99 ${r.latencyMs.p99} ms`,
    `  final statuses: ${JSON.stringify(r.byStatus)}`,
    `  per notification: ${r.perNotification.pgTransactions} Postgres transactions, ${r.perNotification.pgRowsWritten} rows written, ` +
      `${Number.isNaN(r.perNotification.pgStatements) ? "statements n/a (pg_stat_statements not loaded)" : `${r.perNotification.pgStatements} statements`}, ` +
      `${r.perNotification.redisCommands} Redis commands`,
    `  memory (RSS now / peak, MiB): ${Object.entries(r.memory).map(([n, m]) => `${n} ${m.rssMiB.toFixed(0)}/${m.peakMiB.toFixed(0)}`).join(", ")}`,
  ];
  if (rejections.size) lines.push(`  rejected: ${[...rejections].map(([code, { count, example }]) => `${code} ×${count} (${example})`).join("; ")}`);
  rejections.clear();
  if (r.rssSamples) lines.push(`  RSS over the run (MiB): ${Object.entries(r.rssSamples).map(([n, s]) => `${n} [${s.join(" ")}]`).join("; ")}`);
  console.log(lines.join("\n"));
}

const env = { DB_POOL_SIZE: "20", LOG_LEVEL: "error" };
console.log(`machine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; ${workers} worker process(es), 1 API process, provider latency ${latency} ms; mix ${mix.map(([c, w]) => `${c}:${w}`).join(" ")}`);
const stack = await Stack.start({ workers, env });
try {
  for (const provider of ["postmark", "twilio", "apns", "fcm", "webpush"] as const) stack.sandbox.faults.setLatency(provider, latency);
  const key = stack.createKeyPair("bench");
  const recipients = await seedRecipients(stack, key.appId, recipientCount);
  const ctx: BenchContext = { stack, key, databaseUrl: stack.databaseUrl, redisUrl: stack.redisUrl, recipients };
  if (values.scenario === "all" || values.scenario === "burst") print(await burst(ctx, count, Number(values.concurrency), mix));
  if (values.scenario === "all" || values.scenario === "steady") print(await steady(ctx, rate, duration, mix));
} finally {
  await stack.stop();
}
