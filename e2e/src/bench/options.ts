import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { SEED_MIX, type Channel } from "./mix.js";

export const SCENARIOS = ["single", "bulk", "steady", "broadcast", "scale"] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface BenchOptions {
  scenarios: Scenario[];
  smoke: boolean;
  json: boolean;
  apis: number;
  workers: number;
  latencyMs: number;
  dbPoolSize: number;
  poolRecipients: number;
  sharedRedis: boolean;
  cpuProfDir?: string;
  mix: [Channel, number][];
  stallMs: number;
  single: { count: number; concurrency: number };
  bulk: { count: number; batch: number; concurrency: number; keys: boolean };
  steady: { rate: number; seconds: number };
  broadcast: { subscribers: number };
  scale: { shapes: { apis: number; workers: number }[]; workload: "single" | "bulk"; count: number };
}

/**
 * Full-size defaults are the scenarios; --smoke shrinks every one to finish in a minute
 * or two (CI). Any flag overrides either.
 */
export function parseOptions(argv: string[]): BenchOptions {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      scenario: { type: "string", default: "all" },
      smoke: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      api: { type: "string" },
      workers: { type: "string" },
      latency: { type: "string", default: "50" },
      "db-pool": { type: "string" },
      recipients: { type: "string" },
      "shared-redis": { type: "boolean", default: false },
      "cpu-prof": { type: "string" },
      channels: { type: "string" },
      stall: { type: "string" },
      count: { type: "string" },
      concurrency: { type: "string", default: "64" },
      bulk: { type: "string" },
      batch: { type: "string" },
      "bulk-concurrency": { type: "string" },
      "no-keys": { type: "boolean", default: false },
      rate: { type: "string" },
      duration: { type: "string" },
      subscribers: { type: "string" },
      scale: { type: "string" },
      "scale-workload": { type: "string", default: "single" },
      "scale-count": { type: "string" },
    },
  });
  const smoke = v.smoke!;
  const int = (name: string, value: string | undefined, full: number, small: number, min = 1): number => {
    const n = value === undefined ? (smoke ? small : full) : Number(value);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${value}`);
    return n;
  };

  const names = v.scenario === "all" ? [...SCENARIOS] : v.scenario!.split(",").map((s) => (s.trim() === "burst" ? "single" : s.trim()));
  for (const s of names) if (!SCENARIOS.includes(s as Scenario)) throw new Error(`--scenario ${s}: expected all or a comma-separated list of ${SCENARIOS.join(", ")}`);

  const wanted = v.channels?.split(",").map((c) => c.trim());
  for (const c of wanted ?? []) if (!SEED_MIX.some(([m]) => m === c)) throw new Error(`--channels ${c}: expected some of ${SEED_MIX.map(([m]) => m).join(",")}`);
  const mix = wanted ? SEED_MIX.filter(([c]) => wanted.includes(c)) : SEED_MIX;

  const apis = int("api", v.api, 1, 1);
  const workers = int("workers", v.workers, 2, 1);
  // Without --scale, compare one of each with the shape asked for (2×2 unless --api/--workers say otherwise).
  const scaleSpec = v.scale ?? (v.api || v.workers ? `1x1,${apis}x${workers}` : "1x1,2x2");
  const shapes = scaleSpec.split(",").map((s) => {
    const m = /^(\d+)x(\d+)$/.exec(s.trim());
    if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new Error(`--scale ${s}: expected shapes like 1x1,2x2 (APIs x workers)`);
    return { apis: Number(m[1]), workers: Number(m[2]) };
  });
  const workload = v["scale-workload"];
  if (workload !== "single" && workload !== "bulk") throw new Error(`--scale-workload must be single or bulk, got ${workload}`);

  const bulkBatch = int("batch", v.batch, 1_000, 500);
  return {
    scenarios: names as Scenario[],
    smoke,
    json: v.json!,
    apis,
    workers,
    latencyMs: int("latency", v.latency, 50, 50, 0),
    dbPoolSize: int("db-pool", v["db-pool"], 20, 10),
    poolRecipients: Math.max(bulkBatch, int("recipients", v.recipients, 10_000, 1_000)),
    sharedRedis: v["shared-redis"]!,
    cpuProfDir: v["cpu-prof"] ? resolve(v["cpu-prof"]) : undefined,
    mix,
    stallMs: int("stall", v.stall, 120, 60) * 1000,
    single: { count: int("count", v.count, 20_000, 200), concurrency: int("concurrency", v.concurrency, 64, 64) },
    bulk: { count: int("bulk", v.bulk, 100_000, 1_000), batch: bulkBatch, concurrency: int("bulk-concurrency", v["bulk-concurrency"], 4, 2), keys: !v["no-keys"] },
    steady: { rate: int("rate", v.rate, 2_000, 50), seconds: int("duration", v.duration, 180, 5) },
    broadcast: { subscribers: int("subscribers", v.subscribers, 1_000_000, 2_000) },
    scale: { shapes, workload, count: int("scale-count", v["scale-count"], workload === "bulk" ? 50_000 : 20_000, 150) },
  };
}
