import { InputError } from "../errors.js";
import type { SendAtLocalInput } from "./schedule.input.js";
import { instantOfWallClock } from "./zoned-time.js";

/** A time this close behind now still counts as "now" (client clocks and request latency). */
export const SEND_AT_GRACE_MS = 5_000;
export const SEND_AT_MAX_AHEAD_MS = 365 * 24 * 3600_000;

export interface SendAtFields {
  sendAt?: string | null;
  sendAtLocal?: SendAtLocalInput | null;
}

// RFC 3339 / ISO 8601 with a mandatory offset: a time without one means nothing on a server.
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * When a send should be delivered: null for now, else the instant from `sendAt` (an absolute
 * time with an offset) or `sendAtLocal` (a wall-clock time in the recipient's time zone).
 * Refuses both at once, times in the past (beyond a small grace) and more than a year ahead.
 */
export function resolveSendAt(input: SendAtFields, recipientTimeZone: string | null, now = new Date()): Date | null {
  if (input.sendAt != null && input.sendAtLocal != null)
    throw new InputError("CONFLICTING_SEND_AT", "Give sendAt or sendAtLocal, not both", "sendAtLocal");
  if (input.sendAt != null) return withinWindow(parseInstant(input.sendAt), "sendAt", now);
  if (input.sendAtLocal != null) return withinWindow(localInstant(input.sendAtLocal, recipientTimeZone), "sendAtLocal", now);
  return null;
}

function withinWindow(at: Date, field: string, now: Date): Date {
  if (at.getTime() < now.getTime() - SEND_AT_GRACE_MS)
    throw new InputError("SEND_AT_IN_PAST", `${field} ${at.toISOString()} is in the past`, field);
  if (at.getTime() > now.getTime() + SEND_AT_MAX_AHEAD_MS)
    throw new InputError("SEND_AT_TOO_FAR", `${field} ${at.toISOString()} is more than 365 days ahead`, field);
  return at;
}

export function parseInstant(value: string, field = "sendAt"): Date {
  const m = INSTANT.exec(value.trim());
  const invalid = () =>
    new InputError("INVALID_SEND_AT", `${field} ${JSON.stringify(value)} is not an ISO 8601 time with an offset, e.g. 2026-12-24T09:00:00+09:00 or …Z`, field);
  if (!m) throw invalid();
  const [, y, mo, d, h, mi, s = "0", frac = "0", z, sign, oh = "0", om = "0"] = m;
  if (!validDate(+y!, +mo!, +d!) || +h! > 23 || +mi! > 59 || +s > 59 || +oh > 23 || +om > 59) throw invalid();
  const ms = Number(frac.padEnd(3, "0").slice(0, 3));
  const offsetMin = z ? 0 : (sign === "-" ? -1 : 1) * (+oh * 60 + +om);
  return new Date(Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s, ms) - offsetMin * 60_000);
}

function localInstant(local: SendAtLocalInput, timeZone: string | null): Date {
  const date = DATE.exec(local.date);
  if (!date || !validDate(+date[1]!, +date[2]!, +date[3]!))
    throw new InputError("INVALID_SEND_AT", `sendAtLocal.date ${JSON.stringify(local.date)} is not a YYYY-MM-DD date`, "sendAtLocal.date");
  const time = TIME.exec(local.time);
  if (!time) throw new InputError("INVALID_SEND_AT", `sendAtLocal.time ${JSON.stringify(local.time)} is not a 24-hour HH:MM time`, "sendAtLocal.time");
  if (!timeZone)
    throw new InputError("MISSING_TIMEZONE", "sendAtLocal needs the recipient's timezone; set it with upsertRecipient or use sendAt", "sendAtLocal");
  return instantOfWallClock({ year: +date[1]!, month: +date[2]!, day: +date[3]!, hour: +time[1]!, minute: +time[2]! }, timeZone);
}

function validDate(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/** IN_APP is delivered by being written to the feed, so there is no later moment to deliver it at. */
export function assertSchedulable(channels: readonly string[]): void {
  if (channels.includes("IN_APP"))
    throw new InputError("UNSCHEDULABLE_CHANNEL", "IN_APP notifications enter the feed when sent and cannot be scheduled; send them separately", "channels");
}
