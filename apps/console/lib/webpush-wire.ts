// What the console's /api/webpush/* route handlers answer, shared by the handlers and the page.

export interface WebPushConfigResponse {
  /** The API's VAPID public key (base64url), the applicationServerKey subscriptions are made with. */
  publicKey: string;
  /** The sandbox push service, when the sandbox is running next to this console. */
  sandbox: { controlUrl: string } | null;
}

export interface SandboxSubscriptionResponse {
  /** The sandbox push service's id for it (the last segment of the endpoint). */
  id: string;
  subscription: PushSubscriptionJSON;
}

/** The fields the page reads from a message the sandbox push service received and decrypted. */
export interface SandboxPushMessage {
  id: string;
  receivedAt: string;
  /** The decrypted payload as UTF-8, null for a push without payload. */
  payload: string | null;
}

export interface SandboxMessagesResponse {
  messages: SandboxPushMessage[];
}

export interface RegisterWebDeviceRequest {
  externalId: string;
  subscription: PushSubscriptionJSON;
}

export interface RegisterWebDeviceResponse {
  device: { id: string; state: string; token: string };
}

export interface ErrorResponse {
  error: string;
  code?: string;
}
