import type { QueuedChannel } from "@notify/jobs";
import { ANY_CATEGORY, decide, quietWindowOf, type Decision } from "@notify/preferences";
import type { Claimed } from "./claim.js";
import type { DeliveryLedger } from "./ledger.js";

export interface PreferenceCheck {
  decision: Decision;
  /** Whether the notification's category is required (no unsubscribe link for those). */
  categoryRequired: boolean;
}

/**
 * The second look at preferences, just before delivery: the recipient may have opted out or
 * set quiet hours since the notification was accepted. Reads only the rules that can apply.
 */
export async function checkPreferences(ledger: DeliveryLedger, n: Claimed, channel: QueuedChannel, now = new Date()): Promise<PreferenceCheck> {
  const category = n.category && n.category !== ANY_CATEGORY ? n.category : null;
  const { preferences, category: categoryRow } = await ledger.preferences({ appId: n.appId, recipientId: n.recipientId, channel, category });
  const decision = decide({
    preferences,
    categories: categoryRow ? [categoryRow] : [],
    channel,
    category,
    urgent: n.urgent,
    recipientTimezone: n.recipient.timezone,
    quiet: quietWindowOf(n.recipient),
    now,
  });
  return { decision, categoryRequired: categoryRow?.required ?? false };
}
