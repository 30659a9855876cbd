import type { Channel, Platform } from "@notify/db";

export const PLATFORM_OF = { IOS_PUSH: "IOS", ANDROID_PUSH: "ANDROID", WEB_PUSH: "WEB" } as const satisfies Partial<Record<Channel, Platform>>;

export interface ContactPoints {
  email: string | null;
  emailInvalidAt: Date | null;
  phone: string | null;
  phoneInvalidAt: Date | null;
}

/**
 * Whether a recipient has a live contact point for a channel, given the platforms of their
 * ACTIVE devices. One rule for the API's sends (which refuse) and the workers' broadcast fan-out
 * (which counts the subscriber as unreachable on that channel).
 */
export function contactState(recipient: ContactPoints, activePlatforms: ReadonlySet<Platform>, channel: Channel): "ok" | "missing" | "undeliverable" {
  switch (channel) {
    case "EMAIL":
      return !recipient.email ? "missing" : recipient.emailInvalidAt ? "undeliverable" : "ok";
    case "SMS":
      return !recipient.phone ? "missing" : recipient.phoneInvalidAt ? "undeliverable" : "ok";
    case "IOS_PUSH":
    case "ANDROID_PUSH":
    case "WEB_PUSH":
      return activePlatforms.has(PLATFORM_OF[channel]) ? "ok" : "missing";
    case "IN_APP":
      return "ok";
  }
}
