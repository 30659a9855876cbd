import { Prisma, type Db, type Notification, type Platform, type Recipient } from "@notify/db";
import { writeAccepted, type Enqueuer } from "@notify/jobs";
import { ApiError, ConflictError, InputError, NotFoundError } from "../errors.js";
import { contentForChannel } from "../notifications/channel-content.js";
import { checkSendShape } from "../notifications/send-shape.js";
import { IDEMPOTENCY_TTL_MS, requestHash } from "../notifications/idempotency.js";
import { gateManyOnAcceptance, type AcceptanceVerdict } from "../notifications/acceptance-gate.js";
import { recordVerdicts } from "../notifications/acceptance-events.js";
import { unreachable } from "../notifications/reachability.js";
import type { RenderedTemplate, TemplateService } from "../templates/template.service.js";
import type { SendBulkInput } from "./bulk-send.input.js";
import type { BulkSendPayload, BulkSendResult } from "./bulk-send.type.js";

type RecipientWithPlatforms = Recipient & { devices: { platform: Platform }[] };

/** One recipient's notifications, ready to write. */
interface Pending {
  index: number;
  recipient: Recipient;
  idempotencyKey?: string;
  requestHash?: string;
  rows: Prisma.NotificationCreateManyInput[];
  verdicts?: AcceptanceVerdict[];
}

/**
 * sendNotification for up to 10,000 recipients in one call, with the same rules per recipient
 * (reachability, rendering, idempotency) but set-at-a-time work: one query loads every
 * recipient with their active device platforms, one loads the idempotency records, the template
 * version is resolved once, and all notifications are written in one transaction with multi-row
 * inserts and enqueued with one addBulk per channel. A recipient that fails a rule gets an error
 * in its result and the others still go; a problem with the call itself (bad content, unknown
 * template) rejects the whole call and writes nothing.
 */
export class BulkSendService {
  constructor(
    private readonly db: Db,
    private readonly enqueuer: Enqueuer,
    private readonly templates: TemplateService,
  ) {}

