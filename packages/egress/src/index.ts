/**
 * The egress guard: every outbound connection to an address a user gave us goes through an
 * EgressPolicy (see egress-policy.ts), and every failure to reach it is reported as one code.
 */
export { addressRange, isPublicAddress } from "./address-ranges.js";
export {
  EGRESS_REFUSED,
  EgressPolicy,
  EgressRefusedError,
  isEgressRefusal,
  type DestinationCheck,
  type EgressOrigin,
  type EgressPolicyOptions,
  type EgressRefusalReason,
} from "./egress-policy.js";
export { ENDPOINT_UNREACHABLE, unreachableMessage } from "./unreachable.js";
export { WEB_PUSH_SERVICE_HOSTS, webPushEgressPolicy, type WebPushEgressOptions } from "./web-push-services.js";
