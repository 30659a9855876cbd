import type { Db } from "@notify/db";
import { deliveryJobOptions, isQueuedChannel, type DeliveryQueues, type QueuedChannel } from "@notify/jobs";
import type { Logger } from "pino";

export interface SweeperOptions {
  intervalMs: number;
  /** A PENDING/QUEUED notification this old whose job is gone gets enqueued again. */
  graceMs: number;
  /** A SENDING notification this old is taken to belong to a worker that died. */
  sendingTimeoutMs: number;
  batch?: number;
}

// Any constant works; it only has to be the same in every worker process.
const SWEEP_LOCK = 7_242_001;

/**
 * The outbox's second half. Postgres is the truth; Redis may lose jobs (restart without
 * persistence, FLUSHALL, a crash between commit and enqueue). Each pass, under an advisory lock
 * so one process sweeps at a time, it:
 *  - enqueues PENDING/QUEUED notifications whose job is missing or already finished;
 *  - returns SENDING notifications whose worker died to QUEUED. If that worker had already
 *    written an attempt, the provider may have accepted it: this is the one window where a
 *    message can be handed over twice (a new attempt, recorded as such). See README.
 */
export class Sweeper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly db: Db,
    private readonly queues: DeliveryQueues,
    private readonly log: Logger,
    private readonly opts: SweeperOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.sweep()
        .catch((err) => this.log.warn({ err }, "sweep failed"))
        .finally(() => (this.running = undefined));
    }, this.opts.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass; returns how many notifications it re-enqueued and recovered. */
  async sweep(): Promise<{ reenqueued: number; recovered: number }> {
    return this.db.$transaction(
      async (tx) => {
        const [{ locked }] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${SWEEP_LOCK}) AS locked`;
        if (!locked) return { reenqueued: 0, recovered: 0 };
        const now = Date.now();
        const limit = this.opts.batch ?? 1000;

        const stuck = await tx.notification.findMany({
          where: { status: "SENDING", updatedAt: { lt: new Date(now - this.opts.sendingTimeoutMs) } },
          select: { id: true, channel: true },
          take: limit,
        });
        if (stuck.length) {
          const ids = stuck.map((n) => n.id);
          await tx.deliveryAttempt.updateMany({
            where: { notificationId: { in: ids }, status: "SENDING" },
            data: { status: "FAILED", errorCode: "WORKER_LOST", errorMessage: "the worker stopped before recording the outcome", retryable: true, finishedAt: new Date() },
          });
          await tx.notification.updateMany({ where: { id: { in: ids }, status: "SENDING" }, data: { status: "QUEUED", lastError: "worker lost mid-delivery" } });
          this.log.warn({ count: ids.length }, "recovered notifications from lost workers");
        }

        const candidates = await tx.notification.findMany({
          where: {
            status: { in: ["PENDING", "QUEUED"] },
            updatedAt: { lt: new Date(now - this.opts.graceMs) },
            OR: [{ scheduledAt: null }, { scheduledAt: { lte: new Date(now) } }],
          },
          select: { id: true, channel: true },
          orderBy: { updatedAt: "asc" },
          take: limit,
        });
        let reenqueued = 0;
        for (const n of [...candidates, ...stuck]) {
          if (isQueuedChannel(n.channel) && (await this.ensureJob(n.channel, n.id))) reenqueued++;
        }
        // Touch what was checked so the next pass looks at others first.
        if (candidates.length) await tx.notification.updateMany({ where: { id: { in: candidates.map((c) => c.id) }, status: { in: ["PENDING", "QUEUED"] } }, data: { status: "QUEUED" } });
        if (reenqueued) this.log.warn({ reenqueued }, "re-enqueued notifications whose jobs were missing");
        return { reenqueued, recovered: stuck.length };
      },
      { timeout: 60_000 },
    );
  }

  /** Adds the job unless a live one exists; a finished job with this id is replaced. */
  private async ensureJob(channel: QueuedChannel, notificationId: string): Promise<boolean> {
    const queue = this.queues[channel];
    const state = await queue.getJobState(notificationId);
    if (state === "waiting" || state === "active" || state === "delayed" || state === "prioritized" || state === "waiting-children") return false;
    if (state === "completed" || state === "failed") await queue.remove(notificationId);
    await queue.add("deliver", { notificationId }, deliveryJobOptions(channel, notificationId));
    return true;
  }
}
