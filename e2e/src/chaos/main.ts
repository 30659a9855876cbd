// The full chaos run (`pnpm chaos`): the CI test's code with more notifications, as a program.
//   CHAOS_NOTIFICATIONS=20000 CHAOS_WORKERS=3 CHAOS_RATE=60 node e2e/dist/chaos/main.js
import { formatReport, runChaos, violations } from "./run.js";
import { privateServicesAvailable } from "../harness/private-services.js";

const number = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};

// Interrupted: exit through process.exit so the harness kills the servers and processes it started.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));

const available = privateServicesAvailable();
if (!available.ok) {
  console.error(`The chaos run starts its own Postgres and Redis servers; install: ${available.missing.join(", ")}`);
  process.exit(2);
}

const notifications = number("CHAOS_NOTIFICATIONS", 20_000);
const report = await runChaos({
  notifications,
  workers: number("CHAOS_WORKERS", 3),
  ratePerSecond: number("CHAOS_RATE", 60),
  callers: number("CHAOS_CALLERS", 24),
  chaosIntervalMs: number("CHAOS_INTERVAL_MS", 5_000),
  settleTimeoutMs: number("CHAOS_SETTLE_TIMEOUT_MS", 30 * 60_000),
  concurrentDuplicates: 0.05,
  lateDuplicates: 0.05,
  log: (line) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`),
  logDir: process.env.CHAOS_LOG_DIR,
});
console.log(formatReport(report));
const problems = violations(report);
if (problems.length) {
  console.error(`\n✖ chaos run failed:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`\n✔ every accepted notification in exactly one terminal state; 0 lost; 0 duplicate hand-offs outside the documented window`);
process.exit(0);
