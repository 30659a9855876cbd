import type { Channel, Db, Platform, Recipient } from "@notify/db";
import { contactState, PLATFORM_OF } from "@notify/jobs";
import { InputError } from "../errors.js";

/**
 * Refuses a channel the recipient has no live contact point for, so a caller learns at once
 * rather than from a FAILED notification later.
 */
export async function assertReachable(db: Db, recipient: Recipient, channel: Channel): Promise<void> {
  const platform = channel in PLATFORM_OF ? PLATFORM_OF[channel as keyof typeof PLATFORM_OF] : null;
  const active = platform ? await db.device.count({ where: { recipientId: recipient.id, platform, state: "ACTIVE" } }) : 0;
  const problem = unreachable(recipient, new Set(active > 0 ? [platform!] : []), channel);
  if (problem) throw problem;
}

/**
 * The same rule without a query, for callers that loaded many recipients' active device
 * platforms at once (bulk send): the error a single send would have thrown, or null.
 */
export function unreachable(recipient: Recipient, activePlatforms: ReadonlySet<Platform>, channel: Channel): InputError | null {
  const state = contactState(recipient, activePlatforms, channel);
  if (state === "ok") return null;
  if (state === "undeliverable") {
    const [what, reason] = channel === "EMAIL" ? [recipient.email, recipient.emailInvalidReason] : [recipient.phone, recipient.phoneInvalidReason];
    return new InputError("CONTACT_UNDELIVERABLE", `${channel === "EMAIL" ? "Email" : "SMS"} to ${what} is undeliverable: ${reason}`, "channels");
  }
  const what =
    channel === "EMAIL" ? "an email address" : channel === "SMS" ? "a phone number" : `an active ${PLATFORM_OF[channel as keyof typeof PLATFORM_OF]} device`;
  return new InputError("MISSING_CONTACT", `Recipient ${JSON.stringify(recipient.externalId)} has no ${what} for ${channel}`, "channels");
}
