import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { ROOT } from "./harness/processes.js";

/**
 * CI's smoke of `pnpm bench`: every scenario at a small size on the real stack. It asserts that
 * the bench ran to the end and printed its figures with nothing lost or refused, never how fast:
 * timings on a shared CI machine mean nothing.
 */
test("pnpm bench --smoke: every scenario completes, prints its figures, loses nothing", { timeout: 20 * 60_000 }, async (t) => {
  // On a timeout the signal aborts: SIGTERM makes the bench stop its processes and drop its databases.
  const child = spawn(process.execPath, ["e2e/dist/bench/run.js", "--smoke", "--json"], {
    cwd: ROOT,
    env: process.env,
    stdio: ["ignore", "pipe", "pipe"],
    signal: t.signal,
    killSignal: "SIGTERM",
  });
  child.on("error", () => undefined);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  const output = `${stdout}\n--- stderr ---\n${stderr}`;
  // The figures belong in CI's log whether or not the assertions below pass.
  t.diagnostic(stdout.split("\n").filter((l) => !l.startsWith("bench-result ")).join("\n"));
  assert.equal(code, 0, output);

  const results = stdout
    .split("\n")
    .filter((l) => l.startsWith("bench-result "))
    .map((l) => JSON.parse(l.slice("bench-result ".length)) as Record<string, any>);
  assert.deepEqual(
    results.map((r) => r.name),
    ["single", "bulk", "steady", "broadcast", "scale/single", "scale/single"],
    output,
  );
  for (const r of results) {
    const where = `${r.name} (${r.shape})`;
    assert.ok(r.accepted > 0, `${where} accepted nothing`);
    // Refusals (e.g. a pool timeout on a starved machine) and duplicate hand-offs are printed
    // for people to read; only a lost notification fails the smoke.
    assert.equal(r.lost, 0, `${where} lost notifications\n${output}`);
    assert.equal(r.delivered, r.accepted, where);
    // Figures, not their values: each one was measured and printed.
    for (const figure of [r.acceptedPerSecond, r.deliveredPerSecond, r.latencyMs.p50, r.latencyMs.p99, r.perNotification.pgTransactions, r.perNotification.redisCommands]) {
      assert.ok(Number.isFinite(figure) && figure >= 0, `${where}: a figure is missing in ${JSON.stringify(r)}`);
    }
    assert.ok(Object.keys(r.peakRssMiB).some((n) => n.startsWith("api")) && Object.keys(r.peakRssMiB).some((n) => n.startsWith("workers")), where);
  }
  const [one, two] = results.filter((r) => r.name === "scale/single");
  assert.equal(one!.shape, "1 API × 1 worker");
  assert.equal(two!.shape, "2 APIs × 2 workers");
  assert.ok(Object.keys(two!.peakRssMiB).includes("api-1"), "the 2×2 shape ran a second API process");
  assert.match(stdout, /── scale: /);
  assert.match(stdout, /bench finished in \d+ s: 6 result\(s\), 0 lost, \d+ refused, \d+ duplicate hand-offs\n/);
});
