import type { Db, Device, Notification, Recipient } from "@notify/db";

/** How early a scheduled notification may be claimed: absorbs clock skew between API and worker hosts. */
export const CLAIM_EARLY_TOLERANCE_MS = 1_000;

export type Claimed = Notification & { recipient: Recipient & { devices: Device[] } };

/**
 * The fence that keeps one notification from being handed to a provider twice: only the
 * worker whose UPDATE moves it out of PENDING/QUEUED may send it. A BullMQ stalled-job
 * redelivery, a sweeper re-enqueue or a second worker with the same job all lose this race, and
 * so does the job of a CANCELED notification.
 */
export async function claim(db: Db, notificationId: string): Promise<Claimed | null> {
  const { count } = await db.notification.updateMany({
    where: {
      id: notificationId,
      status: { in: ["PENDING", "QUEUED"] },
      // Not before its time: a delayed job that outlived a reschedule (or fires on a skewed clock)
      // must not send early; the replacement job, or the sweeper once it is due, delivers it.
      OR: [{ scheduledAt: null }, { scheduledAt: { lte: new Date(Date.now() + CLAIM_EARLY_TOLERANCE_MS) } }],
    },
    data: { status: "SENDING", attemptCount: { increment: 1 } },
  });
  if (count === 0) return null;
  return db.notification.findUniqueOrThrow({
    where: { id: notificationId },
    include: { recipient: { include: { devices: { where: { state: "ACTIVE" } } } } },
  });
}
