import type { RedisConnection } from "@notify/jobs";
import type { Db, Tx } from "@notify/db";
import { deliveryJobOptions, isQueuedChannel, type DeliveryQueues, type QueuedChannel } from "@notify/jobs";
import type { Logger } from "pino";

export interface SweeperOptions {
  intervalMs: number;
  /** A PENDING/QUEUED notification this old whose job is gone gets enqueued again. */
  graceMs: number;
  /**
   * A SENDING notification this old, whose job no live worker holds, is taken to belong to a
   * worker that died. Keep it above the providers' request timeouts.
   */
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
 *  - returns SENDING notifications whose worker died to QUEUED. A job whose BullMQ lock is still
 *    renewed belongs to a live worker (slow provider, Postgres blip) and is left alone. If the
 *    dead worker had already written an attempt, the provider may have accepted it: this is the
 *    one window where a message can be handed over twice (a new attempt, recorded as such, and
 *    the old one closed as WORKER_LOST). See README "Delivery guarantees".
 */
export class Sweeper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly db: Db,
    private readonly queues: DeliveryQueues,
    private readonly log: Logger,
    private readonly opts: SweeperOptions,
    /** The queues' Redis: job hashes and BullMQ's job locks are read straight from it. */
    private readonly redis: RedisConnection,
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

        const stale = await tx.notification.findMany({
          where: { status: "SENDING", updatedAt: { lt: new Date(now - this.opts.sendingTimeoutMs) } },
          select: { id: true, channel: true, attemptCount: true },
          take: limit,
        });
        const stuck: typeof stale = [];
        for (const n of stale) if (!(await this.heldByLiveWorker(n))) stuck.push(n);
        const requeued = stuck.length ? await this.recover(tx, stuck) : [];

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
        const reenqueued = await this.ensureJobs([...candidates, ...requeued]);
        // Touch what was checked so the next pass looks at others first.
        if (candidates.length) await tx.notification.updateMany({ where: { id: { in: candidates.map((c) => c.id) }, status: { in: ["PENDING", "QUEUED"] } }, data: { status: "QUEUED" } });
        if (reenqueued) this.log.warn({ reenqueued }, "re-enqueued notifications whose jobs were missing");
        return { reenqueued, recovered: stuck.length };
      },
      { timeout: 60_000 },
    );
  }

  /**
   * Settles SENDING notifications whose worker is gone, by what its attempts of that claim say:
   *  - one SUCCEEDED: the provider has it and only the notification's status was not written
   *    (e.g. the worker died, or Postgres failed it, between the two writes): SENT, not sent again;
   *  - one still SENDING: nobody knows whether the provider has it. The attempt is closed as
   *    WORKER_LOST and the notification goes back to QUEUED: the documented duplicate window;
   *  - otherwise (failed, or never reached a provider): back to QUEUED for its next attempt.
   * A worker's later writes are fenced on its claim, so they change nothing after this.
   */
  private async recover<N extends { id: string; attemptCount: number }>(tx: Tx, stuck: N[]): Promise<N[]> {
    const ids = stuck.map((n) => n.id);
    const now = new Date();
    await tx.deliveryAttempt.updateMany({
      where: { notificationId: { in: ids }, status: "SENDING" },
      data: { status: "FAILED", errorCode: "WORKER_LOST", errorMessage: "the worker stopped before recording the outcome", retryable: true, finishedAt: now },
    });
    const succeeded = await tx.deliveryAttempt.findMany({ where: { notificationId: { in: ids }, status: "SUCCEEDED" }, select: { notificationId: true, attemptNumber: true } });
    const sent = new Set(succeeded.filter((a) => stuck.some((n) => n.id === a.notificationId && n.attemptCount === a.attemptNumber)).map((a) => a.notificationId));
    const requeue = stuck.filter((n) => !sent.has(n.id));
    if (sent.size) {
      await tx.notification.updateMany({ where: { id: { in: [...sent] }, status: "SENDING" }, data: { status: "SENT", sentAt: now } });
      await tx.deliveryEvent.createMany({ data: [...sent].map((id) => ({ notificationId: id, type: "SENT" as const, detail: { recoveredBy: "sweeper" } })) });
    }
    if (requeue.length) {
      await tx.notification.updateMany({ where: { id: { in: requeue.map((n) => n.id) }, status: "SENDING" }, data: { status: "QUEUED", lastError: "worker lost mid-delivery" } });
      await tx.deliveryEvent.createMany({ data: requeue.map((n) => ({ notificationId: n.id, type: "RETRY_SCHEDULED" as const, detail: { reason: "worker lost mid-delivery" } })) });
    }
    this.log.warn({ sent: sent.size, requeued: requeue.length }, "recovered notifications from lost workers");
    return requeue;
  }

  /** Whether a worker is running this notification's job and still renewing its lock. */
  private async heldByLiveWorker(n: { id: string; channel: string }): Promise<boolean> {
    if (!isQueuedChannel(n.channel as never)) return false;
    // BullMQ keeps a job's lock key only while a worker runs it (taken when it becomes active,
    // deleted in the same script that finishes it), so the lock alone answers; getJobState would
    // search the wait list (see ensureJobs).
    return (await this.redis.exists(`${this.queues[n.channel as QueuedChannel].toKey(n.id)}:lock`)) === 1;
  }

  /**
   * Adds each notification's job unless a live one exists; a finished job with its id is
   * replaced. Returns how many it added.
   *
   * Liveness is read from the job's hash (one HGET per job, pipelined per queue): a job that
   * exists and has no finishedOn is waiting, delayed or running. BullMQ's getJobState answers the
   * same question by searching the wait list (LPOS), which costs O(backlog) per job: with 100,000
   * notifications queued, a pass over 1,000 candidates was 10^8 list steps inside Redis.
   */
  private async ensureJobs(notifications: { id: string; channel: string }[]): Promise<number> {
    const byChannel = new Map<QueuedChannel, string[]>();
    for (const n of notifications) {
      if (!isQueuedChannel(n.channel as never)) continue;
      const ids = byChannel.get(n.channel as QueuedChannel);
      if (ids) ids.push(n.id);
      else byChannel.set(n.channel as QueuedChannel, [n.id]);
    }
    let added = 0;
    for (const [channel, ids] of byChannel) {
      const queue = this.queues[channel];
      // One queue's keys share a hash slot (queues.ts), so this pipeline works on a cluster too.
      const pipeline = this.redis.pipeline();
      for (const id of ids) pipeline.hmget(queue.toKey(id), "timestamp", "finishedOn");
      const replies = (await pipeline.exec()) ?? [];
      for (const [i, id] of ids.entries()) {
        const [err, fields] = replies[i] ?? [new Error("no reply")];
        if (err) throw err;
        const [createdAt, finishedOn] = fields as [string | null, string | null];
        if (createdAt !== null && finishedOn === null) continue; // live
        if (finishedOn !== null) await queue.remove(id);
        await queue.add("deliver", { notificationId: id }, deliveryJobOptions(channel, id));
        added++;
      }
    }
    return added;
  }
}
