import type { Channel, Db, Recipient } from "@notify/db";
import { InputError } from "../errors.js";

const PLATFORM_OF = { IOS_PUSH: "IOS", ANDROID_PUSH: "ANDROID", WEB_PUSH: "WEB" } as const;

/**
 * Refuses a channel the recipient has no live contact point for, so a caller learns at once
 * rather than from a FAILED notification later.
 */
export async function assertReachable(db: Db, recipient: Recipient, channel: Channel): Promise<void> {
  switch (channel) {
    case "EMAIL":
      if (!recipient.email) throw missing(recipient, "an email address", channel);
      if (recipient.emailInvalidAt)
        throw new InputError("CONTACT_UNDELIVERABLE", `Email to ${recipient.email} is undeliverable: ${recipient.emailInvalidReason}`, "channels");
      return;
    case "SMS":
      if (!recipient.phone) throw missing(recipient, "a phone number", channel);
      if (recipient.phoneInvalidAt)
        throw new InputError("CONTACT_UNDELIVERABLE", `SMS to ${recipient.phone} is undeliverable: ${recipient.phoneInvalidReason}`, "channels");
      return;
    case "IOS_PUSH":
    case "ANDROID_PUSH":
    case "WEB_PUSH": {
      const count = await db.device.count({ where: { recipientId: recipient.id, platform: PLATFORM_OF[channel], state: "ACTIVE" } });
      if (count === 0) throw missing(recipient, `an active ${PLATFORM_OF[channel]} device`, channel);
      return;
    }
    case "IN_APP":
      return;
  }
}

function missing(recipient: Recipient, what: string, channel: Channel): InputError {
  return new InputError("MISSING_CONTACT", `Recipient ${JSON.stringify(recipient.externalId)} has no ${what} for ${channel}`, "channels");
}
