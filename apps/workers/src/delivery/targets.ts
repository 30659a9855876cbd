import type { Device, Platform } from "@notify/db";
import type { QueuedChannel } from "@notify/jobs";
import type { Claimed } from "./claim.js";

/** One place a notification goes: an address, a number or one device. */
export interface Target {
  address: string;
  device?: Device;
}

const PLATFORM: Record<"IOS_PUSH" | "ANDROID_PUSH" | "WEB_PUSH", Platform> = {
  IOS_PUSH: "IOS",
  ANDROID_PUSH: "ANDROID",
  WEB_PUSH: "WEB",
};

/**
 * Read at delivery time, not acceptance time: an address that died or a device that was
 * removed in between is not used. Push goes to every active device of the platform.
 */
export function resolveTargets(channel: QueuedChannel, n: Claimed): { targets: Target[]; unreachable?: string } {
  const r = n.recipient;
  switch (channel) {
    case "EMAIL":
      if (!r.email) return { targets: [], unreachable: "recipient has no email address" };
      if (r.emailInvalidAt) return { targets: [], unreachable: `email address undeliverable: ${r.emailInvalidReason}` };
      return { targets: [{ address: r.email }] };
    case "SMS":
      if (!r.phone) return { targets: [], unreachable: "recipient has no phone number" };
      if (r.phoneInvalidAt) return { targets: [], unreachable: `phone number undeliverable: ${r.phoneInvalidReason}` };
      return { targets: [{ address: r.phone }] };
    default: {
      const devices = r.devices.filter((d) => d.platform === PLATFORM[channel] && d.state === "ACTIVE");
      if (devices.length === 0) return { targets: [], unreachable: `recipient has no active ${PLATFORM[channel]} device` };
      return { targets: devices.map((d) => ({ address: d.token, device: d })) };
    }
  }
}
