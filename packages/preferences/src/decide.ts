import type { Category, Channel, ChannelScope, Preference, Recipient } from "@notify/db";
import { quietUntil, type QuietWindow } from "./quiet-hours.js";

/** The category wildcard of a Preference: (channel, "*") covers every category on that channel. */
export const ANY_CATEGORY = "*";

export type PreferenceRule = Pick<Preference, "channel" | "category" | "enabled">;
export type CategoryRule = Pick<Category, "key" | "required">;

export interface DecideInput {
  /** The recipient's rules (any order). */
  preferences: readonly PreferenceRule[];
  /** The app's categories; only `required` matters here. */
  categories: readonly CategoryRule[];
  channel: Channel;
  /** The notification's category; null/undefined matches only wildcard rules. */
  category: string | null | undefined;
  urgent: boolean;
  recipientTimezone: string | null | undefined;
  quiet: QuietWindow | null;
  now: Date;
}

export type Decision = { allowed: true; deferUntil?: Date } | { allowed: false; reason: string };

/**
 * Whether a notification may go out on a channel now, later (quiet hours) or not at all.
 * Pure, so the API (at acceptance) and the workers (just before delivery) reach the same answer
 * from the same rows.
 *
 *  - Required categories (e.g. security) are always allowed; opt-outs do not apply to them.
 *  - Otherwise the most specific rule wins: (channel, category) > (channel, "*") >
 *    (ALL, category) > (ALL, "*"); no rule means allowed.
 *  - Quiet hours defer what is allowed until the window ends, unless it is urgent. IN_APP is
 *    never deferred: a feed entry interrupts nobody.
 */
export function decide(input: DecideInput): Decision {
  const category = input.category && input.category !== ANY_CATEGORY ? input.category : null;
  const required = category !== null && input.categories.some((c) => c.key === category && c.required);
  if (!required) {
    const rule = mostSpecificRule(input.preferences, input.channel, category);
    if (rule && !rule.enabled) return { allowed: false, reason: optOutReason(rule) };
  }
  if (input.urgent || input.channel === "IN_APP" || !input.quiet) return { allowed: true };
  const deferUntil = quietUntil(input.quiet, input.recipientTimezone, input.now);
  return deferUntil ? { allowed: true, deferUntil } : { allowed: true };
}

function mostSpecificRule(rules: readonly PreferenceRule[], channel: Channel, category: string | null): PreferenceRule | undefined {
  const order: [ChannelScope, string][] = [
    ...(category ? ([[channel, category]] as [ChannelScope, string][]) : []),
    [channel, ANY_CATEGORY],
    ...(category ? ([["ALL", category]] as [ChannelScope, string][]) : []),
    ["ALL", ANY_CATEGORY],
  ];
  for (const [c, k] of order) {
    const rule = rules.find((r) => r.channel === c && r.category === k);
    if (rule) return rule;
  }
  return undefined;
}

function optOutReason({ channel, category }: PreferenceRule): string {
  if (channel === "ALL") return category === ANY_CATEGORY ? "opted out of all notifications" : `opted out of category "${category}" on every channel`;
  return category === ANY_CATEGORY ? `opted out of ${channel}` : `opted out of category "${category}" on ${channel}`;
}

/** The recipient's quiet hours, or null when none are set. */
export function quietWindowOf(recipient: Pick<Recipient, "quietStartMinute" | "quietEndMinute">): QuietWindow | null {
  const { quietStartMinute: startMinute, quietEndMinute: endMinute } = recipient;
  return startMinute === null || endMinute === null ? null : { startMinute, endMinute };
}
