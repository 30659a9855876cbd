import type { Channel, Db, Prisma, RecurringSchedule as Row } from "@notify/db";
import { CronError, nextCronRun, recurringRequestSchema, type Enqueuer, type RecurringRequest } from "@notify/jobs";
import { TOKEN_SCHEDULES_PER_RECIPIENT } from "../auth/recipient-token-policy.js";
import { ConflictError, InputError, NotFoundError } from "../errors.js";
import { assertDataSize, contentForChannel } from "../notifications/channel-content.js";
import { assertReachable } from "../notifications/reachability.js";
import type { RecipientService } from "../recipients/recipient.service.js";
import type { TemplateService } from "../templates/template.service.js";
import type { CreateRecurringScheduleInput } from "./recurring.input.js";
import type { RecurringSchedule } from "./recurring.type.js";

/**
 * Recurring schedules. The API validates and renders the request once, here, with the same checks
 * and renderer a send uses; the workers' ticker (apps/workers/src/recurring.ts) turns each due
 * tick into notifications by copying the stored rows.
 */
export class RecurringService {
  constructor(
    private readonly db: Db,
    private readonly recipients: RecipientService,
    private readonly templates: TemplateService,
    private readonly enqueuer: Enqueuer,
  ) {}

  /**
   * `createdByTokenId`: the recipient token creating it (the principal guard has already held its
   * cron to the tokens' minimum interval); at most TOKEN_SCHEDULES_PER_RECIPIENT of a recipient's
   * active schedules may come from tokens.
   */
  async create(appId: string, input: CreateRecurringScheduleInput, { createdByTokenId }: { createdByTokenId?: string } = {}): Promise<RecurringSchedule> {
    const req = input.request;
    const channels = [...new Set(req.channels)];
    if (channels.length !== req.channels.length) throw new InputError("DUPLICATE_CHANNEL", "channels lists a channel twice", "request.channels");
    assertDataSize(req.data ?? undefined);
    if (!req.content && !req.template) throw new InputError("MISSING_CONTENT", "Give content or template", "request.content");
    if (req.content && req.template) throw new InputError("CONTENT_AND_TEMPLATE", "Give content or template, not both", "request.template");
    const nextRunAt = firstRun(input.cron, input.timezone);

    const recipient = await this.recipients.get(appId, input.externalId);
    for (const channel of channels) await assertReachable(this.db, recipient, channel);
    const request: RecurringRequest = req.content
      ? {
          notifications: channels.map((channel) => ({ channel, content: contentForChannel(channel, req.content!, req.data ?? undefined), data: req.data })),
          category: req.category,
        }
      : await this.rendered(appId, channels, req.template!, recipient.locale, req.data ?? undefined, req.category);

    const data = {
      appId,
      recipientId: recipient.id,
      cron: input.cron.trim(),
      timezone: input.timezone,
      request: recurringRequestSchema.parse(request) as Prisma.InputJsonValue,
      nextRunAt,
      createdByTokenId: createdByTokenId ?? null,
    };
    if (!createdByTokenId) return toView(await this.db.recurringSchedule.create({ data }));
    const row = await this.db.$transaction(async (tx) => {
      // The recipient's row lock serializes concurrent creates, so the cap cannot be raced past.
      await tx.$queryRaw`SELECT 1 FROM "Recipient" WHERE id = ${recipient.id}::uuid FOR UPDATE`;
      const active = await tx.recurringSchedule.count({ where: { recipientId: recipient.id, active: true, createdByTokenId: { not: null } } });
      if (active >= TOKEN_SCHEDULES_PER_RECIPIENT)
        throw new ConflictError(
          "TOO_MANY_SCHEDULES",
          `A recipient may have at most ${TOKEN_SCHEDULES_PER_RECIPIENT} active schedules made with recipient tokens; cancel one first`,
        );
      return tx.recurringSchedule.create({ data });
    });
    return toView(row);
  }

  /**
   * Stops the schedule and cancels what it created that no worker has picked up yet. Waits for a
   * tick in progress (the ticker holds the row lock), so nothing new is created after it returns.
   */
  async cancel(appId: string, id: string): Promise<RecurringSchedule> {
    const { row, canceled } = await this.db.$transaction(async (tx) => {
      const { count } = await tx.recurringSchedule.updateMany({ where: { id, appId }, data: { active: false } });
      if (!count) throw new NotFoundError("RecurringSchedule", id);
      const open = await tx.notification.findMany({ where: { scheduleId: id, status: { in: ["PENDING", "QUEUED"] } }, select: { id: true, channel: true } });
      const { count: n } = await tx.notification.updateMany({
        where: { id: { in: open.map((o) => o.id) }, status: { in: ["PENDING", "QUEUED"] } },
        data: { status: "CANCELED", statusReason: "schedule canceled" },
      });
      if (n) await tx.deliveryEvent.createMany({ data: open.map((o) => ({ notificationId: o.id, type: "CANCELED" as const })) });
      return { row: await tx.recurringSchedule.findUniqueOrThrow({ where: { id } }), canceled: open };
    });
    for (const n of canceled) await this.enqueuer.remove(n);
    return toView(row);
  }

  async list(appId: string, externalId: string): Promise<RecurringSchedule[]> {
    const recipient = await this.recipients.get(appId, externalId);
    const rows = await this.db.recurringSchedule.findMany({ where: { appId, recipientId: recipient.id }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
    return rows.map(toView);
  }

  private async rendered(
    appId: string,
    channels: Channel[],
    template: NonNullable<CreateRecurringScheduleInput["request"]["template"]>,
    locale: string | null,
    data: Record<string, unknown> | undefined,
    category: string | null | undefined,
  ): Promise<RecurringRequest> {
    const r = await this.templates.renderForSend(appId, template, channels, locale, data);
    return {
      // As a send does: the template's rendered push data over the caller's data.
      notifications: r.channels.map((c, i) => ({ channel: channels[i]!, content: c.content, data: c.data ? { ...data, ...c.data } : data })),
      category: category ?? r.category,
      templateVersionId: r.templateVersionId,
    };
  }
}

function firstRun(cron: string, timezone: string): Date {
  try {
    return nextCronRun(cron, timezone, new Date());
  } catch (err) {
    if (err instanceof CronError) throw new InputError(err.reason, err.message, err.reason === "INVALID_TIMEZONE" ? "timezone" : "cron");
    throw err;
  }
}

function toView(row: Row): RecurringSchedule {
  const request = recurringRequestSchema.parse(row.request);
  return { ...row, channels: request.notifications.map((n) => n.channel), category: request.category ?? null, createdByToken: row.createdByTokenId !== null };
}
