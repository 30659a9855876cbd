import type { Channel, ChannelScope, Db, Recipient } from "@notify/db";
import { ANY_CATEGORY, decide, quietWindowOf } from "@notify/preferences";

/** What preferences say about one channel of a send, at acceptance. */
export interface AcceptanceVerdict {
  channel: Channel;
  /** Set when the recipient has opted out: the notification is stored as SKIPPED with this reason. */
  skipped?: string;
  /** When to deliver: the requested time, or the end of the quiet hours it falls in. */
  scheduledAt: Date | null;
  /** Set when quiet hours moved the delivery time (the notification is held, not dropped). */
  heldUntil?: Date;
}

/**
 * The first of the two preference checks (the workers make the second just before delivery,
 * apps/workers/src/delivery/preference-gate.ts), with the same pure decide().
 *
 *  - Opted out, sending now: SKIPPED at once, with the reason.
 *  - Opted out, scheduled for later: left to the delivery-time check, because a change in
 *    between wins either way (an opt-in before the time must still deliver).
 *  - Quiet hours at the delivery time (now or the scheduled time), not urgent: the delivery time
 *    moves to the end of the window, computed in the recipient's zone, so a DST change that
 *    night gives the right instant.
 */
export async function gateOnAcceptance(
  db: Db,
  appId: string,
  recipient: Recipient,
  channels: readonly Channel[],
  options: GateOptions,
): Promise<AcceptanceVerdict[]> {
  return (await gateManyOnAcceptance(db, appId, [recipient], channels, options)).get(recipient.id)!;
}

interface GateOptions {
  category: string | null | undefined;
  urgent: boolean;
  scheduledAt: Date | null;
  now?: Date;
}

/** The same check for many recipients with two queries in all (bulk sends). */
export async function gateManyOnAcceptance(
  db: Db,
  appId: string,
  recipients: readonly Recipient[],
  channels: readonly Channel[],
  { category, urgent, scheduledAt, now = new Date() }: GateOptions,
): Promise<Map<string, AcceptanceVerdict[]>> {
  const key = category && category !== ANY_CATEGORY ? category : null;
  const [preferences, categories] = await Promise.all([
    db.preference.findMany({
      where: {
        recipientId: { in: recipients.map((r) => r.id) },
        channel: { in: [...channels, "ALL"] as ChannelScope[] },
        category: { in: key ? [key, ANY_CATEGORY] : [ANY_CATEGORY] },
      },
    }),
    key ? db.category.findMany({ where: { appId, key } }) : Promise.resolve([]),
  ]);
  const byRecipient = new Map<string, typeof preferences>();
  for (const p of preferences) {
    const list = byRecipient.get(p.recipientId);
    if (list) list.push(p);
    else byRecipient.set(p.recipientId, [p]);
  }
  const at = scheduledAt && scheduledAt > now ? scheduledAt : now;
  return new Map(
    recipients.map((recipient) => {
      const own = byRecipient.get(recipient.id) ?? [];
      const quiet = quietWindowOf(recipient);
      const verdicts = channels.map((channel): AcceptanceVerdict => {
        const decision = decide({ preferences: own, categories, channel, category: key, urgent, recipientTimezone: recipient.timezone, quiet, now: at });
        if (!decision.allowed) return at === now ? { channel, skipped: decision.reason, scheduledAt } : { channel, scheduledAt };
        if (decision.deferUntil) return { channel, scheduledAt: decision.deferUntil, heldUntil: decision.deferUntil };
        return { channel, scheduledAt };
      });
      return [recipient.id, verdicts];
    }),
  );
}
