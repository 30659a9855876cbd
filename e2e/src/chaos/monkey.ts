import type { NewFaultRule } from "@notify/sandbox";
import type { PrivatePostgres, PrivateRedis } from "../harness/private-services.js";
import type { Stack } from "../harness/stack.js";

export type ChaosAction = "kill-worker" | "restart-redis" | "restart-postgres" | "fault-429" | "fault-500" | "fault-503" | "fault-timeout";

/** What was done to the platform, for the report. */
export interface ChaosLog {
  workerKills: number;
  workerStarts: number;
  redisRestarts: number;
  postgresRestarts: number;
  /** Fault rules injected, by kind, and how many provider requests they covered. */
  faults: Record<string, { rules: number; requests: number }>;
  /** invalid_target rules for specific addresses. */
  deadAddresses: number;
  timeline: { atMs: number; action: string }[];
  /** Actions that could not be carried out (reported, never fatal to the run). */
  errors: string[];
}

export interface MonkeyDeps {
  stack: Stack;
  redis: PrivateRedis;
  postgres: PrivatePostgres;
  /** Provider names faults are injected into (the simulators of the channels in use). */
  providers: ("postmark" | "twilio")[];
  log: (line: string) => void;
}

/** Longer than the Postmark adapter's 30 s request timeout, so the worker gives up first. */
const TIMEOUT_FAULT_MS = 35_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rand = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

/**
 * Applies one disruption at a time, in a fixed rotation so every kind happens in even a short
 * run: kill a worker (SIGKILL, mid-delivery) and start a new one, restart Redis empty, restart
 * Postgres, and provider faults.
 */
export class Monkey {
  readonly chaos: ChaosLog = { workerKills: 0, workerStarts: 0, redisRestarts: 0, postgresRestarts: 0, faults: {}, deadAddresses: 0, timeline: [], errors: [] };
  private readonly started = Date.now();
  private stopped = false;
  private loop?: Promise<void>;

  static readonly ROTATION: ChaosAction[] = [
    "kill-worker",
    "fault-429",
    "restart-redis",
    "kill-worker",
    "fault-500",
    "restart-postgres",
    "fault-503",
    "kill-worker",
    "fault-timeout",
    "restart-redis",
    "kill-worker",
    "restart-postgres",
  ];

  constructor(private readonly deps: MonkeyDeps) {}

  /** invalid_target for these addresses: the first hand-off to each fails and kills the address. */
  doom(addresses: string[]): void {
    for (const target of addresses) this.deps.stack.sandbox.faults.add({ provider: "postmark", kind: "invalid_target", target, remaining: 1 });
    this.chaos.deadAddresses += addresses.length;
  }

  start(intervalMs: number): void {
    this.loop = (async () => {
      for (let i = 0; !this.stopped; i++) {
        await sleep(intervalMs);
        if (this.stopped) break;
        const action = Monkey.ROTATION[i % Monkey.ROTATION.length]!;
        await this.apply(action).catch((err: Error) => {
          this.chaos.errors.push(`${action}: ${err.message.split("\n")[0]}`);
          this.deps.log(`chaos ${action} failed: ${err.message.split("\n")[0]}`);
        });
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  async apply(action: ChaosAction): Promise<void> {
    const { stack, redis, postgres, log } = this.deps;
    const t0 = Date.now();
    switch (action) {
      case "kill-worker": {
        const alive = stack.workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
        const victim = alive[rand(0, alive.length - 1)]!;
        await victim.stop("SIGKILL");
        this.chaos.workerKills++;
        await this.startWorker();
        break;
      }
      case "restart-redis":
        await redis.restartEmpty(rand(200, 1_500));
        this.chaos.redisRestarts++;
        break;
      case "restart-postgres":
        await postgres.restart({ mode: "fast", downMs: rand(500, 2_500) });
        this.chaos.postgresRestarts++;
        break;
      case "fault-429":
        this.fault({ kind: "rate_limit", retryAfterSeconds: 1, remaining: rand(20, 60) });
        break;
      case "fault-500":
        this.fault({ kind: "server_error", remaining: rand(20, 60) });
        break;
      case "fault-503":
        this.fault({ kind: "unavailable", retryAfterSeconds: 1, remaining: rand(20, 60) });
        break;
      case "fault-timeout":
        this.fault({ kind: "timeout", delayMs: TIMEOUT_FAULT_MS, remaining: rand(3, 8) });
        break;
    }
    const atMs = t0 - this.started;
    this.chaos.timeline.push({ atMs, action });
    log(`chaos +${(atMs / 1000).toFixed(1)}s ${action} (${Date.now() - t0} ms)`);
  }

  /** Starts a replacement worker, retrying: a worker refuses to start while Postgres or Redis is down. */
  async startWorker(): Promise<void> {
    for (let tries = 1; ; tries++) {
      try {
        // Generous: on a loaded 2-core machine a fresh Node process takes a while to load.
        await this.deps.stack.startWorker({}, { readyTimeoutMs: 90_000 });
        this.chaos.workerStarts++;
        return;
      } catch (err) {
        if (tries >= 5) throw err;
        this.deps.log(`worker did not start (try ${tries}): ${(err as Error).message.split("\n")[0]}`);
        await sleep(1_000);
      }
    }
  }

  private fault(rule: Omit<NewFaultRule, "provider">): void {
    for (const provider of this.deps.providers) {
      this.deps.stack.sandbox.faults.add({ provider, ...rule });
      const f = (this.chaos.faults[rule.kind] ??= { rules: 0, requests: 0 });
      f.rules++;
      f.requests += rule.remaining ?? 0;
    }
  }
}
