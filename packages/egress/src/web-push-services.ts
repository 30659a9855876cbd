import { EgressPolicy, type EgressOrigin } from "./egress-policy.js";

/**
 * The push services browsers hand out subscription endpoints on (PushSubscription.endpoint):
 * Chrome and other Chromium browsers use FCM, Firefox Mozilla's autopush, Safari Apple's, Edge
 * Windows Push Notification Services (regional hosts such as wns2-par02p.notify.windows.com).
 * An endpoint anywhere else is not a subscription but a request to make us connect there.
 */
export const WEB_PUSH_SERVICE_HOSTS: readonly string[] = [
  "fcm.googleapis.com",
  "updates.push.services.mozilla.com",
  "push.services.mozilla.com",
  "web.push.apple.com",
  "*.notify.windows.com",
];

export interface WebPushEgressOptions {
  /** Sandbox mode only: the Web Push simulator's origin (its endpoints are https://127.0.0.1:<port>/push/…). */
  sandbox?: EgressOrigin;
  /** For tests: how names resolve. */
  lookup?: EgressPolicyOptionsLookup;
}

type EgressPolicyOptionsLookup = NonNullable<ConstructorParameters<typeof EgressPolicy>[0]>["lookup"];

/** The policy for Web Push endpoints: https on 443 to the real push services, plus the sandbox in sandbox mode. */
export function webPushEgressPolicy({ sandbox, lookup }: WebPushEgressOptions = {}): EgressPolicy {
  return new EgressPolicy({
    allowedHosts: WEB_PUSH_SERVICE_HOSTS,
    protocols: ["https:"],
    ports: [443],
    trustedOrigins: sandbox ? [sandbox] : [],
    lookup,
  });
}
