import type { Db, Notification } from "@notify/db";
import { ConflictError, InputError, NotFoundError } from "../errors.js";
import type { Enqueuer } from "./enqueue.js";
import { assertSchedulable, resolveSendAt } from "./send-at.js";
import type { RescheduleInput } from "./schedule.input.js";

/** Statuses a notification can still be canceled or moved from: no worker has claimed it. */
const NOT_CLAIMED = ["PENDING", "QUEUED"] as const;

/**
 * Cancel and reschedule. Both are conditional UPDATEs on the status, the same fence the
 * worker's claim uses, so whichever commits first wins and the other sees it: a notification a
 * worker has claimed is not canceled, and a canceled one is not claimed.
 */
export class ScheduleService {
  constructor(
    private readonly db: Db,
    private readonly enqueuer: Enqueuer,
  ) {}

  async cancel(appId: string, id: string): Promise<Notification> {
    const n = await this.find(appId, id);
    if (n.status === "CANCELED") return n; // a retried cancel
    const canceled = await this.db.$transaction(async (tx) => {
      const { count } = await tx.notification.updateMany({
        where: { id, status: { in: [...NOT_CLAIMED] } },
        data: { status: "CANCELED", statusReason: "canceled" },
      });
      if (count) await tx.deliveryEvent.create({ data: { notificationId: id, type: "CANCELED" } });
      return count > 0;
    });
    if (!canceled) throw this.tooLate(await this.find(appId, id), "NOT_CANCELABLE", "canceled");
    await this.enqueuer.remove(n);
    return this.find(appId, id);
  }

  async reschedule(appId: string, id: string, input: RescheduleInput): Promise<Notification> {
    const n = await this.db.notification.findFirst({ where: { id, appId }, include: { recipient: { select: { timezone: true } } } });
    if (!n) throw new NotFoundError("Notification", id);
    if (input.sendAt == null && input.sendAtLocal == null) throw new InputError("MISSING_SEND_AT", "Give sendAt or sendAtLocal", "sendAt");
    const at = resolveSendAt(input, n.recipient.timezone)!;
    assertSchedulable([n.channel]);
    // Back to PENDING: it is waiting for its time again, whatever queue state it had.
    const { count } = await this.db.notification.updateMany({
      where: { id, status: { in: [...NOT_CLAIMED] } },
      data: { scheduledAt: at, status: "PENDING" },
    });
    if (!count) throw this.tooLate(await this.find(appId, id), "NOT_RESCHEDULABLE", "rescheduled");
    // Replace the delayed job. If the old one is running it cannot be removed and the add is a
    // no-op (same job id); its claim then refuses the not-yet-due notification and the sweeper
    // enqueues it once due. Either way it is sent once, at the new time.
    await this.enqueuer.remove(n);
    await this.enqueuer.enqueue([{ id, channel: n.channel, scheduledAt: at }]);
    return this.find(appId, id);
  }

  private async find(appId: string, id: string): Promise<Notification> {
    const n = await this.db.notification.findFirst({ where: { id, appId } });
    if (!n) throw new NotFoundError("Notification", id);
    return n;
  }

  private tooLate(n: Notification, reason: string, verb: string): ConflictError {
    return new ConflictError(reason, `Notification ${n.id} is ${n.status}; only PENDING or QUEUED notifications can be ${verb}`);
  }
}
