import type { Db, Recipient } from "@notify/db";
import { InputError, NotFoundError } from "../errors.js";
import type { UpsertRecipientInput } from "./recipient.input.js";

export class RecipientService {
  constructor(private readonly db: Db) {}

  async upsert(appId: string, input: UpsertRecipientInput): Promise<Recipient> {
    const data = {
      ...pick(input, ["email", "phone", "timezone"] as const),
      ...(input.locale !== undefined ? { locale: input.locale === null ? null : canonicalLocale(input.locale) } : {}),
    };
    if (input.timezone) assertTimeZone(input.timezone);
    const existing = await this.db.recipient.findUnique({ where: { appId_externalId: { appId, externalId: input.externalId } } });
    // A new address is a fresh chance: clear the "dead" marker a provider set on the old one.
    const revived = {
      ...(input.email !== undefined && input.email !== existing?.email ? { emailInvalidAt: null, emailInvalidReason: null } : {}),
      ...(input.phone !== undefined && input.phone !== existing?.phone ? { phoneInvalidAt: null, phoneInvalidReason: null } : {}),
    };
    return this.db.recipient.upsert({
      where: { appId_externalId: { appId, externalId: input.externalId } },
      create: { appId, externalId: input.externalId, ...data },
      update: { ...data, ...revived },
    });
  }

  async get(appId: string, externalId: string): Promise<Recipient> {
    const recipient = await this.find(appId, externalId);
    if (!recipient) throw new NotFoundError("Recipient", externalId);
    return recipient;
  }

  find(appId: string, externalId: string): Promise<Recipient | null> {
    return this.db.recipient.findUnique({ where: { appId_externalId: { appId, externalId } } });
  }
}

function pick<T extends object, K extends keyof T>(obj: T, keys: readonly K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(keys.filter((k) => obj[k] !== undefined).map((k) => [k, obj[k]])) as Partial<Pick<T, K>>;
}

function canonicalLocale(locale: string): string {
  try {
    return Intl.getCanonicalLocales(locale)[0]!;
  } catch {
    throw new InputError("INVALID_LOCALE", `locale ${JSON.stringify(locale)} is not a BCP 47 language tag`, "locale");
  }
}

export function assertTimeZone(timeZone: string, field = "timezone"): void {
  try {
    new Intl.DateTimeFormat("en", { timeZone });
  } catch {
    throw new InputError("INVALID_TIMEZONE", `timezone ${JSON.stringify(timeZone)} is not an IANA time zone`, field);
  }
}
