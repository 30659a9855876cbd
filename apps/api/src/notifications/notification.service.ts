import { Prisma, type Channel, type Db, type Notification, type Recipient } from "@notify/db";
import { writeAccepted } from "@notify/jobs";
import { ApiError, ConflictError, InputError, NotFoundError } from "../errors.js";
import type { RecipientService } from "../recipients/recipient.service.js";
import type { RenderedTemplate, TemplateService } from "../templates/template.service.js";
import { templateChannels } from "../templates/template-channels.js";
import { gateOnAcceptance } from "./acceptance-gate.js";
import { recordVerdicts } from "./acceptance-events.js";
import { assertDataSize, contentForChannel, coversInline } from "./channel-content.js";
import { receivableChannels } from "./default-channels.js";
import type { Enqueuer } from "./enqueue.js";
import { IDEMPOTENCY_TTL_MS, requestHash } from "./idempotency.js";
import { assertReachable } from "./reachability.js";
import { assertSchedulable, resolveSendAt } from "./send-at.js";
import type { SendNotificationInput } from "./send.input.js";

export interface SendResult {
  notifications: Notification[];
  replayed: boolean;
}

export class NotificationService {
  constructor(
    private readonly db: Db,
    private readonly recipients: RecipientService,
    private readonly enqueuer: Enqueuer,
    private readonly templates: TemplateService,
  ) {}

  /**
   * Validates everything first, then writes all notifications, their ACCEPTED events and the
   * idempotency record in one transaction, and only then enqueues: a notification exists in
   * Postgres before any queue knows of it, and a rejected send writes nothing.
   */
  async send(appId: string, input: SendNotificationInput): Promise<SendResult> {
    const named = input.channels ? [...new Set(input.channels)] : null;
    if (named && named.length !== input.channels!.length) throw new InputError("DUPLICATE_CHANNEL", "channels lists a channel twice", "channels");
    assertDataSize(input.data);
    if (!input.content && !input.template) throw new InputError("MISSING_CONTENT", "Give content or template", "content");
    if (input.content && input.template) throw new InputError("CONTENT_AND_TEMPLATE", "Give content or template, not both", "template");
    // Named channels: the content is checked before anything is read (default ones are known only later).
    const inline = named && input.content ? named.map((channel) => contentForChannel(channel, input.content!, input.data)) : null;

    const hash = input.idempotencyKey ? requestHash({ ...input, idempotencyKey: undefined }) : null;
    if (input.idempotencyKey) {
      const earlier = await this.replay(appId, input.idempotencyKey, hash!);
      if (earlier) return earlier;
    }
    try {
      return await this.accept(appId, input, inline, named, hash);
    } catch (err) {
      // A concurrent request with the same key may have been accepted while this one was being
      // checked (and the address died in between, say): a key that was accepted is never answered
      // with a refusal. Narrows the race to a duplicate that commits after this line.
      if (input.idempotencyKey && err instanceof ApiError && !(err instanceof ConflictError)) {
        const earlier = await this.replay(appId, input.idempotencyKey, hash!);
        if (earlier) return earlier;
      }
      throw err;
    }
  }

