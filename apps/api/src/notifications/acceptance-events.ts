import type { Notification, Prisma } from "@notify/db";
import type { AcceptanceVerdict } from "./acceptance-gate.js";

/**
 * The timeline entries for what the acceptance check decided, beside each ACCEPTED event: a
 * SKIPPED one with the opt-out reason, or a QUEUED one saying quiet hours hold it (the same
 * detail the workers write when they defer at delivery time).
 */
export async function recordVerdicts(tx: Prisma.TransactionClient, notifications: Notification[], verdicts: AcceptanceVerdict[]): Promise<void> {
  const events: Prisma.DeliveryEventCreateManyInput[] = [];
  notifications.forEach((n, i) => {
    const v = verdicts[i]!;
    if (v.skipped) events.push({ notificationId: n.id, type: "SKIPPED", detail: { reason: v.skipped, at: "acceptance" } });
    else if (v.heldUntil) events.push({ notificationId: n.id, type: "QUEUED", detail: { reason: "quiet hours", deferredUntil: v.heldUntil.toISOString() } });
  });
  if (events.length) await tx.deliveryEvent.createMany({ data: events });
}
