import type { ScenarioResult } from "./result.js";

const num = (v: number) => (Number.isFinite(v) ? v.toLocaleString("en-US") : "n/a");
const secs = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} s` : "n/a");

function perNotification(r: ScenarioResult): string {
  const p = r.perNotification;
  const statements = Number.isNaN(p.pgStatements) ? "statements n/a (pg_stat_statements not loaded)" : `${p.pgStatements} statements`;
  return `${p.pgTransactions} Postgres transactions, ${p.pgRowsWritten} rows written, ${statements}, ${p.redisCommands} Redis commands`;
}

/** At most `points` evenly spaced samples, so a three-minute run prints one line per process. */
function thin(series: number[], points = 12): number[] {
  if (series.length <= points) return series;
  return Array.from({ length: points }, (_, i) => series[Math.round((i * (series.length - 1)) / (points - 1))]!);
}

function drift(series: number[]): string {
  const third = Math.max(1, Math.floor(series.length / 3));
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const d = avg(series.slice(-third)) - avg(series.slice(0, third));
  return `${d >= 0 ? "+" : ""}${d.toFixed(0)}`;
}

export function formatScenario(r: ScenarioResult): string {
  const lines = [
    `── ${r.name} · ${r.shape} ${"─".repeat(Math.max(3, 60 - r.name.length - r.shape.length))}`,
    `  load: ${r.load}`,
    `  ${r.acceptLabel}: ${num(r.accepted)} of ${num(r.requested)} notifications in ${secs(r.acceptSeconds)} → ${num(r.acceptedPerSecond)}/s; refused ${num(r.refused)}`,
    `  delivered: ${num(r.delivered)} (lost ${num(r.lost)}, duplicate hand-offs ${num(r.duplicates)}) in ${secs(r.deliverSeconds)} from first accept to last hand-off → ${num(r.deliveredPerSecond)}/s`,
    `  accept → hand-off: p50 ${num(r.latencyMs.p50)} ms, p95 ${num(r.latencyMs.p95)} ms, p99 ${num(r.latencyMs.p99)} ms`,
    `  final statuses: ${Object.entries(r.byStatus).map(([s, n]) => `${s} ${num(n)}`).join(", ") || "none"}`,
    `  per notification: ${perNotification(r)}`,
    `  peak RSS (MiB): ${Object.entries(r.peakRssMiB).map(([n, m]) => `${n} ${m}`).join(", ")}`,
    `  CPU (s, ms per notification): ${Object.entries(r.cpuSeconds).map(([n, c]) => `${n} ${c} (${r.cpuMsPerNotification[n]})`).join(", ")}`,
  ];
  if (r.rssSeries) {
    lines.push(`  RSS over the run (MiB; last third vs first third): ${Object.entries(r.rssSeries).map(([n, s]) => `${n} [${thin(s).join(" ")}] ${drift(s)}`).join("; ")}`);
  }
  if (r.refusals.length) lines.push(`  refusals: ${r.refusals.join("; ")}`);
  for (const note of r.notes) lines.push(`  ${note}`);
  return lines.join("\n");
}

/** The scale runs side by side, one column per shape. */
export function formatScale(results: ScenarioResult[], workload: string): string {
  const rows: [string, (r: ScenarioResult) => string][] = [
    ["accepted/s", (r) => num(r.acceptedPerSecond)],
    ["delivered/s", (r) => num(r.deliveredPerSecond)],
    ["accepted (of requested)", (r) => `${num(r.accepted)} (${num(r.requested)})`],
    ["lost / duplicates", (r) => `${num(r.lost)} / ${num(r.duplicates)}`],
    ["p50 / p95 / p99 ms", (r) => `${num(r.latencyMs.p50)} / ${num(r.latencyMs.p95)} / ${num(r.latencyMs.p99)}`],
    ["PG transactions / notif", (r) => String(r.perNotification.pgTransactions)],
    ["PG rows written / notif", (r) => String(r.perNotification.pgRowsWritten)],
    ["Redis commands / notif", (r) => String(r.perNotification.redisCommands)],
    ["CPU ms / notif API, workers, PG", (r) => {
      const sum = (prefix: string) => Object.entries(r.cpuMsPerNotification).filter(([n]) => n.startsWith(prefix)).reduce((s, [, v]) => s + v, 0);
      return `${sum("api").toFixed(1)}, ${sum("workers").toFixed(1)}, ${sum("postgres").toFixed(1)}`;
    }],
    ["peak RSS max MiB", (r) => String(Math.max(...Object.entries(r.peakRssMiB).filter(([n]) => n !== "bench").map(([, m]) => m)))],
    ["peak RSS sum MiB", (r) => String(Object.entries(r.peakRssMiB).filter(([n]) => n !== "bench").reduce((s, [, m]) => s + m, 0))],
  ];
  const label = Math.max(...rows.map(([l]) => l.length)) + 2;
  const width = Math.max(...results.map((r) => r.shape.length), ...results.flatMap((r) => rows.map(([, f]) => f(r).length))) + 3;
  const lines = [
    `── scale: ${workload} ${"─".repeat(Math.max(3, 50 - workload.length))}`,
    " ".repeat(label) + results.map((r) => r.shape.padStart(width)).join(""),
    ...rows.map(([l, f]) => l.padEnd(label) + results.map((r) => f(r).padStart(width)).join("")),
  ];
  if (results.length > 1) {
    const base = results[0]!;
    lines.push(
      ...results.slice(1).map((r) => `  ${r.shape} vs ${base.shape}: accepted/s ×${(r.acceptedPerSecond / base.acceptedPerSecond).toFixed(2)}, delivered/s ×${(r.deliveredPerSecond / base.deliveredPerSecond).toFixed(2)}`),
    );
  }
  for (const r of results) {
    if (r.refusals.length) lines.push(`  ${r.shape} refusals: ${r.refusals.join("; ")}`);
    for (const note of r.notes) lines.push(`  ${r.shape}: ${note}`);
  }
  return lines.join("\n");
}
