import type { EgressPolicy } from "@notify/egress";
import { InputError } from "../errors.js";
import type { RegisterDeviceInput } from "./device.input.js";

const APNS_TOKEN = /^[0-9a-fA-F]{64}$/;
// FCM registration tokens are opaque, but always URL-safe characters with an optional ":" part.
const FCM_TOKEN = /^[A-Za-z0-9_\-:.]{20,4096}$/;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

/**
 * Rejects tokens no provider would accept, so they fail here and not at send time. A Web Push
 * endpoint is a URL the workers will connect to, so it must also pass the egress policy: a
 * real push service (or the sandbox simulator in sandbox mode), never an arbitrary host.
 */
export function assertValidDeviceToken(input: RegisterDeviceInput, webPushEgress: EgressPolicy): void {
  switch (input.platform) {
    case "IOS":
      if (!APNS_TOKEN.test(input.token))
        throw new InputError("MALFORMED_TOKEN", "An APNs device token is 64 hexadecimal characters", "token");
      return;
    case "ANDROID":
      if (!FCM_TOKEN.test(input.token))
        throw new InputError("MALFORMED_TOKEN", "An FCM registration token is 20+ URL-safe characters", "token");
      return;
    case "WEB": {
      let url: URL;
      try {
        url = new URL(input.token);
      } catch {
        throw new InputError("MALFORMED_TOKEN", "A Web Push token is the subscription's endpoint URL", "token");
      }
      if (url.protocol !== "https:")
        throw new InputError("MALFORMED_TOKEN", "A Web Push endpoint must be an https URL", "token");
      const egress = webPushEgress.checkDestination(url);
      if (!egress.ok)
        throw new InputError("ENDPOINT_NOT_ALLOWED", `A Web Push endpoint must be on a browser push service (FCM, Mozilla, Apple, Windows): ${egress.message}`, "token");
      const keys = input.webPushKeys;
      if (!keys) throw new InputError("MISSING_WEB_PUSH_KEYS", "A Web Push subscription needs its p256dh and auth keys", "webPushKeys");
      if (!BASE64URL.test(keys.p256dh) || Buffer.from(keys.p256dh, "base64url").length !== 65)
        throw new InputError("MALFORMED_TOKEN", "p256dh must be a base64url P-256 public key (65 bytes)", "webPushKeys.p256dh");
      if (!BASE64URL.test(keys.auth) || Buffer.from(keys.auth, "base64url").length !== 16)
        throw new InputError("MALFORMED_TOKEN", "auth must be a base64url 16-byte secret", "webPushKeys.auth");
      return;
    }
  }
}
