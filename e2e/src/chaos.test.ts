import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatReport, runChaos, violations } from "./chaos/run.js";
import { privateServicesAvailable } from "./harness/private-services.js";

const available = privateServicesAvailable();
const notifications = Number(process.env.CHAOS_NOTIFICATIONS ?? 1_500);

// The CI-sized run of the chaos suite; `pnpm chaos` runs the same code with 20,000 sends.
describe("chaos: nothing lost, nothing sent twice", { skip: available.ok ? false : `needs ${available.missing.join(", ")}` }, () => {
  test(`${notifications} sends through SIGKILLed workers, Redis and Postgres restarts, provider faults and duplicate requests`, { timeout: 15 * 60_000 }, async () => {
    const report = await runChaos({
      notifications,
      workers: 3,
      ratePerSecond: 50,
      callers: 16,
      chaosIntervalMs: 2_500,
      settleTimeoutMs: 5 * 60_000,
      concurrentDuplicates: 0.05,
      lateDuplicates: 0.05,
      log: (line) => console.log(line),
    });
    console.log(formatReport(report));
    assert.deepEqual(violations(report), []);
    // The run must have exercised what it claims to.
    assert.ok(report.chaos.workerKills >= 1 && report.chaos.redisRestarts >= 1 && report.chaos.postgresRestarts >= 1, JSON.stringify(report.chaos));
    assert.ok(report.traffic.replayed > 0, "some duplicate requests were answered as replays");
    assert.ok(report.final.retried > 0, "provider faults caused retries");
    assert.equal(report.final.accepted + report.final.refusedSends, notifications, "every send was accepted or refused for good");
  });
});