  async send(appId: string, input: SendBulkInput, retried = false): Promise<BulkSendPayload> {
    const channels = checkSendShape(input);
    const inline = input.content ? channels.map((channel) => contentForChannel(channel, input.content!, input.data)) : null;
    const template = input.template ? await this.templates.prepareForSend(appId, input.template) : null;

    const recipients = await this.loadRecipients(appId, input);
    const earlier = await this.loadIdempotency(appId, input.recipients.flatMap((r) => (r.idempotencyKey ? [r.idempotencyKey] : [])));

    const results: BulkSendResult[] = [];
    const pending: Pending[] = [];
    const seenExternalIds = new Set<string>();
    const seenKeys = new Set<string>();
    /** Refused items that carry a key: looked at again below, in case a concurrent call was accepted with it. */
    const refusedWithKey: { index: number; key: string; hash: string }[] = [];
    const refuse = (result: BulkSendResult, key: string | undefined, hash: string | undefined, err: unknown) => {
      if (!(err instanceof ApiError)) throw err;
      const ext = err.extensions as { code: string; reason?: string; field?: string };
      result.error = { code: ext.code, reason: ext.reason ?? null, field: ext.field ?? null, message: err.message };
      if (key && hash && !(err instanceof ConflictError)) refusedWithKey.push({ index: result.index, key, hash });
    };
    /** Recipients that passed every check and wait for their render (one batch for the whole call). */
    const toRender: { index: number; recipient: Recipient; key?: string; hash?: string; variables?: Record<string, unknown> }[] = [];
    const accept = (index: number, recipient: Recipient, key: string | undefined, hash: string | undefined, rendered: RenderedTemplate | null) =>
      pending.push({
        index,
        recipient,
        idempotencyKey: key,
        requestHash: hash,
        rows: channels.map((channel, i) => ({
          appId,
          recipientId: recipient.id,
          channel,
          category: input.category ?? rendered?.category,
          templateVersionId: rendered?.templateVersionId,
          content: (inline?.[i] ?? rendered!.channels[i]!.content) as Prisma.InputJsonValue,
          data: (rendered?.channels[i]!.data ? { ...input.data, ...rendered.channels[i]!.data } : (input.data ?? undefined)) as
            | Prisma.InputJsonValue
            | undefined,
          idempotencyKey: key,
        })),
      });
    input.recipients.forEach((item, index) => {
      const result: BulkSendResult = { index, externalId: item.externalId, notificationIds: [], replayed: false, error: null };
      results.push(result);
      let hash: string | undefined;
      try {
        if (seenExternalIds.has(item.externalId))
          throw new InputError("DUPLICATE_RECIPIENT", `${JSON.stringify(item.externalId)} appears earlier in recipients`, `recipients[${index}].externalId`);
        seenExternalIds.add(item.externalId);
        const variables = input.template ? { ...input.template.data, ...item.data } : undefined;

        if (item.idempotencyKey) {
          if (seenKeys.has(item.idempotencyKey))
            throw new InputError("DUPLICATE_IDEMPOTENCY_KEY", "idempotencyKey appears earlier in recipients", `recipients[${index}].idempotencyKey`);
          seenKeys.add(item.idempotencyKey);
          hash = requestHash(this.asSingleSend(input, item.externalId, variables));
          const record = earlier.get(item.idempotencyKey);
          if (record) {
            if (record.requestHash !== hash)
              throw new ConflictError("IDEMPOTENCY_KEY_REUSED", `idempotencyKey ${JSON.stringify(item.idempotencyKey)} was already used for a different request`);
            result.notificationIds = record.notificationIds;
            result.replayed = true;
            return;
          }
        }

        const recipient = recipients.get(item.externalId);
        if (!recipient) throw new NotFoundError("Recipient", item.externalId);
        const platforms = new Set(recipient.devices.map((d) => d.platform));
        for (const channel of channels) {
          const problem = unreachable(recipient, platforms, channel);
          if (problem) throw problem;
        }
        if (template) toRender.push({ index, recipient, key: item.idempotencyKey, hash, variables });
        else accept(index, recipient, item.idempotencyKey, hash, null);
      } catch (err) {
        refuse(result, item.idempotencyKey, hash, err);
      }
    });
    if (template && toRender.length) {
      // Every recipient has its own render budget and the call as a whole a cap (renderer.ts);
      // the renders go to the worker pool in a few batches when they are more than trivial.
      const renders = await template.renderEach(
        toRender.map((r) => ({ channels, locale: r.recipient.locale, data: r.variables, pushData: input.data, field: `recipients[${r.index}].data` })),
        "recipients",
      );
      toRender.forEach((r, i) => {
        const rendered = renders[i]!;
        if (rendered instanceof ApiError) refuse(results[r.index]!, r.key, r.hash, rendered);
        else accept(r.index, r.recipient, r.key, r.hash, rendered);
      });
    }

    // Preferences, first look, as for a single send: opted-out channels are stored SKIPPED with
    // the reason, quiet hours move the delivery time. Two queries for the whole call.
    const category = input.category ?? template?.category;
    const verdicts = await gateManyOnAcceptance(this.db, appId, pending.map((p) => p.recipient), channels, { category, urgent: false, scheduledAt: null });
    for (const p of pending) {
      const own = verdicts.get(p.recipient.id)!;
      p.verdicts = own;
      p.rows = p.rows.map((row, i) => ({
        ...row,
        scheduledAt: own[i]!.scheduledAt,
        ...(own[i]!.skipped ? { status: "SKIPPED" as const, statusReason: own[i]!.skipped } : {}),
      }));
    }

    let created: Notification[];
    try {
      created = await this.write(appId, pending);
    } catch (err) {
      // A concurrent call took one of these idempotency keys first; everything here rolled back.
      // Once more, and those recipients are answered as replays.
      if (!retried && err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") return this.send(appId, input, true);
      throw err;
    }
    let offset = 0;
    for (const p of pending) {
      results[p.index]!.notificationIds = created.slice(offset, offset + p.rows.length).map((n) => n.id);
      offset += p.rows.length;
    }
    await this.enqueuer.enqueue(created.filter((n) => n.status !== "SKIPPED"));
    await this.replayAcceptedMeanwhile(appId, refusedWithKey, results);

    return {
      accepted: pending.length,
      replayed: results.filter((r) => r.replayed).length,
      rejected: results.filter((r) => r.error).length,
      results,
    };
  }

  /**
   * As for a single send: a key that a concurrent call got accepted while this one was checking
   * its item is answered as that call's replay, never with a refusal.
   */
  private async replayAcceptedMeanwhile(appId: string, refused: { index: number; key: string; hash: string }[], results: BulkSendResult[]): Promise<void> {
    if (!refused.length) return;
    const byKey = await this.loadIdempotency(appId, refused.map((r) => r.key));
    for (const { index, key, hash } of refused) {
      const record = byKey.get(key);
      if (!record || record.requestHash !== hash) continue;
      Object.assign(results[index]!, { error: null, notificationIds: record.notificationIds, replayed: true });
    }
  }

  private async loadRecipients(appId: string, input: SendBulkInput): Promise<Map<string, RecipientWithPlatforms>> {
    const rows = await this.db.recipient.findMany({
      where: { appId, externalId: { in: [...new Set(input.recipients.map((r) => r.externalId))] } },
      include: { devices: { where: { state: "ACTIVE" }, select: { platform: true } } },
    });
    return new Map(rows.map((r) => [r.externalId, r]));
  }

  private async loadIdempotency(appId: string, keys: string[]) {
    if (!keys.length) return new Map<string, { requestHash: string; notificationIds: string[] }>();
    const rows = await this.db.idempotencyKey.findMany({ where: { appId, key: { in: keys }, expiresAt: { gt: new Date() } } });
    return new Map(rows.map((r) => [r.key, r]));
  }

  /** The request a single sendNotification with the same key would have hashed. */
  private asSingleSend(input: SendBulkInput, externalId: string, variables: Record<string, unknown> | undefined) {
    return {
      externalId,
      channels: input.channels,
      content: input.content ?? undefined,
      template: input.template ? { key: input.template.key, version: input.template.version, data: variables } : undefined,
      data: input.data,
      category: input.category,
    };
  }

  /** Every accepted recipient in one transaction: the whole call is in Postgres, or none of it. */
  private write(appId: string, pending: Pending[]): Promise<Notification[]> {
    if (!pending.length) return Promise.resolve([]);
    return this.db.$transaction(
      async (tx) => {
        const created = await writeAccepted(
          tx,
          pending.flatMap((p) => p.rows),
        );
        let offset = 0;
        const keys: Prisma.IdempotencyKeyCreateManyInput[] = [];
        for (const p of pending) {
          const ids = created.slice(offset, offset + p.rows.length).map((n) => n.id);
          offset += p.rows.length;
          if (p.idempotencyKey)
            keys.push({ appId, key: p.idempotencyKey, requestHash: p.requestHash!, notificationIds: ids, expiresAt: new Date(Date.now() + IDEMPOTENCY_TTL_MS) });
        }
        await recordVerdicts(
          tx,
          created,
          pending.flatMap((p) => p.verdicts!),
        );
        // Expired records for these keys give way (a key is reusable after its window).
        if (keys.length) {
          await tx.idempotencyKey.deleteMany({ where: { appId, key: { in: keys.map((k) => k.key) }, expiresAt: { lte: new Date() } } });
          for (let i = 0; i < keys.length; i += 2_000) await tx.idempotencyKey.createMany({ data: keys.slice(i, i + 2_000) });
        }
        return created;
      },
      { timeout: 120_000, maxWait: 10_000 },
    );
  }
}
