import type { Db, Notification, Prisma } from "@notify/db";
import { nextCronRun, recurringRequestSchema, writeAccepted, type Enqueuer } from "@notify/jobs";
import type { Logger } from "pino";

export interface RecurringTickerOptions {
  /** How often to look for due schedules; cron expressions may have a seconds field. */
  intervalMs: number;
  /** Schedules per transaction; a full batch is followed at once by another pass. */
  batch?: number;
}

// Any constant works; it only has to be the same in every worker process (and differ from the sweeper's).
const TICK_LOCK = 7_242_002;

/**
 * Turns due recurring schedules into notifications. Each pass, under an advisory lock so one
 * worker process ticks at a time, it takes the active schedules whose nextRunAt has come, and in
 * one transaction per batch writes each one's notifications (copies of the request the API
 * validated and rendered at creation, linked by scheduleId) and moves nextRunAt to the cron
 * expression's next time after now. The rows are committed before anything is enqueued, as a
 * send's are: if Redis loses the jobs the sweeper enqueues them again.
 *
 * Ticks missed while no worker ran are coalesced into one notification, not replayed one by
 * one: a daily digest should not arrive five times after five days of downtime.
 */
export class RecurringTicker {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly db: Db,
    private readonly enqueuer: Enqueuer,
    private readonly log: Logger,
    private readonly opts: RecurringTickerOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.tickAll()
        .catch((err) => this.log.warn({ err }, "recurring tick failed"))
        .finally(() => (this.running = undefined));
    }, this.opts.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async tickAll(): Promise<void> {
    const batch = this.opts.batch ?? 500;
    // Keep going while batches come back full: a backlog drains in one interval.
    while ((await this.tick()).schedules === batch);
  }

  /** One batch; returns how many schedules fired and how many notifications they created. */
  async tick(now = new Date()): Promise<{ schedules: number; notifications: number }> {
    const batch = this.opts.batch ?? 500;
    const { fired, created } = await this.db.$transaction(
      async (tx) => {
        const [{ locked }] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${TICK_LOCK}) AS locked`;
        if (!locked) return { fired: 0, created: [] as Notification[] };
        // Row locks as well: cancelRecurringSchedule updates the row, so a cancel and a tick
        // serialize, and a schedule being canceled right now is skipped (SKIP LOCKED) until the
        // next pass, when it is no longer active.
        const due = await tx.$queryRaw<{ id: string }[]>`
          SELECT id FROM "RecurringSchedule"
          WHERE active AND "nextRunAt" <= ${now}
          ORDER BY "nextRunAt"
          LIMIT ${batch}
          FOR UPDATE SKIP LOCKED`;
        if (!due.length) return { fired: 0, created: [] as Notification[] };
        const schedules = await tx.recurringSchedule.findMany({ where: { id: { in: due.map((d) => d.id) } } });
        const created: Notification[] = [];
        for (const s of schedules) {
          const request = recurringRequestSchema.safeParse(s.request);
          let next: Date | null = null;
          try {
            next = nextCronRun(s.cron, s.timezone, now);
          } catch (err) {
            this.log.error({ err, scheduleId: s.id }, "recurring schedule's cron can no longer be evaluated; deactivating it");
          }
          if (!request.success || !next) {
            if (!request.success) this.log.error({ scheduleId: s.id, err: request.error.message }, "recurring schedule's stored request is malformed; deactivating it");
            await tx.recurringSchedule.update({ where: { id: s.id }, data: { active: false } });
            continue;
          }
          const { notifications, category, templateVersionId } = request.data;
          const rows: Prisma.NotificationCreateManyInput[] = notifications.map((n) => ({
            appId: s.appId,
            recipientId: s.recipientId,
            channel: n.channel,
            category,
            templateVersionId,
            content: n.content,
            data: (n.data ?? undefined) as Prisma.InputJsonValue | undefined,
            scheduleId: s.id,
            // The tick it was made for: already due, so it goes now, and a tick fired twice would show.
            scheduledAt: s.nextRunAt,
          }));
          // One call per schedule: writeAccepted takes each (recipient, channel) once per call.
          created.push(...(await writeAccepted(tx, rows)));
          await tx.recurringSchedule.update({ where: { id: s.id }, data: { lastRunAt: s.nextRunAt, nextRunAt: next } });
        }
        return { fired: schedules.length, created };
      },
      { timeout: 60_000 },
    );
    if (created.length) {
      await this.enqueuer.enqueue(created);
      this.log.info({ schedules: fired, notifications: created.length }, "recurring schedules fired");
    }
    return { schedules: fired, notifications: created.length };
  }
}
