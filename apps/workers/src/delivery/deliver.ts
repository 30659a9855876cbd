import { randomUUID } from "node:crypto";
import { DelayedError, UnrecoverableError } from "bullmq";
import type { Db } from "@notify/db";
import type { QueuedChannel } from "@notify/jobs";
import type { Logger } from "pino";
import { DeadTargetError, ProviderError, RetryableProviderError } from "../providers/errors.js";
import type { ChannelMessages, Provider } from "../providers/provider.js";
import type { Claimed } from "./claim.js";
import { durably } from "./durably.js";
import type { DeliveryLedger, FinishRow } from "./ledger.js";
import { buildMessage, type MessageDefaults } from "./messages.js";
import { asProviderError, deactivateTarget, type TargetOutcome } from "./outcome.js";
import { checkPreferences } from "./preference-gate.js";
import { capWakeUp, type RecipientCaps } from "./recipient-caps.js";
import { budgetSpent, type RetryPolicy } from "./retry-budget.js";
import { resolveTargets } from "./targets.js";

export interface DeliverDeps<C extends QueuedChannel> {
  db: Db;
  /** The delivery path's own writes, batched across this channel worker's concurrent jobs. */
  ledger: DeliveryLedger;
  channel: C;
  provider: Provider<ChannelMessages[C]>;
  defaults: MessageDefaults;
  log: Logger;
  /** When retryable failures stop being retried and the notification is dead-lettered. */
  retry: RetryPolicy;
  /** Per-recipient anti-spam caps (RECIPIENT_CAPS); none when absent. */
  caps?: RecipientCaps;
}

export interface DeliveryAttemptInfo {
  /** 1-based BullMQ attempt number of this run of the job (the retry budget is counted in Postgres). */
  attempt: number;
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
  const n = await deps.ledger.claim(notificationId);
  if (!n) return "not-claimed";
  try {
    return await handOff(deps, n, run);
  } catch (err) {
    if (err instanceof ProviderError || err instanceof UnrecoverableError || err instanceof DelayedError) throw err;
    // Postgres or Redis failed before the outcome was recorded. If no attempt reached a provider,
    // give the claim back now so BullMQ's retry can claim it, instead of leaving it SENDING for
    // the sweeper. (Once an attempt exists, only the sweeper may decide: it may have been sent.)
    await releaseUnsentClaim(deps.db, n).catch(() => undefined);
    throw err;
  }
}

