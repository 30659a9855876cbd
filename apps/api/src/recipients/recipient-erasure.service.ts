import { randomUUID } from "node:crypto";
import type { Db, Tx } from "@notify/db";
import type { Enqueuer } from "../notifications/enqueue.js";
import { NotFoundError } from "../errors.js";

export interface ErasureResult {
  /** Past notifications kept for the stats, with their content erased. */
  notificationsErased: number;
  /** Scheduled or queued ones canceled first, so nothing more is sent to the person. */
  notificationsCanceled: number;
  devicesDeleted: number;
  preferencesDeleted: number;
  topicSubscriptionsDeleted: number;
  schedulesDeleted: number;
  idempotencyRecordsDeleted: number;
}

/**
 * Erases a recipient (a data subject's request): every column that can hold their personal data
 * is cleared or deleted in one transaction. What stays is anonymous: their notifications keep
 * app, channel, status, category, template version and timestamps (so templateStats and other
 * counts do not change), but now hang off a tombstone recipient with a random externalId and
 * no contact points, so nothing links them back to the person. The externalId is free again: a
 * later upsert creates a new recipient with no history, preferences or devices.
 *
 * Erased, per prisma/schema.prisma: Recipient (email, phone, locale, timezone, quiet hours and
 * the dead-address markers), Device (tokens, Web Push keys), Preference, TopicSubscription,
 * RecurringSchedule (its stored request holds rendered content), IdempotencyKey rows naming
 * their notifications, Notification content/data/idempotencyKey/lastError/statusReason,
 * DeliveryAttempt target and errorMessage, DeliveryEvent detail (provider payloads).
 */
export class RecipientErasureService {
  constructor(
    private readonly db: Db,
    private readonly enqueuer: Enqueuer,
  ) {}

  /** `record` writes the audit row inside the erasure's transaction: no erasure without its row. */
  async erase(appId: string, externalId: string, record?: (tx: Tx, result: ErasureResult) => Promise<void>): Promise<ErasureResult> {
    const { result, canceled } = await this.db.$transaction(async (tx) => {
      // The row lock makes a concurrent send to this recipient wait for the erasure (or finish first).
      const [recipient] = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM "Recipient" WHERE "appId" = ${appId}::uuid AND "externalId" = ${externalId} FOR UPDATE`;
      if (!recipient) throw new NotFoundError("Recipient", externalId);
      const rid = recipient.id;
      const canceled = await cancelOpen(tx, rid);

      const idempotencyRecordsDeleted = await tx.$executeRaw`
        DELETE FROM "IdempotencyKey"
         WHERE "appId" = ${appId}::uuid
           AND "notificationIds" && ARRAY(SELECT id FROM "Notification" WHERE "recipientId" = ${rid}::uuid)`;
      await tx.$executeRaw`
        UPDATE "DeliveryEvent" SET detail = NULL
         WHERE "notificationId" IN (SELECT id FROM "Notification" WHERE "recipientId" = ${rid}::uuid)`;
      // The target stays unique per (notification, attempt number): a push attempt has one row per device.
      await tx.$executeRaw`
        UPDATE "DeliveryAttempt" SET target = 'erased:' || id::text, "errorMessage" = NULL
         WHERE "notificationId" IN (SELECT id FROM "Notification" WHERE "recipientId" = ${rid}::uuid)`;

      const tombstone = await tx.recipient.create({ data: { appId, externalId: `erased:${randomUUID()}` }, select: { id: true } });
      const notificationsErased = await tx.$executeRaw`
        UPDATE "Notification"
           SET content = '{}'::jsonb, data = NULL, "idempotencyKey" = NULL, "lastError" = NULL, "statusReason" = NULL,
               "recipientId" = ${tombstone.id}::uuid, "scheduleId" = NULL
         WHERE "recipientId" = ${rid}::uuid`;

      const devices = await tx.device.deleteMany({ where: { recipientId: rid } });
      const preferences = await tx.preference.deleteMany({ where: { recipientId: rid } });
      const topics = await tx.topicSubscription.deleteMany({ where: { recipientId: rid } });
      const schedules = await tx.recurringSchedule.deleteMany({ where: { recipientId: rid } });
      await tx.recipient.delete({ where: { id: rid } });
      const result: ErasureResult = {
        notificationsErased,
        notificationsCanceled: canceled.length,
        devicesDeleted: devices.count,
        preferencesDeleted: preferences.count,
        topicSubscriptionsDeleted: topics.count,
        schedulesDeleted: schedules.count,
        idempotencyRecordsDeleted,
      };
      await record?.(tx, result);
      return { canceled, result };
    });
    // After commit: a worker that still takes one of these jobs finds it CANCELED and skips it.
    for (const n of canceled) await this.enqueuer.remove(n);
    return result;
  }
}

async function cancelOpen(tx: Tx, recipientId: string) {
  const open = await tx.notification.findMany({ where: { recipientId, status: { in: ["PENDING", "QUEUED"] } }, select: { id: true, channel: true } });
  if (!open.length) return open;
  await tx.notification.updateMany({ where: { id: { in: open.map((o) => o.id) } }, data: { status: "CANCELED" } });
  await tx.deliveryEvent.createMany({ data: open.map((o) => ({ notificationId: o.id, type: "CANCELED" as const })) });
  return open;
}
