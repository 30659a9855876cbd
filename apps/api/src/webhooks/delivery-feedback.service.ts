import { setTimeout as sleep } from "node:timers/promises";
import type { Channel, Db, DeliveryEventType, NotificationStatus, Prisma } from "@notify/db";
import { isUuid } from "../uuid.js";

/** The notification (and, when known, the hand-off) a provider report is about. */
export interface ReportTarget {
  notificationId: string;
  attemptId: string | null;
  /** The notification's app, for callers that check the report's own claims against it. */
  appId?: string;
}

export type FeedbackSource = "postmark" | "twilio";

/** What a delivery report does to the notification's status. */
export type ReportOutcome = { status: "DELIVERED" } | { status: "FAILED"; reason: string; error: string };

/** One authenticated provider report, translated into our terms by the provider's webhook route. */
export interface ProviderReport {
  source: FeedbackSource;
  /** The provider's identity for this report: a retried or repeated webhook carries the same one. */
  providerEventId: string;
  type: DeliveryEventType;
  detail: Record<string, unknown>;
  outcome?: ReportOutcome;
  /** The contact point this report proves dead; disabled only while the recipient still has it. */
  deadContact?: { channel: "EMAIL" | "SMS"; address: string; reason: string };
}

export interface RecordResult {
  event: "recorded" | "duplicate";
  /**
   * awaiting-hand-off: the report is an outcome for a notification whose hand-off the worker has
   * not recorded yet; the route answers 503 so the provider retries and the status catches up.
   */
  status: "changed" | "unchanged" | "awaiting-hand-off";
  contactDisabled: boolean;
}

/**
 * Provider outcomes only move a notification forward: DELIVERED follows SENT, and a failure
 * report (a bounce after the receiving server's acceptance) outranks DELIVERED. Nothing moves a
 * FAILED, DEAD, SKIPPED or CANCELED notification.
 */
const OUTCOME_FROM: Record<ReportOutcome["status"], NotificationStatus[]> = {
  DELIVERED: ["SENT"],
  FAILED: ["SENT", "DELIVERED"],
};

/** The worker has not finished its hand-off yet; a report about it is early, not wrong. */
const BEFORE_HAND_OFF: NotificationStatus[] = ["PENDING", "QUEUED", "SENDING"];


export interface DeliveryFeedbackOptions {
  /** How long a report waits for the worker to record the hand-off it is about. */
  handOffWaitMs?: number;
  pollMs?: number;
}

/**
 * Records what providers report about messages after the hand-off: one DeliveryEvent per
 * distinct report, the notification's resulting status, and dead contact points.
 */
export class DeliveryFeedbackService {
  private readonly handOffWaitMs: number;
  private readonly pollMs: number;

  constructor(
    private readonly db: Db,
    opts: DeliveryFeedbackOptions = {},
  ) {
    this.handOffWaitMs = opts.handOffWaitMs ?? 5_000;
    this.pollMs = opts.pollMs ?? 50;
  }

  /**
   * The attempt a provider's own message id names, on that provider's channel only: the id is
   * what the provider returned to the worker, so a report cannot point it at a notification the
   * provider never carried (e.g. a Postmark bounce at an SMS). Indexed on providerMessageId.
   */
  async byProviderMessageId(providerMessageId: string, channel: Channel): Promise<ReportTarget | null> {
    const a = await this.db.deliveryAttempt.findFirst({
      where: { providerMessageId, notification: { channel } },
      orderBy: { startedAt: "desc" },
      select: { id: true, notificationId: true, notification: { select: { appId: true } } },
    });
    return a && { notificationId: a.notificationId, attemptId: a.id, appId: a.notification.appId };
  }

  /** True while a hand-off to `target` is in flight (its provider message id not yet stored). */
  async handOffInFlight(target: string): Promise<boolean> {
    return (await this.db.deliveryAttempt.count({ where: { target, status: "SENDING" } })) > 0;
  }

  /**
   * Retries `find` while `inFlight` says the report may have overtaken the worker's write of
   * the provider message id (Twilio can call back before the SDK call has returned).
   */
  async locateWhileInFlight(find: () => Promise<ReportTarget | null>, inFlight: () => Promise<boolean>): Promise<ReportTarget | null> {
    const until = Date.now() + this.handOffWaitMs;
    for (;;) {
      const found = await find();
      if (found || Date.now() >= until || !(await inFlight())) return found;
      await sleep(this.pollMs);
    }
  }

  /**
   * Waits (bounded) for the worker to record the hand-off, so the timeline reads SENT before
   * what the provider says happened next, then records the report.
   */
  async record(target: ReportTarget, report: ProviderReport): Promise<RecordResult> {
    await this.awaitHandOff(target.notificationId);
    return this.db.$transaction(async (tx) => {
      // Serializes concurrent copies of one report, so exactly one of them writes the event.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`${report.source}:${report.providerEventId}`}, 0))`;
      const n = await tx.notification.findUniqueOrThrow({
        where: { id: target.notificationId },
        select: { status: true, recipientId: true },
      });

      const seen = await tx.deliveryEvent.findFirst({
        where: { notificationId: target.notificationId, source: report.source, detail: { path: ["providerEventId"], equals: report.providerEventId } },
        select: { id: true },
      });
      if (!seen) {
        await tx.deliveryEvent.create({
          data: {
            notificationId: target.notificationId,
            attemptId: target.attemptId,
            type: report.type,
            source: report.source,
            detail: { ...report.detail, providerEventId: report.providerEventId } as Prisma.InputJsonObject,
          },
        });
      }

      let status: RecordResult["status"] = "unchanged";
      const outcome = report.outcome;
      if (outcome) {
        const moved = await tx.notification.updateMany({
          where: { id: target.notificationId, status: { in: OUTCOME_FROM[outcome.status] } },
          data: outcome.status === "FAILED" ? { status: "FAILED", statusReason: outcome.reason, lastError: outcome.error.slice(0, 2000) } : { status: "DELIVERED" },
        });
        if (moved.count > 0) status = "changed";
        else if (BEFORE_HAND_OFF.includes(n.status)) status = "awaiting-hand-off";
      }

      let contactDisabled = false;
      const dead = report.deadContact;
      if (dead) {
        const now = new Date();
        const reason = dead.reason.slice(0, 500);
        const disabled =
          dead.channel === "EMAIL"
            ? await tx.recipient.updateMany({
                where: { id: n.recipientId, email: { equals: dead.address, mode: "insensitive" }, emailInvalidAt: null },
                data: { emailInvalidAt: now, emailInvalidReason: reason },
              })
            : await tx.recipient.updateMany({
                where: { id: n.recipientId, phone: dead.address, phoneInvalidAt: null },
                data: { phoneInvalidAt: now, phoneInvalidReason: reason },
              });
        contactDisabled = disabled.count > 0;
      }

      return { event: seen ? "duplicate" : "recorded", status, contactDisabled };
    });
  }

  private async awaitHandOff(notificationId: string): Promise<void> {
    const until = Date.now() + this.handOffWaitMs;
    for (;;) {
      const n = await this.db.notification.findUnique({ where: { id: notificationId }, select: { status: true } });
      if (!n || !BEFORE_HAND_OFF.includes(n.status) || Date.now() >= until) return;
      await sleep(this.pollMs);
    }
  }
}
