import type { ServerCounters } from "./metrics.js";
import type { Outcome, WindowFigures } from "./measure.js";

export interface ScenarioResult {
  name: string;
  /** "1 API × 2 workers". */
  shape: string;
  /** What was asked, in words (calls, batch sizes, rate). */
  load: string;
  /** Notifications asked for. */
  requested: number;
  /** Notifications the platform took on (created rows). */
  accepted: number;
  acceptSeconds: number;
  acceptedPerSecond: number;
  /** What accepted/s counts: the API's acceptance, or a broadcast's fan-out in the workers. */
  acceptLabel: string;
  refused: number;
  refusals: string[];
  delivered: number;
  /** Accepted but never handed to a provider (FAILED, DEAD, or still open when the run stalled). */
  lost: number;
  duplicates: number;
  deliverSeconds: number;
  deliveredPerSecond: number;
  latencyMs: Outcome["latencyMs"];
  byStatus: Record<string, number>;
  perNotification: ServerCounters;
  peakRssMiB: Record<string, number>;
  /** CPU time per process over the scenario, and per accepted notification in ms. */
  cpuSeconds: Record<string, number>;
  cpuMsPerNotification: Record<string, number>;
  rssSeries?: Record<string, number[]>;
  /** Scenario-specific lines (setup time, fan-out rate). */
  notes: string[];
}

export function summarize(
  base: Pick<ScenarioResult, "name" | "shape" | "load" | "requested" | "acceptSeconds" | "notes"> & { accepted: number; acceptLabel?: string; refusals: { total: number; lines: string[] } },
  out: Outcome,
  window: WindowFigures,
): ScenarioResult {
  // The database is the truth for what was accepted; the API's own count only fills in if rows are missing.
  const accepted = Math.max(out.notifications, base.accepted);
  const deliverSeconds = out.first && out.last ? (out.last.getTime() - out.first.getTime()) / 1000 : NaN;
  const per = (v: number) => Math.round((v / Math.max(1, accepted)) * 100) / 100;
  return {
    name: base.name,
    shape: base.shape,
    load: base.load,
    requested: base.requested,
    accepted,
    acceptSeconds: base.acceptSeconds,
    acceptedPerSecond: Math.round(accepted / base.acceptSeconds),
    acceptLabel: base.acceptLabel ?? "accepted",
    refused: base.refusals.total,
    refusals: base.refusals.lines,
    delivered: out.delivered,
    lost: accepted - out.delivered,
    duplicates: out.duplicates,
    deliverSeconds,
    deliveredPerSecond: Math.round(out.delivered / deliverSeconds),
    latencyMs: out.latencyMs,
    byStatus: out.byStatus,
    perNotification: {
      pgStatements: per(window.counters.pgStatements),
      pgTransactions: per(window.counters.pgTransactions),
      pgRowsWritten: per(window.counters.pgRowsWritten),
      redisCommands: per(window.counters.redisCommands),
    },
    peakRssMiB: window.peakRssMiB,
    cpuSeconds: window.cpuSeconds,
    cpuMsPerNotification: Object.fromEntries(Object.entries(window.cpuSeconds).map(([n, s]) => [n, Math.round((s * 1000 * 100) / Math.max(1, accepted)) / 100])),
    notes: [...base.notes, ...out.duplicateSample.map((d) => `duplicate hand-off: ${d}`)],
  };
}
