import { signUnsubscribeToken, UNSUBSCRIBE_TOKEN_TTL_MS } from "@notify/preferences";
import type { Claimed } from "./claim.js";

export interface UnsubscribeConfig {
  /** Public base URL of the API, which serves /webhooks/unsubscribe/<token>. */
  publicApiUrl: string;
  secret: string;
  /** An address whose mail is processed as an unsubscribe request; the mailto: form is left out without one. */
  mailto?: string;
}

/**
 * RFC 2369 List-Unsubscribe with the RFC 8058 one-click POST, which Gmail and Yahoo require of
 * bulk senders. Every email whose category is not required gets it; one without a category
 * unsubscribes from (EMAIL, "*"), which still lets required categories through.
 */
export function listUnsubscribeHeaders(n: Pick<Claimed, "appId" | "recipientId" | "category">, config: UnsubscribeConfig, now = new Date()): Record<string, string> {
  const token = signUnsubscribeToken(
    { appId: n.appId, recipientId: n.recipientId, category: n.category || "*", channel: "EMAIL", expiresAt: new Date(now.getTime() + UNSUBSCRIBE_TOKEN_TTL_MS) },
    config.secret,
  );
  const https = `<${config.publicApiUrl.replace(/\/+$/, "")}/webhooks/unsubscribe/${token}>`;
  const mailto = config.mailto ? `, <mailto:${config.mailto}?subject=${encodeURIComponent(`unsubscribe ${token}`)}>` : "";
  return { "List-Unsubscribe": `${https}${mailto}`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" };
}
