import type { Db } from "@notify/db";
import { deliveryJobOptions, isQueuedChannel, type DeliveryQueues, type QueuedChannel } from "./queues.js";

export interface Enqueueable {
  id: string;
  channel: string;
  /** A future time makes the job a BullMQ delayed job; the notification stays PENDING until then. */
  scheduledAt?: Date | null;
}

/** The part of a pino logger this needs. */
export interface WarnLogger {
  warn(obj: object, msg: string): void;
}

/**
 * Hands committed notifications to their channel queues. Runs after the Postgres commit: if
 * Redis is down the notifications stay PENDING and the outbox sweeper enqueues them later (a
 * scheduled one once it is due), so the caller's send still succeeds. Shared by the API's send
 * and the workers' recurring ticker.
 */
export class Enqueuer {
  constructor(
    private readonly db: Db,
    private readonly queues: DeliveryQueues,
    private readonly log: WarnLogger,
  ) {}

  async enqueue(notifications: Enqueueable[]): Promise<void> {
    const queued = notifications.filter((n): n is Enqueueable & { channel: QueuedChannel } => isQueuedChannel(n.channel as never));
    const now = Date.now();
    const delayOf = (n: Enqueueable) => Math.max(0, (n.scheduledAt?.getTime() ?? 0) - now);
    const byChannel = new Map<QueuedChannel, Enqueueable[]>();
    for (const n of queued) {
      const list = byChannel.get(n.channel);
      if (list) list.push(n);
      else byChannel.set(n.channel, [n]);
    }
    try {
      await Promise.all(
        [...byChannel].map(([channel, list]) =>
          this.queues[channel].addBulk(
            list.map((n) => ({ name: "deliver", data: { notificationId: n.id }, opts: deliveryJobOptions(channel, n.id, delayOf(n)) })),
          ),
        ),
      );
    } catch (err) {
      this.log.warn({ err, count: notifications.length }, "enqueue failed; notifications stay PENDING for the sweeper");
      return;
    }
    // Only PENDING → QUEUED: a worker may already have claimed it (SENDING) and must not be undone.
    // A delayed one stays PENDING ("waiting for its scheduled time") until a worker claims it.
    const due = queued.filter((n) => delayOf(n) === 0).map((n) => n.id);
    if (due.length) await this.db.notification.updateMany({ where: { id: { in: due }, status: "PENDING" }, data: { status: "QUEUED" } });
  }

  /**
   * Removes a notification's job if it is not running (best effort: a job that survives is
   * harmless, the worker's claim refuses a notification that is canceled or not yet due).
   */
  async remove(n: { id: string; channel: string }): Promise<void> {
    if (!isQueuedChannel(n.channel as never)) return;
    try {
      await this.queues[n.channel as QueuedChannel].remove(n.id);
    } catch (err) {
      this.log.warn({ err, notificationId: n.id }, "could not remove the job; the claim fence will refuse it");
    }
  }
}
