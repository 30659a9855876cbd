/**
 * Glue that points the official provider SDKs at the sandbox simulators, shared by the
 * sandbox's own tests and the workers' sandbox mode.
 */
export { apnsPoolOptions, redirectApnsClient, replaceApnsPool, type ApnsPoolFactory } from "./apns.js";
export { createSandboxFirebase, GOOGLE_FCM_HOSTS, type SandboxFirebase, type ServiceAccountJson } from "./fcm.js";
export { createRedirectAgent, type RedirectTarget } from "./redirect-agent.js";
export {
  createSandboxSubscription,
  fetchSandboxPushes,
  webPushAgent,
  type PushSubscriptionJson,
  type ReceivedPush,
} from "./webpush.js";
