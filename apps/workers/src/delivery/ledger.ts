import DataLoader from "dataloader";
import { Prisma, type Category, type ChannelScope, type Db, type Preference } from "@notify/db";
import type { QueuedChannel } from "@notify/jobs";
import { ANY_CATEGORY } from "@notify/preferences";
import { claimableWhere, type Claimed } from "./claim.js";

export interface LedgerOptions {
  /** How long the first write of a batch waits for the channel worker's other jobs to join it. */
  waitMs: number;
  /** The most notifications per batched statement. */
  maxBatch: number;
}

export interface AttemptRow {
  /** Chosen by the worker, so the caller knows its attempt ids without reading them back. */
  id: string;
  notificationId: string;
  attemptNumber: number;
  deviceId?: string;
  provider: string;
  target: string;
}

export type AttemptOutcomeRow =
  | { attemptId: string; ok: true; providerMessageId?: string; finishedAt: Date }
  | { attemptId: string; ok: false; errorCode: string; errorMessage: string; retryable: boolean; finishedAt: Date };

export interface FinishRow {
  /** The claim this run holds: the write only lands while the notification is still SENDING at this attempt. */
  claim: Pick<Claimed, "id" | "attemptCount">;
  data: Prisma.NotificationUpdateManyMutationInput;
  event: Prisma.DeliveryEventCreateManyInput["type"];
  detail: Record<string, unknown>;
}

export interface PreferenceRows {
  preferences: Preference[];
  category: Category | null;
}

interface PreferenceKey {
  appId: string;
  recipientId: string;
  channel: QueuedChannel;
  category: string | null;
}

/**
 * The Postgres side of delivery, batched across the jobs a channel worker runs at once.
 *
 * A worker holds up to its concurrency in jobs, and each job makes the same handful of writes
 * (claim, attempt rows, attempt outcomes, final status). Done one job at a time that is a dozen
 * round trips per notification, and the round trips — not the SQL — were what bounded delivery
 * (bench profile: most worker and Postgres time went to per-statement overhead). Here each kind
 * of write waits `waitMs` for the others and goes out as one statement for all of them, through
 * DataLoader's batching (no caching: every call is a fresh read or write).
 *
 * Every write keeps its per-notification meaning: the claim is still a fenced state transition
 * (a notification appears once per batch, and only the run that moved it out of PENDING/QUEUED
 * gets it), and the final write still only lands while that run holds the claim. A batch that
 * fails is tried again one row at a time, so a row Postgres refuses fails only its own job (each
 * batched write is one statement or one transaction, so a failed batch wrote nothing).
 */
export class DeliveryLedger {
  private readonly claims: DataLoader<string, Claimed | null>;
  private readonly preferenceReads: DataLoader<PreferenceKey, PreferenceRows>;
  private readonly attemptInserts: DataLoader<AttemptRow, true>;
  private readonly attemptOutcomes: DataLoader<AttemptOutcomeRow, true>;
  private readonly finishes: DataLoader<FinishRow, boolean>;

  constructor(
    private readonly db: Db,
    options: LedgerOptions,
  ) {
    const batching = {
      cache: false,
      maxBatchSize: options.maxBatch,
      batchScheduleFn: (run: () => void) => (options.waitMs > 0 ? setTimeout(run, options.waitMs) : setImmediate(run)),
    } as const;
    this.claims = new DataLoader((ids) => this.claimMany(ids), batching);
    this.preferenceReads = new DataLoader((keys) => this.readPreferences(keys), batching);
    this.attemptInserts = new DataLoader((rows) => eachAloneOnFailure(rows, (r) => this.insertAttempts(r)), batching);
    this.attemptOutcomes = new DataLoader((rows) => eachAloneOnFailure(rows, (r) => this.recordOutcomes(r)), batching);
    this.finishes = new DataLoader((rows) => eachAloneOnFailure(rows, (r) => this.finishMany(r)), batching);
  }

  /** The fenced claim (see claim.ts): the notification with its recipient and active devices, or null if another run has it. */
  claim(notificationId: string): Promise<Claimed | null> {
    return this.claims.load(notificationId);
  }

  /** The preference rules that can apply to this notification on this channel, and its category. */
  preferences(key: PreferenceKey): Promise<PreferenceRows> {
    return this.preferenceReads.load(key);
  }

  /** Writes attempt rows (status SENDING) before their provider call: the evidence a hand-off may have happened. */
  async openAttempts(rows: AttemptRow[]): Promise<void> {
    await Promise.all(rows.map((row) => this.attemptInserts.load(row)));
  }

  async closeAttempts(rows: AttemptOutcomeRow[]): Promise<void> {
    await Promise.all(rows.map((row) => this.attemptOutcomes.load(row)));
  }

  /** Records a state change and its event while the claim still holds; false if it no longer did. */
  finish(row: FinishRow): Promise<boolean> {
    return this.finishes.load(row);
  }

  private async claimMany(ids: readonly string[]): Promise<(Claimed | null)[]> {
    const unique = [...new Set(ids)];
    const claimed = await this.db.notification.updateManyAndReturn({
      where: { id: { in: unique }, ...claimableWhere() },
      data: { status: "SENDING", attemptCount: { increment: 1 } },
    });
    const recipientIds = [...new Set(claimed.map((n) => n.recipientId))];
    const recipients = recipientIds.length
      ? await this.db.recipient.findMany({ where: { id: { in: recipientIds } }, include: { devices: { where: { state: "ACTIVE" } } } })
      : [];
    const recipientById = new Map(recipients.map((r) => [r.id, r]));
    const byId = new Map(claimed.map((n) => [n.id, { ...n, recipient: recipientById.get(n.recipientId)! }]));
    // The same job twice in one batch (a stalled-job redelivery beside the original run): the
    // claim happened once, so only the first caller gets it.
    return ids.map((id) => {
      const n = byId.get(id) ?? null;
      byId.delete(id);
      return n;
    });
  }

