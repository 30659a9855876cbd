import type { Device, Notification, Prisma, Recipient } from "@notify/db";

/** How early a scheduled notification may be claimed: absorbs clock skew between API and worker hosts. */
export const CLAIM_EARLY_TOLERANCE_MS = 1_000;

export type Claimed = Notification & { recipient: Recipient & { devices: Device[] } };

/**
 * The fence that keeps one notification from being handed to a provider twice: only the
 * worker whose UPDATE moves it out of PENDING/QUEUED (to SENDING, attemptCount + 1) may send
 * it. A BullMQ stalled-job redelivery, a sweeper re-enqueue or a second worker with the same job
 * all lose this race, and so does the job of a CANCELED notification. The ledger runs the
 * UPDATE (batched); this is its condition.
 */
export function claimableWhere(now = Date.now()): Prisma.NotificationWhereInput {
  return {
    status: { in: ["PENDING", "QUEUED"] },
    // Not before its time: a delayed job that outlived a reschedule (or fires on a skewed clock)
    // must not send early; the replacement job, or the sweeper once it is due, delivers it.
    OR: [{ scheduledAt: null }, { scheduledAt: { lte: new Date(now + CLAIM_EARLY_TOLERANCE_MS) } }],
  };
}
