import type { Notification } from "@notify/db";
import { CHANNEL_POLICIES, QUEUED_CHANNELS, type QueuedChannel } from "@notify/jobs";
import { parseChannelList, parseDuration } from "../channel-settings.js";

export interface RetryPolicy {
  /** Attempts (claims) per budget; a worker lost mid-delivery counts as one. */
  maxAttempts: number;
  /** How long after it became due (or was replayed) it is still retried. */
  maxAgeMs: number;
}

/** CHANNEL_POLICIES' defaults, overridden by RETRY_MAX_ATTEMPTS="SMS=10" and RETRY_MAX_AGE="SMS=2h". */
export function retryPolicies(maxAttempts: string | undefined, maxAge: string | undefined): Record<QueuedChannel, RetryPolicy> {
  const attempts = parseChannelList("RETRY_MAX_ATTEMPTS", maxAttempts, "SMS=6", (v) => (/^\d+$/.test(v) && Number(v) > 0 ? Number(v) : undefined));
  const ages = parseChannelList("RETRY_MAX_AGE", maxAge, "SMS=24h", parseDuration);
  return Object.fromEntries(
    QUEUED_CHANNELS.map((c) => [c, { maxAttempts: attempts[c] ?? CHANNEL_POLICIES[c].attempts, maxAgeMs: ages[c] ?? CHANNEL_POLICIES[c].maxAgeMs }]),
  ) as Record<QueuedChannel, RetryPolicy>;
}

type Budgeted = Pick<Notification, "attemptCount" | "attemptsBeforeReplay" | "replayedAt" | "scheduledAt" | "createdAt">;

/**
 * Why a notification that just failed retryably must not be retried again, or null if it may.
 * Counted from Postgres (the claim increments attemptCount), so a Redis restart or a sweeper
 * re-enqueue, which starts a fresh BullMQ job, does not reset it; a replay starts a new budget.
 */
export function budgetSpent(n: Budgeted, policy: RetryPolicy, now = new Date()): string | null {
  const attempts = n.attemptCount - n.attemptsBeforeReplay;
  if (attempts >= policy.maxAttempts) return `gave up after ${attempts} attempts`;
  const since = n.replayedAt ?? laterOf(n.scheduledAt, n.createdAt);
  const ageMs = now.getTime() - since.getTime();
  if (ageMs >= policy.maxAgeMs) return `gave up after ${attempts} attempts: still failing ${Math.round(ageMs / 1000)} s after it was due (max age ${Math.round(policy.maxAgeMs / 1000)} s)`;
  return null;
}

function laterOf(a: Date | null, b: Date): Date {
  return a && a > b ? a : b;
}
