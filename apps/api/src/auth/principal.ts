/**
 * Who is calling. A backend service with its appKey/appSecret may do anything within its app; a
 * client app holding a recipient token acts as that one recipient only.
 */
export type Principal = { kind: "app" } | { kind: "recipient"; recipientExternalId: string };
