import { Prisma, type Db, type Notification } from "@notify/db";
import { InputError, NotFoundError } from "../errors.js";
import type { RecipientService } from "../recipients/recipient.service.js";
import type { DeadLetterFilter, ReplayDeadLettersInput } from "./dead-letter.input.js";
import type { Enqueuer } from "./enqueue.js";
import { parseInstant } from "./send-at.js";
import { isUuid } from "../uuid.js";

export interface ReplayResult {
  replayed: number;
  notifications: Notification[];
  remaining: number;
}

const DEFAULT_REPLAY_LIMIT = 1_000;

/**
 * Dead letters are notifications whose retries ran out (status DEAD). Replaying one puts it back
 * in the outbox as if just accepted: QUEUED, with a whole new attempt budget and max age (the
 * worker counts attempts from attemptsBeforeReplay and age from replayedAt), a REPLAYED event on
 * its timeline, and a fresh job once the transaction has committed.
 */
export class DeadLetterService {
  constructor(
    private readonly db: Db,
    private readonly recipients: RecipientService,
    private readonly enqueuer: Enqueuer,
  ) {}

  /** Newest dead letters first. */
  async list(appId: string, filter: DeadLetterFilter | null | undefined, first: number): Promise<Notification[]> {
    return this.db.notification.findMany({
      where: await this.where(appId, filter ?? {}),
      orderBy: [{ deadLetteredAt: "desc" }, { id: "desc" }],
      take: Math.min(Math.max(first, 1), 500),
    });
  }

  async replay(appId: string, input: ReplayDeadLettersInput): Promise<ReplayResult> {
    if ((input.id == null) === (input.filter == null)) throw new InputError("ID_OR_FILTER", "Give id or filter, exactly one", "id");
    // Everything is checked before anything is written: a refused call changes nothing.
    const where = input.id != null ? await this.one(appId, input.id) : await this.where(appId, input.filter!);
    const limit = input.limit ?? DEFAULT_REPLAY_LIMIT;

    const { ids, remaining } = await this.db.$transaction(async (tx) => {
      const candidates = await tx.notification.findMany({ where, select: { id: true }, orderBy: [{ deadLetteredAt: "asc" }, { id: "asc" }], take: limit });
      // Conditional on DEAD, row by row: a concurrent replay of the same rows replays each once.
      const moved = candidates.length
        ? await tx.$queryRaw<{ id: string; attemptCount: number; lastErrorCode: string | null }[]>`
            UPDATE "Notification"
               SET status = 'QUEUED', "attemptsBeforeReplay" = "attemptCount", "replayedAt" = now(),
                   "deadLetteredAt" = NULL, "statusReason" = NULL, "updatedAt" = now()
             WHERE id = ANY(${candidates.map((c) => c.id)}::uuid[]) AND status = 'DEAD'
         RETURNING id, "attemptCount", "lastErrorCode"`
        : [];
      if (moved.length) {
        await tx.deliveryEvent.createMany({
          data: moved.map((m) => ({
            notificationId: m.id,
            type: "REPLAYED" as const,
            detail: { attemptsBefore: m.attemptCount, lastErrorCode: m.lastErrorCode } as Prisma.InputJsonValue,
          })),
        });
      }
      return { ids: moved.map((m) => m.id), remaining: input.id != null ? 0 : await tx.notification.count({ where }) };
    });

    const rows = ids.length ? await this.db.notification.findMany({ where: { id: { in: ids } }, orderBy: { createdAt: "asc" } }) : [];
    // The dead job is still in BullMQ's failed set under the same id (= notification id), and an
    // add with a taken id is a no-op: remove it first. If Redis is down, the rows stay QUEUED and
    // the outbox sweeper enqueues them.
    for (let i = 0; i < rows.length; i += 100) await Promise.all(rows.slice(i, i + 100).map((n) => this.enqueuer.remove(n)));
    await this.enqueuer.enqueue(rows.map((n) => ({ id: n.id, channel: n.channel })));
    return { replayed: rows.length, notifications: rows, remaining };
  }

  private async one(appId: string, id: string): Promise<Prisma.NotificationWhereInput> {
    const n = isUuid(id) ? await this.db.notification.findFirst({ where: { id, appId }, select: { status: true } }) : null;
    if (!n) throw new NotFoundError("Notification", id);
    if (n.status !== "DEAD") throw new InputError("NOT_DEAD", `Notification ${id} is ${n.status}; only DEAD notifications can be replayed`, "id");
    return { id, appId, status: "DEAD" };
  }

  private async where(appId: string, filter: DeadLetterFilter): Promise<Prisma.NotificationWhereInput> {
    const after = filter.deadAfter != null ? instant(filter.deadAfter, "filter.deadAfter") : undefined;
    const before = filter.deadBefore != null ? instant(filter.deadBefore, "filter.deadBefore") : undefined;
    if (after && before && after >= before) throw new InputError("EMPTY_RANGE", "filter.deadAfter must be before filter.deadBefore", "filter.deadAfter");
    const recipient = filter.externalId != null ? await this.recipients.get(appId, filter.externalId) : undefined;
    return {
      appId,
      status: "DEAD",
      ...(filter.channel != null ? { channel: filter.channel } : {}),
      ...(recipient ? { recipientId: recipient.id } : {}),
      ...(filter.errorCode != null ? { lastErrorCode: filter.errorCode } : {}),
      ...(after || before ? { deadLetteredAt: { ...(after ? { gte: after } : {}), ...(before ? { lt: before } : {}) } } : {}),
    };
  }
}

function instant(value: string, field: string): Date {
  try {
    return parseInstant(value, field);
  } catch (err) {
    throw err instanceof InputError ? new InputError("INVALID_TIME", err.message, field) : err;
  }
}