async function handOff<C extends QueuedChannel>(deps: DeliverDeps<C>, n: Claimed, run: DeliveryAttemptInfo): Promise<DeliveryResult> {
  const { db, ledger, channel, provider, log } = deps;
  // Records a state change and its event, fenced like the claim: only while this run still holds
  // the claim (SENDING at the attempt number it claimed). If the sweeper has meanwhile taken the
  // notification back from a worker it thought dead, this run's late word changes nothing.
  const finish = (data: FinishRow["data"], event: FinishRow["event"], detail: FinishRow["detail"]) =>
    durably(undefined, "record the outcome", () => ledger.finish({ claim: n, data, event, detail }));

  // Preferences again, now: the recipient may have opted out or gone quiet since acceptance.
  const { decision, categoryRequired } = await checkPreferences(ledger, n, channel);
  if (!decision.allowed) {
    const reason = `opted out after acceptance: ${decision.reason}`;
    await finish({ status: "SKIPPED", statusReason: reason }, "SKIPPED", { reason });
    return "skipped";
  }
  if (decision.deferUntil) {
    // Release the claim first (SENDING → PENDING, not due until the window ends), then park the
    // same job: the job id stays the notification id and the next run has to win the claim again.
    await finish({ status: "PENDING", scheduledAt: decision.deferUntil, attemptCount: { decrement: 1 } }, "QUEUED", {
      reason: "quiet hours",
      deferredUntil: decision.deferUntil.toISOString(),
    });
    if (run.defer) return run.defer(decision.deferUntil);
    return "deferred";
  }

  const { targets, unreachable } = resolveTargets(channel, n);
  if (targets.length === 0) {
    await finish({ status: "SKIPPED", statusReason: unreachable }, "SKIPPED", { reason: unreachable });
    return "skipped";
  }

  // Anti-spam cap: over it, the notification waits for a free slot exactly as for quiet hours.
  const capWait = await deps.caps?.reserve(channel, n.recipientId, n.id);
  if (capWait != null) {
    const cap = deps.caps!.capOf(channel)!;
    const until = capWakeUp(capWait, cap);
    await finish({ status: "PENDING", scheduledAt: until, attemptCount: { decrement: 1 } }, "QUEUED", {
      reason: `recipient cap: at most ${cap.max} per ${cap.windowMs / 1000} s on ${channel}`,
      deferredUntil: until.toISOString(),
    });
    if (run.defer) return run.defer(until);
    return "deferred";
  }

  // The attempt rows are written before the provider is called: if this process dies
  // mid-call, the SENDING attempt is the evidence that a hand-off may have happened.
  const attempts = targets.map((t) => ({
    id: randomUUID(),
    notificationId: n.id,
    attemptNumber: n.attemptCount,
    deviceId: t.device?.id,
    provider: provider.name,
    target: t.address,
  }));
  await ledger.openAttempts(attempts);

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
  // From here on a provider may have accepted the message: the outcome is written through short
  // Postgres outages rather than left for the sweeper, which would have to assume the worst.
  await durably(log, "record attempt outcomes", () =>
    ledger.closeAttempts(
      outcomes.map((o) =>
        o.ok
          ? { attemptId: o.attemptId, ok: true, providerMessageId: o.providerMessageId, finishedAt }
          : { attemptId: o.attemptId, ok: false, errorCode: o.error.code, errorMessage: o.error.message.slice(0, 1000), retryable: o.error.retryable, finishedAt },
      ),
    ),
  );
  for (const o of outcomes) {
    if (!o.ok && o.error instanceof DeadTargetError) await deactivateTarget(db, n.recipientId, channel, o.target, o.error);
  }

  const succeeded = outcomes.filter((o) => o.ok);
  const failures = outcomes.flatMap((o) => (o.ok ? [] : [o.error]));
  if (succeeded.length > 0) {
    // Partial success on a multi-device push counts as sent; failed devices are recorded per attempt.
    await finish({ status: "SENT", sentAt: finishedAt, lastError: failures[0]?.message ?? null, lastErrorCode: failures[0]?.code ?? null }, "SENT", {
      attempts: outcomes.map((o) => (o.ok ? { target: o.target.address, providerMessageId: o.providerMessageId, ...o.detail } : { target: o.target.address, error: o.error.code })),
    });
    return "sent";
  }

  // Nothing reached the recipient: the cap slot is free again.
  await deps.caps?.release(channel, n.recipientId, n.id);
  const retryable = failures.find((e): e is RetryableProviderError => e instanceof RetryableProviderError);
  const lastError = failures.map((e) => e.message).join("; ").slice(0, 2000);
  if (!retryable) {
    await finish({ status: "FAILED", statusReason: failures[0]!.code, lastError, lastErrorCode: failures[0]!.code }, "FAILED", {
      errors: failures.map((e) => ({ code: e.code, message: e.message })),
    });
    return "failed";
  }
  const spent = budgetSpent(n, deps.retry);
  if (spent) {
    await finish({ status: "DEAD", statusReason: spent, lastError, lastErrorCode: retryable.code, deadLetteredAt: new Date() }, "DEAD_LETTERED", {
      reason: spent,
      code: retryable.code,
      lastError,
    });
    log.warn({ notificationId: n.id, channel, reason: spent }, "dead-lettered");
    throw new UnrecoverableError(lastError);
  }
  // Back to QUEUED before BullMQ schedules the retry, so the next run can claim it again.
  await finish({ status: "QUEUED", lastError, lastErrorCode: retryable.code }, "RETRY_SCHEDULED", { code: retryable.code, retryAfterMs: retryable.retryAfterMs ?? null });
  throw retryable;
}

/** Gives the claim back when nothing was handed to a provider (no attempt row, or only unsent ones). */
async function releaseUnsentClaim(db: Db, n: Claimed): Promise<void> {
  await db.$transaction(async (tx) => {
    const sent = await tx.deliveryAttempt.count({ where: { notificationId: n.id, attemptNumber: n.attemptCount } });
    if (sent > 0) return;
    await tx.notification.updateMany({ where: { id: n.id, status: "SENDING", attemptCount: n.attemptCount }, data: { status: "QUEUED", attemptCount: { decrement: 1 } } });
  });
}