  private async accept(
    appId: string,
    input: SendNotificationInput,
    namedInline: ReturnType<typeof contentForChannel>[] | null,
    named: Channel[] | null,
    hash: string | null,
  ): Promise<SendResult> {
    let inline = namedInline;
    const recipient = await this.recipients.get(appId, input.externalId);
    const requestedAt = resolveSendAt(input, recipient.timezone);
    const channels = named ?? (await this.defaultChannels(appId, input, recipient, requestedAt !== null));
    for (const channel of channels) await assertReachable(this.db, recipient, channel);
    inline ??= input.content ? channels.map((channel) => contentForChannel(channel, input.content!, input.data)) : null;
    // Rendered only now: the recipient's locale picks the content.
    const rendered: RenderedTemplate | null = input.template
      ? await this.templates.renderForSend(appId, input.template, channels, recipient.locale, input.data)
      : null;
    const contents = inline ?? rendered!.channels.map((r) => r.content);
    if (requestedAt) assertSchedulable(channels);
    const category = input.category ?? rendered?.category;
    // Preferences, first look: opted-out channels are stored SKIPPED, quiet hours move the time.
    const verdicts = await gateOnAcceptance(this.db, appId, recipient, channels, { category, urgent: input.urgent ?? false, scheduledAt: requestedAt });

    let created: Notification[];
    try {
      created = await this.db.$transaction(async (tx) => {
        // writeAccepted (shared with the recurring ticker) adds the ACCEPTED events and marks IN_APP delivered.
        const ordered = await writeAccepted(
          tx,
          channels.map((channel, i) => ({
            appId,
            recipientId: recipient.id,
            channel,
            category,
            templateVersionId: rendered?.templateVersionId,
            content: contents[i]!,
            // A template's push data is rendered per channel and sent as the device's data.
            data: (rendered?.channels[i]!.data ? { ...input.data, ...rendered.channels[i]!.data } : (input.data ?? undefined)) as
              | Prisma.InputJsonValue
              | undefined,
            idempotencyKey: input.idempotencyKey,
            scheduledAt: verdicts[i]!.scheduledAt,
            urgent: input.urgent ?? false,
            ...(verdicts[i]!.skipped ? { status: "SKIPPED" as const, statusReason: verdicts[i]!.skipped } : {}),
          })),
        );
        await recordVerdicts(tx, ordered, verdicts);
        if (input.idempotencyKey) {
          await tx.idempotencyKey.create({
            data: {
              appId,
              key: input.idempotencyKey,
              requestHash: hash!,
              notificationIds: ordered.map((n) => n.id),
              expiresAt: new Date(Date.now() + IDEMPOTENCY_TTL_MS),
            },
          });
        }
        return ordered;
      });
    } catch (err) {
      // Two concurrent calls with one key: the loser's transaction rolled back; answer as a replay.
      if (input.idempotencyKey && err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
        const earlier = await this.replay(appId, input.idempotencyKey, hash!);
        if (earlier) return earlier;
      }
      throw err;
    }

    await this.enqueuer.enqueue(created.filter((n) => n.status !== "SKIPPED"));
    return { notifications: await this.reload(created.map((n) => n.id)), replayed: false };
  }

  /** No `channels`: every channel the recipient can receive that the content or template covers. */
  private async defaultChannels(appId: string, input: SendNotificationInput, recipient: Recipient, scheduled: boolean): Promise<Channel[]> {
    const covered = input.template ? await templateChannels(this.db, appId, input.template, recipient.locale) : null;
    const covers = (channel: Channel) => (covered ? covered.has(channel) : coversInline(channel, input.content!, input.data));
    return receivableChannels(this.db, recipient, covers, { scheduled });
  }

  private async replay(appId: string, key: string, hash: string): Promise<SendResult | null> {
    const record = await this.db.idempotencyKey.findUnique({ where: { appId_key: { appId, key } } });
    if (!record || record.expiresAt < new Date()) return null;
    if (record.requestHash !== hash)
      throw new ConflictError("IDEMPOTENCY_KEY_REUSED", `idempotencyKey ${JSON.stringify(key)} was already used for a different request`);
    return { notifications: await this.reload(record.notificationIds), replayed: true };
  }

  private async reload(ids: string[]): Promise<Notification[]> {
    const rows = await this.db.notification.findMany({ where: { id: { in: ids } } });
    return ids.map((id) => rows.find((r) => r.id === id)!);
  }

  async get(appId: string, id: string): Promise<Notification> {
    const notification = await this.db.notification.findFirst({ where: { id, appId } });
    if (!notification) throw new NotFoundError("Notification", id);
    return notification;
  }

  /** Newest first; `before` is the id of the last notification of the previous page. */
  async history(appId: string, externalId: string, { first, before }: { first: number; before?: string }): Promise<Notification[]> {
    const recipient = await this.recipients.get(appId, externalId);
    return this.db.notification.findMany({
      where: { recipientId: recipient.id },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: Math.min(Math.max(first, 1), 200),
      ...(before ? { cursor: { id: before }, skip: 1 } : {}),
    });
  }

  attempts(notificationId: string) {
    return this.db.deliveryAttempt.findMany({ where: { notificationId }, orderBy: [{ attemptNumber: "asc" }, { startedAt: "asc" }] });
  }

  events(notificationId: string) {
    return this.db.deliveryEvent.findMany({ where: { notificationId }, orderBy: { occurredAt: "asc" } });
  }
}
