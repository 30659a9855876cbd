import type { ApiScope, Role } from "@notify/db";

/**
 * Who is calling. A backend service with an API key may do what the key's scopes open within
 * its app; a console user acts with their role in the app their identity names; a client app
 * holding a recipient token acts as that one recipient only.
 */
export type Principal =
  | { kind: "app"; apiKeyId: string; appKey: string; scopes: ApiScope[] }
  | { kind: "user"; userId: string; email: string; role: Role }
  | { kind: "recipient"; recipientExternalId: string; tokenId?: string };