  private async readPreferences(keys: readonly PreferenceKey[]): Promise<PreferenceRows[]> {
    const channels = [...new Set(keys.map((k) => k.channel)), "ALL"] as ChannelScope[];
    const withCategory = keys.filter((k) => k.category);
    const [preferences, categories] = await Promise.all([
      this.db.preference.findMany({ where: { recipientId: { in: [...new Set(keys.map((k) => k.recipientId))] }, channel: { in: channels } } }),
      withCategory.length
        ? this.db.category.findMany({ where: { OR: withCategory.map((k) => ({ appId: k.appId, key: k.category! })) } })
        : Promise.resolve([] as Category[]),
    ]);
    return keys.map((k) => ({
      preferences: preferences.filter(
        (p) => p.recipientId === k.recipientId && (p.channel === k.channel || p.channel === "ALL") && (p.category === ANY_CATEGORY || p.category === k.category),
      ),
      category: (k.category && categories.find((c) => c.appId === k.appId && c.key === k.category)) || null,
    }));
  }

  private async insertAttempts(rows: readonly AttemptRow[]): Promise<true[]> {
    await this.db.deliveryAttempt.createMany({ data: [...rows] });
    return rows.map(() => true);
  }

  /**
   * One UPDATE … FROM unnest(…) for every outcome in the batch. Raw SQL because each row gets
   * its own values (message id, error), which Prisma's updateMany cannot express; the column
   * names are those of schema.prisma's DeliveryAttempt. Timestamps go in as UTC ISO text, which
   * a timestamp(3) column (Prisma's DateTime, stored in UTC) takes as is.
   */
  private async recordOutcomes(rows: readonly AttemptOutcomeRow[]): Promise<true[]> {
    const col = <T>(pick: (r: AttemptOutcomeRow) => T) => rows.map(pick);
    await this.db.$executeRaw`
      UPDATE "DeliveryAttempt" AS a
      SET "status" = v.status::"AttemptStatus", "providerMessageId" = v.message_id, "errorCode" = v.error_code,
          "errorMessage" = v.error_message, "retryable" = v.retryable, "finishedAt" = v.finished_at::timestamp(3)
      FROM unnest(
        ${col((r) => r.attemptId)}::uuid[], ${col((r) => (r.ok ? "SUCCEEDED" : "FAILED"))}::text[],
        ${col((r) => (r.ok ? (r.providerMessageId ?? null) : null))}::text[], ${col((r) => (r.ok ? null : r.errorCode))}::text[],
        ${col((r) => (r.ok ? null : r.errorMessage))}::text[], ${col((r) => (r.ok ? null : r.retryable))}::boolean[],
        ${col((r) => r.finishedAt.toISOString())}::text[]
      ) AS v(id, status, message_id, error_code, error_message, retryable, finished_at)
      WHERE a."id" = v.id`;
    return rows.map(() => true);
  }

  /**
   * Rows that set the same fields to the same values (SENT, most of the time) share one fenced
   * UPDATE; their events go in with one INSERT; all in one transaction. The "it happened now"
   * stamps (sentAt, deadLetteredAt) are not part of "the same values": rows that differ only in
   * them take the first row's, a few milliseconds apart at most. Any other time (a deferral's
   * scheduledAt) keeps rows apart.
   */
  private async finishMany(rows: readonly FinishRow[]): Promise<boolean[]> {
    const groups = new Map<string, FinishRow[]>();
    for (const row of rows) {
      const key = row.event + JSON.stringify(row.data, (k, v: unknown) => (NOW_STAMPS.has(k) ? "<now>" : v));
      const group = groups.get(key);
      if (group) group.push(row);
      else groups.set(key, [row]);
    }
    const landed = new Set<string>();
    await this.db.$transaction(async (tx) => {
      for (const group of groups.values()) {
        const won = await tx.notification.updateManyAndReturn({
          where: { status: "SENDING", OR: group.map((r) => ({ id: r.claim.id, attemptCount: r.claim.attemptCount })) },
          data: group[0]!.data,
          select: { id: true },
        });
        for (const { id } of won) landed.add(id);
      }
      const events = rows.filter((r) => landed.has(r.claim.id));
      if (events.length) {
        await tx.deliveryEvent.createMany({
          data: events.map((r) => ({ notificationId: r.claim.id, type: r.event, detail: r.detail as Prisma.InputJsonValue })),
        });
      }
    });
    return rows.map((r) => landed.has(r.claim.id));
  }
}

const NOW_STAMPS = new Set(["sentAt", "deadLetteredAt"]);

/**
 * Runs a batched write; if it fails, runs each row alone and hands each caller its own result or
 * error. During a Postgres outage every row fails again, and each caller retries as it would have.
 */
async function eachAloneOnFailure<R, V>(rows: readonly R[], write: (rows: readonly R[]) => Promise<V[]>): Promise<(V | Error)[]> {
  try {
    return await write(rows);
  } catch (err) {
    if (rows.length === 1) throw err;
    return Promise.all(rows.map((row) => write([row]).then((result) => result[0]!, (e: unknown) => (e instanceof Error ? e : new Error(String(e))))));
  }
}
