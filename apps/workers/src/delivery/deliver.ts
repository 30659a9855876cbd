import { UnrecoverableError } from "bullmq";
import type { Db, Prisma } from "@notify/db";
import type { QueuedChannel } from "@notify/jobs";
import type { Logger } from "pino";
import { DeadTargetError, RetryableProviderError } from "../providers/errors.js";
import type { ChannelMessages, Provider } from "../providers/provider.js";
import { claim } from "./claim.js";
import { buildMessage, type MessageDefaults } from "./messages.js";
import { asProviderError, deactivateTarget, type TargetOutcome } from "./outcome.js";
import { checkPreferences } from "./preference-gate.js";
import { resolveTargets } from "./targets.js";

export interface DeliverDeps<C extends QueuedChannel> {
  db: Db;
  channel: C;
  provider: Provider<ChannelMessages[C]>;
  defaults: MessageDefaults;
  log: Logger;
}

export interface DeliveryAttemptInfo {
  /** 1-based BullMQ attempt number of this run of the job. */
  attempt: number;
  maxAttempts: number;
  /**
   * Puts this run's job back to sleep until `until` without using up an attempt (BullMQ's
   * moveToDelayed + DelayedError). Without it a deferred job just completes and the sweeper
   * enqueues the notification again once it is due.
   */
  defer?: (until: Date) => Promise<never>;
}

export type DeliveryResult = "sent" | "failed" | "skipped" | "not-claimed" | "dead" | "deferred";

/**
 * One run of a delivery job: claim → resolve targets → record attempts → call provider →
 * record outcome. Throws RetryableProviderError for BullMQ to retry with backoff; a job that
 * should not be retried returns (or throws UnrecoverableError after the notification is DEAD).
 */
export async function deliver<C extends QueuedChannel>(
  deps: DeliverDeps<C>,
  notificationId: string,
  run: DeliveryAttemptInfo,
): Promise<DeliveryResult> {
  const { db, channel, provider, log } = deps;
  const n = await claim(db, notificationId);
  if (!n) return "not-claimed";

  // Preferences again, now: the recipient may have opted out or gone quiet since acceptance.
  const { decision, categoryRequired } = await checkPreferences(db, n, channel);
  if (!decision.allowed) {
    const reason = `opted out after acceptance: ${decision.reason}`;
    await finish(db, n.id, { status: "SKIPPED", statusReason: reason }, "SKIPPED", { reason });
    return "skipped";
  }
  if (decision.deferUntil) {
    // Release the claim first (SENDING → PENDING, not due until the window ends), then park the
    // same job: the job id stays the notification id and the next run has to win the claim again.
    await finish(db, n.id, { status: "PENDING", scheduledAt: decision.deferUntil, attemptCount: { decrement: 1 } }, "QUEUED", {
      reason: "quiet hours",
      deferredUntil: decision.deferUntil.toISOString(),
    });
    if (run.defer) return run.defer(decision.deferUntil);
    return "deferred";
  }

  const { targets, unreachable } = resolveTargets(channel, n);
  if (targets.length === 0) {
    await finish(db, n.id, { status: "SKIPPED", statusReason: unreachable }, "SKIPPED", { reason: unreachable });
    return "skipped";
  }

  // The attempt rows are written before the provider is called: if this process dies
  // mid-call, the SENDING attempt is the evidence that a hand-off may have happened.
  const attempts = await db.deliveryAttempt.createManyAndReturn({
    data: targets.map((t) => ({
      notificationId: n.id,
      attemptNumber: n.attemptCount,
      deviceId: t.device?.id,
      provider: provider.name,
      target: t.address,
    })),
  });

  const outcomes: TargetOutcome[] = await Promise.all(
    targets.map(async (target, i): Promise<TargetOutcome> => {
      const attemptId = attempts[i]!.id;
      try {
        const receipt = await provider.send(buildMessage(channel, n, target, attemptId, deps.defaults, { categoryRequired }));
        return { target, attemptId, ok: true, providerMessageId: receipt.providerMessageId, detail: receipt.detail };
      } catch (err) {
        return { target, attemptId, ok: false, error: asProviderError(err) };
      }
    }),
  );

  const finishedAt = new Date();
  await Promise.all(
    outcomes.map((o) =>
      db.deliveryAttempt.update({
        where: { id: o.attemptId },
        data: o.ok
          ? { status: "SUCCEEDED", providerMessageId: o.providerMessageId, finishedAt }
          : { status: "FAILED", errorCode: o.error.code, errorMessage: o.error.message.slice(0, 1000), retryable: o.error.retryable, finishedAt },
      }),
    ),
  );
  for (const o of outcomes) {
    if (!o.ok && o.error instanceof DeadTargetError) await deactivateTarget(db, n.recipientId, channel, o.target, o.error);
  }

  const succeeded = outcomes.filter((o) => o.ok);
  const failures = outcomes.flatMap((o) => (o.ok ? [] : [o.error]));
  if (succeeded.length > 0) {
    // Partial success on a multi-device push counts as sent; failed devices are recorded per attempt.
    await finish(db, n.id, { status: "SENT", sentAt: finishedAt, lastError: failures[0]?.message ?? null }, "SENT", {
      attempts: outcomes.map((o) => (o.ok ? { target: o.target.address, providerMessageId: o.providerMessageId, ...o.detail } : { target: o.target.address, error: o.error.code })),
    });
    return "sent";
  }

  const retryable = failures.find((e): e is RetryableProviderError => e instanceof RetryableProviderError);
  const lastError = failures.map((e) => e.message).join("; ").slice(0, 2000);
  if (!retryable) {
    await finish(db, n.id, { status: "FAILED", statusReason: failures[0]!.code, lastError }, "FAILED", { errors: failures.map((e) => ({ code: e.code, message: e.message })) });
    return "failed";
  }
  if (run.attempt >= run.maxAttempts) {
    await finish(db, n.id, { status: "DEAD", statusReason: `gave up after ${run.attempt} attempts`, lastError }, "DEAD_LETTERED", { lastError });
    log.warn({ notificationId: n.id, channel }, "dead-lettered");
    throw new UnrecoverableError(lastError);
  }
  // Back to QUEUED before BullMQ schedules the retry, so the next run can claim it again.
  await finish(db, n.id, { status: "QUEUED", lastError }, "RETRY_SCHEDULED", { code: retryable.code, retryAfterMs: retryable.retryAfterMs ?? null });
  throw retryable;
}

async function finish(
  db: Db,
  notificationId: string,
  data: Prisma.NotificationUpdateInput,
  event: Prisma.DeliveryEventCreateManyInput["type"],
  detail: Record<string, unknown>,
): Promise<void> {
  await db.$transaction([
    db.notification.update({ where: { id: notificationId }, data }),
    db.deliveryEvent.create({ data: { notificationId, type: event, detail: detail as Prisma.InputJsonValue } }),
  ]);
}
