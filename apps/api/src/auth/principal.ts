import type { ApiScope, Role } from "@notify/db";

/**
 * Who is calling. A backend service with an API key may do what the key's scopes allow within its
 * app; a console user what their role in the app allows; a client app holding a recipient token
 * acts as that one recipient only (auth/principal-guard.ts).
 */
export type Principal =
  | { kind: "app"; apiKeyId: string; appKey: string; scopes: ApiScope[] }
  | { kind: "user"; userId: string; email: string; role: Role }
  | { kind: "recipient"; recipientExternalId: string; tokenId?: string };
