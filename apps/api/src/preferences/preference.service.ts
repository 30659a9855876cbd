import type { Category, Channel, ChannelScope, Db, Preference, Recipient, Tx } from "@notify/db";
import { ANY_CATEGORY, decide, formatClockTime, parseClockTime, quietWindowOf, type Decision, type UnsubscribeClaim } from "@notify/preferences";
import { InputError } from "../errors.js";
import type { RecipientService } from "../recipients/recipient.service.js";

const CATEGORY_KEY_MAX = 64;

export interface SetPreferenceArgs {
  externalId: string;
  channel: ChannelScope;
  category: string;
  enabled: boolean;
}

export type UnsubscribeOutcome = "unsubscribed" | "required" | "unknown-recipient";

/**
 * Recipients' opt-outs, the app's categories and quiet hours. The rules are evaluated by
 * @notify/preferences' decide(), here at acceptance and again by the workers before delivery.
 *
 * Categories need not be declared before use: setPreference (and a one-click unsubscribe) with
 * an unknown key creates it as a non-required category, so a product can offer an opt-out for a
 * category before its first send. Declaring it required later overrides those opt-outs.
 */
export class PreferenceService {
  constructor(
    private readonly db: Db,
    private readonly recipients: RecipientService,
  ) {}

  async list(appId: string, externalId: string): Promise<Preference[]> {
    const recipient = await this.recipients.get(appId, externalId);
    return this.forRecipient(recipient.id);
  }

  forRecipient(recipientId: string): Promise<Preference[]> {
    return this.db.preference.findMany({ where: { recipientId }, orderBy: [{ channel: "asc" }, { category: "asc" }] });
  }

  async set(appId: string, args: SetPreferenceArgs): Promise<Preference> {
    assertCategoryKey(args.category, { wildcard: true });
    const recipient = await this.recipients.get(appId, args.externalId);
    return this.db.$transaction((tx) => this.write(tx, appId, recipient.id, args.channel, args.category, args.enabled));
  }

  categories(appId: string): Promise<Category[]> {
    return this.db.category.findMany({ where: { appId }, orderBy: { key: "asc" } });
  }

  upsertCategory(appId: string, { key, description, required }: { key: string; description?: string | null; required: boolean }): Promise<Category> {
    assertCategoryKey(key, { wildcard: false });
    if (description && description.length > 500) throw new InputError("DESCRIPTION_TOO_LONG", "description must be at most 500 characters", "description");
    return this.db.category.upsert({
      where: { appId_key: { appId, key } },
      create: { appId, key, description: description ?? null, required },
      update: { required, ...(description !== undefined ? { description } : {}) },
    });
  }

  async setQuietHours(appId: string, externalId: string, start: string, end: string): Promise<Recipient> {
    const startMinute = parseClockTime(start);
    if (startMinute === null) throw new InputError("INVALID_TIME", `start ${JSON.stringify(start)} is not a 24-hour "HH:MM" time`, "start");
    const endMinute = parseClockTime(end);
    if (endMinute === null) throw new InputError("INVALID_TIME", `end ${JSON.stringify(end)} is not a 24-hour "HH:MM" time`, "end");
    if (startMinute === endMinute) throw new InputError("EMPTY_QUIET_HOURS", "start and end are the same time; use clearQuietHours to turn quiet hours off", "end");
    const recipient = await this.recipients.get(appId, externalId);
    return this.db.recipient.update({ where: { id: recipient.id }, data: { quietStartMinute: startMinute, quietEndMinute: endMinute } });
  }

  async clearQuietHours(appId: string, externalId: string): Promise<Recipient> {
    const recipient = await this.recipients.get(appId, externalId);
    return this.db.recipient.update({ where: { id: recipient.id }, data: { quietStartMinute: null, quietEndMinute: null } });
  }

  quietHoursOf(recipient: Pick<Recipient, "quietStartMinute" | "quietEndMinute" | "timezone">): { start: string; end: string; timezone: string } | null {
    const window = quietWindowOf(recipient);
    if (!window) return null;
    return { start: formatClockTime(window.startMinute), end: formatClockTime(window.endMinute), timezone: recipient.timezone ?? "UTC" };
  }

  /** What decide() says for each channel of one send, read from the rows as they are now. */
  async decisions(
    appId: string,
    recipient: Recipient,
    channels: readonly Channel[],
    { category, urgent, now = new Date() }: { category: string | null | undefined; urgent: boolean; now?: Date },
  ): Promise<Decision[]> {
    const [preferences, categories] = await Promise.all([
      this.db.preference.findMany({ where: { recipientId: recipient.id } }),
      category ? this.db.category.findMany({ where: { appId, key: category } }) : Promise.resolve([]),
    ]);
    const quiet = quietWindowOf(recipient);
    return channels.map((channel) => decide({ preferences, categories, channel, category, urgent, recipientTimezone: recipient.timezone, quiet, now }));
  }

  /** A verified List-Unsubscribe token: opt the recipient out of that category on that channel. */
  async unsubscribe(claim: UnsubscribeClaim): Promise<UnsubscribeOutcome> {
    const recipient = await this.db.recipient.findUnique({ where: { id: claim.recipientId } });
    // The link names the app that sent the email: a recipient of another app is not this link's.
    if (!recipient || (claim.appId !== undefined && recipient.appId !== claim.appId)) return "unknown-recipient";
    try {
      await this.db.$transaction((tx) => this.write(tx, recipient.appId, recipient.id, claim.channel, claim.category, false));
      return "unsubscribed";
    } catch (err) {
      if (err instanceof InputError && err.extensions.reason === "CATEGORY_REQUIRED") return "required";
      throw err;
    }
  }

  /**
   * An inbound STOP/START from a phone: every recipient with that number, in every app, since
   * the carrier-level opt-out applies to our sending number whichever app sent. Returns how many.
   */
  async setSmsByPhone(phone: string, enabled: boolean): Promise<number> {
    const recipients = await this.db.recipient.findMany({ where: { phone }, select: { id: true, appId: true } });
    await this.db.$transaction(async (tx) => {
      for (const r of recipients) await this.write(tx, r.appId, r.id, "SMS", ANY_CATEGORY, enabled);
    });
    return recipients.length;
  }

  /**
   * Creates the category if it is new and writes the rule, refusing to turn a required one off.
   * An opt-out that races an upsertCategory(required: true) is harmless: decide() ignores
   * opt-outs of required categories.
   */
  private async write(tx: Tx, appId: string, recipientId: string, channel: ChannelScope, category: string, enabled: boolean): Promise<Preference> {
    if (category !== ANY_CATEGORY) {
      const row = await tx.category.upsert({ where: { appId_key: { appId, key: category } }, create: { appId, key: category }, update: {} });
      if (row.required && !enabled) throw new InputError("CATEGORY_REQUIRED", `${category} notifications cannot be turned off`, "category");
    }
    return tx.preference.upsert({
      where: { recipientId_channel_category: { recipientId, channel, category } },
      create: { recipientId, channel, category, enabled },
      update: { enabled },
    });
  }
}

function assertCategoryKey(key: string, { wildcard }: { wildcard: boolean }): void {
  if (key === ANY_CATEGORY) {
    if (wildcard) return;
    throw new InputError("INVALID_CATEGORY", `"${ANY_CATEGORY}" is the wildcard for every category, not a category key`, "key");
  }
  if (key.length < 1 || key.length > CATEGORY_KEY_MAX || key.trim() !== key) {
    throw new InputError("INVALID_CATEGORY", `a category key is 1–${CATEGORY_KEY_MAX} characters without surrounding spaces`, wildcard ? "category" : "key");
  }
}
