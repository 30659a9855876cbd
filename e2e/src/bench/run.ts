import { cpus, totalmem } from "node:os";
import { startBenchStack, type BenchStack } from "./bench-stack.js";
import { describeMix } from "./mix.js";
import { parseOptions, type BenchOptions } from "./options.js";
import { formatScale, formatScenario } from "./report.js";
import type { ScenarioResult } from "./result.js";
import { broadcast, bulk, single, steady, type BenchContext } from "./scenarios.js";
import { withClient } from "./seed.js";

/**
 * `pnpm bench`: the real stack (API processes over HTTP, worker processes, simulators with a
 * provider latency, real Postgres and Redis) under load, printing figures. No assertions on
 * timing: this is for reading, comparing and profiling. Exits 1 if any accepted notification
 * was lost, so the CI smoke fails on that and on nothing else.
 */
const o = parseOptions(process.argv.slice(2));
const results: ScenarioResult[] = [];

function emit(r: ScenarioResult | ScenarioResult[], text: string) {
  console.log(text);
  for (const one of [r].flat()) {
    results.push(one);
    // One line per result for programs (the CI smoke test) to read.
    if (o.json) console.log(`bench-result ${JSON.stringify({ ...one, rssSeries: undefined })}`);
  }
}

/** Stacks running now, stopped if the bench is interrupted (their processes and databases would outlive it). */
const running = new Set<BenchStack>();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the bench's processes and dropping its databases`);
    void Promise.allSettled([...running].map((b) => b.stop())).then(() => process.exit(130));
  });
}

async function withStack<T>(apis: number, workers: number, fn: (b: BenchStack) => Promise<T>): Promise<T> {
  const b = await startBenchStack(stackOptions(apis, workers));
  running.add(b);
  try {
    return await fn(b);
  } finally {
    running.delete(b);
    await b.stop();
  }
}

const ctxOf = (b: BenchStack): BenchContext => ({ stack: b.stack, client: b.client, pool: b.pool, shape: b.shape, stallMs: o.stallMs });
const stackOptions = (apis: number, workers: number) => ({
  apis,
  workers,
  latencyMs: o.latencyMs,
  dbPoolSize: o.dbPoolSize,
  poolRecipients: o.poolRecipients,
  sharedRedis: o.sharedRedis,
  cpuProfDir: o.cpuProfDir,
});

async function header(b: BenchStack): Promise<void> {
  const pg = await withClient(b.stack.databaseUrl, async (c) => {
    const r = await c.query<{ v: string; sc: string; mc: string }>(
      `SELECT current_setting('server_version') AS v, current_setting('synchronous_commit') AS sc, current_setting('max_connections') AS mc`,
    );
    return r.rows[0]!;
  });
  console.log(
    [
      `machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
      `servers: PostgreSQL ${pg.v} (synchronous_commit=${pg.sc}, max_connections=${pg.mc}), ${b.redis}`,
      `stack: ${b.shape}, DB_POOL_SIZE ${o.dbPoolSize} per process, provider latency ${o.latencyMs} ms, mix ${describeMix(o.mix)}` +
        `${o.smoke ? " — SMOKE sizes" : ""}`,
      `the bench process runs the load generator and the provider simulators ("bench" in RSS figures)`,
    ].join("\n"),
  );
}

async function runMain(): Promise<void> {
  const wanted = o.scenarios.filter((s) => s !== "scale");
  if (!wanted.length) return;
  await withStack(o.apis, o.workers, async (b) => {
    await header(b);
    const ctx = ctxOf(b);
    if (wanted.includes("single")) {
      const r = await single(ctx, { ...o.single, mix: o.mix });
      emit(r, formatScenario(r));
    }
    if (wanted.includes("bulk")) {
      const r = await bulk(ctx, { ...o.bulk, mix: o.mix });
      emit(r, formatScenario(r));
    }
    if (wanted.includes("steady")) {
      const r = await steady(ctx, { ...o.steady, mix: o.mix });
      emit(r, formatScenario(r));
    }
    if (wanted.includes("broadcast")) {
      const r = await broadcast(ctx, { ...o.broadcast, mix: o.mix });
      emit(r, formatScenario(r));
    }
  });
}

/** The same workload on a fresh stack of each shape, printed side by side. */
async function runScale(): Promise<void> {
  if (!o.scenarios.includes("scale")) return;
  const { workload, count } = o.scale;
  const out: ScenarioResult[] = [];
  for (const shape of o.scale.shapes) {
    await withStack(shape.apis, shape.workers, async (b) => {
      if (!results.length && !out.length) await header(b);
      const ctx = ctxOf(b);
      const r =
        workload === "bulk"
          ? await bulk(ctx, { ...o.bulk, count, mix: o.mix })
          : await single(ctx, { count, concurrency: o.single.concurrency, mix: o.mix });
      out.push({ ...r, name: `scale/${r.name}` });
    });
  }
  const what = workload === "bulk" ? `${count} recipients through sendBulk (batches of ${o.bulk.batch}) per shape` : `${count} single sends (${o.single.concurrency} in flight) per shape`;
  emit(out, formatScale(out, what));
}

const started = Date.now();
await runMain();
await runScale();
// A refused request is not lost (its caller was told, and could retry); an accepted notification
// that never reached its provider is. Only that fails the run.
const lost = results.reduce((s, r) => s + r.lost, 0);
const refused = results.reduce((s, r) => s + r.refused, 0);
const duplicates = results.reduce((s, r) => s + r.duplicates, 0);
console.log(
  `\nbench finished in ${((Date.now() - started) / 1000).toFixed(0)} s: ${results.length} result(s), ${lost} lost, ${refused} refused, ${duplicates} duplicate hand-offs` +
    (lost ? ` — LOST in ${results.filter((r) => r.lost).map((r) => `${r.name} (${r.shape})`).join(", ")}` : ""),
);
process.exit(lost ? 1 : 0);
