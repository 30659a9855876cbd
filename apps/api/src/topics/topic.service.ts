import { Prisma, type Db } from "@notify/db";
import { createBroadcastQueue, enqueueBroadcast, type BroadcastRequest } from "@notify/jobs";
import type { Logger } from "pino";
import { ApiError, ConflictError, InputError, NotFoundError } from "../errors.js";
import { contentForChannel } from "../notifications/channel-content.js";
import { checkSendShape } from "../notifications/send-shape.js";
import { requestHash } from "../notifications/idempotency.js";
import type { TemplateService } from "../templates/template.service.js";
import type { SendBroadcastInput } from "./broadcast.input.js";

/** The most externalIds one subscribe/unsubscribe call may name. */
export const TOPIC_BATCH_MAX = 10_000;

type BroadcastQueue = ReturnType<typeof createBroadcastQueue>;

/**
 * Topics and broadcasts. A broadcast is accepted here (validated, rendered per locale, written
 * to Postgres) and fanned out by the workers: an API request never loops over a million
 * subscribers.
 */
export class TopicService {
  constructor(
    private readonly db: Db,
    private readonly templates: TemplateService,
    private readonly broadcastQueue: BroadcastQueue,
    private readonly log: Pick<Logger, "warn">,
  ) {}

  upsert(appId: string, key: string, name?: string | null) {
    return this.db.topic.upsert({ where: { appId_key: { appId, key } }, create: { appId, key, name }, update: name === undefined ? {} : { name } });
  }

  async get(appId: string, key: string) {
    const topic = await this.db.topic.findUnique({ where: { appId_key: { appId, key } } });
    if (!topic) throw new NotFoundError("Topic", key);
    return topic;
  }

  subscriberCount(appId: string, key: string): Promise<number> {
    return this.db.topicSubscription.count({ where: { appId, topicKey: key } });
  }

  /** Creates the topic if needed; every externalId must be a known recipient, or nothing changes. */
  async subscribe(appId: string, topicKey: string, externalIds: string[]) {
    const recipientIds = await this.recipientIds(appId, externalIds);
    const changed = await this.db.$transaction(async (tx) => {
      await tx.topic.upsert({ where: { appId_key: { appId, key: topicKey } }, create: { appId, key: topicKey }, update: {} });
      const { count } = await tx.topicSubscription.createMany({ data: recipientIds.map((recipientId) => ({ appId, topicKey, recipientId })), skipDuplicates: true });
      return count;
    });
    return { topicKey, changed, subscriberCount: await this.subscriberCount(appId, topicKey) };
  }

  async unsubscribe(appId: string, topicKey: string, externalIds: string[]) {
    await this.get(appId, topicKey);
    const recipientIds = await this.recipientIds(appId, externalIds);
    const { count } = await this.db.topicSubscription.deleteMany({ where: { appId, topicKey, recipientId: { in: recipientIds } } });
    return { topicKey, changed: count, subscriberCount: await this.subscriberCount(appId, topicKey) };
  }

  private async recipientIds(appId: string, externalIds: string[]): Promise<string[]> {
    if (externalIds.length === 0) throw new InputError("EMPTY", "externalIds must name at least one recipient", "externalIds");
    if (externalIds.length > TOPIC_BATCH_MAX) throw new InputError("TOO_MANY", `externalIds is limited to ${TOPIC_BATCH_MAX} per call`, "externalIds");
    const unique = [...new Set(externalIds)];
    const rows = await this.db.recipient.findMany({ where: { appId, externalId: { in: unique } }, select: { id: true, externalId: true } });
    if (rows.length !== unique.length) {
      const known = new Set(rows.map((r) => r.externalId));
      throw new NotFoundError("Recipient", unique.find((e) => !known.has(e))!);
    }
    return rows.map((r) => r.id);
  }

  /** Validates and renders now (errors reach the caller); the workers fan out. */
  async broadcast(appId: string, input: SendBroadcastInput) {
    const channels = checkSendShape(input);
    await this.get(appId, input.topicKey);

    const hash = requestHash({ ...input, idempotencyKey: undefined });
    if (input.idempotencyKey) {
      const earlier = await this.earlierBroadcast(appId, input.idempotencyKey, hash);
      if (earlier) return earlier;
    }
    const request = await this.render(appId, input, channels);
    let broadcast;
    try {
      broadcast = await this.db.broadcast.create({
        data: { appId, topicKey: input.topicKey, request: { ...request, requestHash: hash } as Prisma.InputJsonValue, idempotencyKey: input.idempotencyKey },
      });
    } catch (err) {
      // A concurrent call with the same key won.
      if (input.idempotencyKey && err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
        const earlier = await this.earlierBroadcast(appId, input.idempotencyKey, hash);
        if (earlier) return earlier;
      }
      throw err;
    }
    // After commit. If Redis is down the broadcast stays PENDING and the workers' resumer starts it.
    await enqueueBroadcast(this.broadcastQueue, broadcast.id).catch((err) => this.log.warn({ err, broadcastId: broadcast.id }, "broadcast enqueue failed; the resumer will start it"));
    return broadcast;
  }

  private async earlierBroadcast(appId: string, key: string, hash: string) {
    const earlier = await this.db.broadcast.findUnique({ where: { appId_idempotencyKey: { appId, idempotencyKey: key } } });
    if (!earlier) return null;
    if ((earlier.request as { requestHash?: string }).requestHash !== hash)
      throw new ConflictError("IDEMPOTENCY_KEY_REUSED", `idempotencyKey ${JSON.stringify(key)} was already used for a different broadcast`);
    return earlier;
  }

  private async render(appId: string, input: SendBroadcastInput, channels: SendBroadcastInput["channels"]): Promise<BroadcastRequest> {
    if (input.content) {
      const variant = channels.map((channel) => ({ channel, content: { ...contentForChannel(channel, input.content!, input.data) }, data: input.data ?? null }));
      return { channels, category: input.category ?? null, templateVersionId: null, defaultLocale: "und", variants: { und: variant } };
    }
    const template = await this.templates.prepareForSend(appId, input.template!);
    const variants: BroadcastRequest["variants"] = {};
    // One render per locale, all under one request budget; any failure rejects the broadcast.
    const renders = await template.renderEach(
      template.locales.map((locale) => ({ channels, locale, data: input.template!.data, pushData: input.data, field: "template.data" })),
      "template",
    );
    for (const [i, locale] of template.locales.entries()) {
      const rendered = renders[i]!;
      if (rendered instanceof ApiError) throw rendered;
      variants[locale] = rendered.channels.map((c) => ({
        channel: c.channel,
        content: { ...c.content },
        data: c.data ? { ...input.data, ...c.data } : (input.data ?? null),
      }));
    }
    return { channels, category: input.category ?? template.category, templateVersionId: template.templateVersionId, defaultLocale: template.defaultLocale, variants };
  }

  async getBroadcast(appId: string, id: string) {
    const broadcast = await this.db.broadcast.findFirst({ where: { id, appId } });
    if (!broadcast) throw new NotFoundError("Broadcast", id);
    return broadcast;
  }
}
