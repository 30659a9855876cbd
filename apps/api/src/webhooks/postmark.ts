import { timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { Request, Response } from "express";
import type { Logger } from "pino";
import { type DeliveryFeedbackService, type ProviderReport, type ReportTarget } from "./delivery-feedback.service.js";
import type { WebhookSecrets } from "./webhook-secrets.js";

/** The fields of Postmark's webhook payloads we use (Delivery, Bounce, SpamComplaint, Open, Click). */
export interface PostmarkWebhook {
  RecordType?: unknown;
  MessageID?: unknown;
  Metadata?: unknown;
  Recipient?: unknown;
  Email?: unknown;
  ID?: unknown;
  Type?: unknown;
  TypeCode?: unknown;
  Inactive?: unknown;
  Description?: unknown;
  Details?: unknown;
  DeliveredAt?: unknown;
  BouncedAt?: unknown;
  ReceivedAt?: unknown;
  FirstOpen?: unknown;
  OriginalLink?: unknown;
  ClickLocation?: unknown;
  Platform?: unknown;
  MessageStream?: unknown;
}

/** What a webhook is about and what it says, or why it is acknowledged without effect. */
export type PostmarkTranslation =
  | { ok: true; messageId: string; recipient: string; notificationId?: string; attemptId?: string; appId?: string; report: ProviderReport }
  | { ok: false; ignored: string };

// Postmark bounce types that say nothing about whether this message arrived.
const INFORMATIONAL_BOUNCES = new Set([
  "Transient",
  "AutoResponder",
  "AddressChange",
  "Subscribe",
  "Unsubscribe",
  "ChallengeVerification",
  "OpenRelayTest",
  "SpamNotification",
  "VirusNotification",
  "InboundError",
]);
// Bounce types that mean the address itself is dead, whatever `Inactive` says.
const DEAD_ADDRESS_BOUNCES = new Set(["HardBounce", "BadEmailAddress", "SpamComplaint", "ManuallyDeactivated"]);

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** Translates one Postmark webhook payload into a provider report; pure, so it is unit-tested. */
export function translatePostmark(body: PostmarkWebhook): PostmarkTranslation {
  const recordType = str(body.RecordType);
  const messageId = str(body.MessageID);
  if (!recordType || !messageId) return { ok: false, ignored: "no RecordType or MessageID" };
  const metadata = (typeof body.Metadata === "object" && body.Metadata !== null ? body.Metadata : {}) as Record<string, unknown>;
  const recipient = str(body.Recipient) ?? str(body.Email) ?? "";
  const where = { messageId, recipient, notificationId: str(metadata.notificationId), attemptId: str(metadata.attemptId), appId: str(metadata.appId) };
  const report = (r: Omit<ProviderReport, "source">): PostmarkTranslation => ({ ok: true, ...where, report: { source: "postmark", ...r } });

  switch (recordType) {
    case "Delivery":
      return report({
        providerEventId: `Delivery:${messageId}:${recipient}`,
        type: "DELIVERED",
        detail: { messageId, recipient, deliveredAt: body.DeliveredAt, details: body.Details },
        outcome: { status: "DELIVERED" },
      });
    case "Bounce": {
      const type = str(body.Type) ?? "Unknown";
      const description = str(body.Description) ?? type;
      const dead = body.Inactive === true || DEAD_ADDRESS_BOUNCES.has(type);
      return report({
        providerEventId: body.ID !== undefined ? `Bounce:${String(body.ID)}` : `Bounce:${messageId}:${recipient}:${type}`,
        type: "BOUNCED",
        detail: { messageId, recipient, bounceType: type, typeCode: body.TypeCode, inactive: body.Inactive, description, details: body.Details, bouncedAt: body.BouncedAt },
        outcome: INFORMATIONAL_BOUNCES.has(type) ? undefined : { status: "FAILED", reason: `bounced: ${type}`, error: `Postmark: ${description} ${str(body.Details) ?? ""}`.trim() },
        deadContact: dead && recipient ? { channel: "EMAIL", address: recipient, reason: `postmark ${type}: ${description}` } : undefined,
      });
    }
    case "SpamComplaint":
      return report({
        providerEventId: body.ID !== undefined ? `SpamComplaint:${String(body.ID)}` : `SpamComplaint:${messageId}:${recipient}`,
        type: "COMPLAINED",
        detail: { messageId, recipient, details: body.Details, complainedAt: body.BouncedAt },
        // A complaint means the message arrived; it stops further mail to the address, not this one.
        deadContact: recipient ? { channel: "EMAIL", address: recipient, reason: "postmark SpamComplaint: the recipient marked a message as spam" } : undefined,
      });
    case "Open":
      return report({
        providerEventId: `Open:${messageId}:${recipient}:${String(body.ReceivedAt)}`,
        type: "OPENED",
        detail: { messageId, recipient, firstOpen: body.FirstOpen, platform: body.Platform, openedAt: body.ReceivedAt },
      });
    case "Click":
      return report({
        providerEventId: `Click:${messageId}:${recipient}:${String(body.ReceivedAt)}:${String(body.OriginalLink)}`,
        type: "CLICKED",
        detail: { messageId, recipient, link: body.OriginalLink, clickLocation: body.ClickLocation, platform: body.Platform, clickedAt: body.ReceivedAt },
      });
    default:
      return { ok: false, ignored: `RecordType ${recordType} is not used` };
  }
}

function equalSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Postmark authenticates its webhooks only with the basic auth configured on the webhook URL. */
export function postmarkAuthorized(headers: IncomingHttpHeaders, expected: { username: string; password: string }): boolean {
  const auth = headers.authorization;
  if (!auth?.startsWith("Basic ")) return false;
  const decoded = Buffer.from(auth.slice(6), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return false;
  // Both compared, always, so the timing says nothing about which half was wrong.
  const user = equalSecret(decoded.slice(0, colon), expected.username);
  const pass = equalSecret(decoded.slice(colon + 1), expected.password);
  return user && pass;
}

export interface PostmarkRouteDeps {
  feedback: DeliveryFeedbackService;
  secrets: WebhookSecrets;
  log: Logger;
}

/** Runs before the body is parsed: an unauthenticated caller costs no JSON parsing. */
export function postmarkAuth({ secrets }: Pick<PostmarkRouteDeps, "secrets">) {
  return async (req: Request, res: Response, next: (err?: unknown) => void) => {
    if (postmarkAuthorized(req.headers, await secrets.postmarkBasicAuth())) return next();
    res.status(401).set("WWW-Authenticate", 'Basic realm="webhooks"').json({ error: "webhook credentials are missing or wrong" });
  };
}

/** POST /webhooks/postmark: Delivery, Bounce, SpamComplaint, Open and Click webhooks. */
export function postmarkWebhook({ feedback, log }: PostmarkRouteDeps) {
  return async (req: Request, res: Response) => {
    if (typeof req.body !== "object" || req.body === null || Array.isArray(req.body)) {
      res.status(400).json({ error: "expected a JSON object (Content-Type: application/json)" });
      return;
    }
    const t = translatePostmark(req.body as PostmarkWebhook);
    if (!t.ok) {
      log.info({ reason: t.ignored }, "postmark webhook ignored");
      res.status(200).json({ result: "ignored", reason: t.ignored });
      return;
    }
    const target = await locate(feedback, t, log);
    if (!target) {
      // Acknowledged: another environment's message, or one deleted since; a retry would not help.
      log.warn({ messageId: t.messageId, recordType: t.report.type }, "postmark webhook for an unknown message");
      res.status(200).json({ result: "unknown-message" });
      return;
    }
    const result = await feedback.record(target, t.report);
    if (result.status === "awaiting-hand-off") {
      res.status(503).set("Retry-After", "60").json({ result: "retry-later", event: result.event });
      return;
    }
    res.status(200).json({ result: result.event, status: result.status, contactDisabled: result.contactDisabled });
  };
}

/**
 * The message is the one Postmark's MessageID names: the id Postmark returned to the worker,
 * stored on the attempt, and only on an EMAIL notification. Metadata is whatever the sender put
 * in the message (anyone holding the webhook credentials can write any), so it never chooses
 * the target; when present it must agree with it, or the webhook is acknowledged unapplied.
 * A webhook can overtake the worker's write of the MessageID, so the lookup waits (bounded)
 * while a hand-off to that address is in flight.
 */
async function locate(feedback: DeliveryFeedbackService, t: Extract<PostmarkTranslation, { ok: true }>, log: Logger): Promise<ReportTarget | null> {
  const byMessageId = () => feedback.byProviderMessageId(t.messageId, "EMAIL");
  const target = t.recipient ? await feedback.locateWhileInFlight(byMessageId, () => feedback.handOffInFlight(t.recipient)) : await byMessageId();
  if (!target) return null;
  const disagrees =
    (t.notificationId !== undefined && t.notificationId !== target.notificationId) ||
    (t.attemptId !== undefined && t.attemptId !== target.attemptId) ||
    (t.appId !== undefined && t.appId !== target.appId);
  if (disagrees) {
    log.warn({ messageId: t.messageId, metadata: { notificationId: t.notificationId, attemptId: t.attemptId, appId: t.appId } }, "postmark webhook metadata names another message than its MessageID");
    return null;
  }
  return target;
}
