import type { Request, Response } from "express";
import type { Logger } from "pino";
import twilio from "twilio";
import type { DeliveryFeedbackService, ProviderReport } from "./delivery-feedback.service.js";
import type { WebhookSecrets } from "./webhook-secrets.js";

/** Form fields of a Twilio status callback, as parsed (a repeated field is an array). */
export type TwilioParams = Record<string, string | string[]>;

// Twilio error codes that mean the number itself will never receive SMS: unknown destination
// handset, landline or unreachable carrier, recipient unsubscribed (STOP), not a mobile number.
// 30003 (unreachable handset) is not among them: phones that are off come back.
const DEAD_NUMBER_CODES = new Set(["30005", "30006", "21610", "21614"]);

export type TwilioTranslation = { ok: true; messageSid: string; to?: string; report: ProviderReport } | { ok: false; ignored: string };

const field = (params: TwilioParams, name: string): string | undefined => {
  const v = params[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === "" ? undefined : s;
};

/** Translates one status callback into a provider report; pure, so it is unit-tested. */
export function translateTwilio(params: TwilioParams): TwilioTranslation {
  const messageSid = field(params, "MessageSid") ?? field(params, "SmsSid");
  const status = field(params, "MessageStatus") ?? field(params, "SmsStatus");
  if (!messageSid || !status) return { ok: false, ignored: "no MessageSid or MessageStatus" };
  const to = field(params, "To");
  const errorCode = field(params, "ErrorCode");
  const base = { providerEventId: `${messageSid}:${status}`, detail: { providerStatus: status, messageSid, to, ...(errorCode ? { errorCode } : {}) } };
  const report = (r: Omit<ProviderReport, "source" | "providerEventId" | "detail">): TwilioTranslation => ({
    ok: true,
    messageSid,
    to,
    report: { source: "twilio", ...base, ...r },
  });

  switch (status) {
    case "sent":
      return report({ type: "SENT" });
    case "delivered":
      return report({ type: "DELIVERED", outcome: { status: "DELIVERED" } });
    case "undelivered":
    case "failed": {
      const code = errorCode ?? status;
      const dead = errorCode !== undefined && DEAD_NUMBER_CODES.has(errorCode) && to !== undefined;
      return report({
        type: "FAILED",
        outcome: { status: "FAILED", reason: code, error: `Twilio: message ${status}${errorCode ? ` (error ${errorCode})` : ""}` },
        deadContact: dead ? { channel: "SMS", address: to, reason: `twilio ${errorCode}: message ${status}` } : undefined,
      });
    }
    case "read":
      return report({ type: "OPENED" });
    default:
      // queued, accepted, sending, scheduled, canceled ...: nothing the timeline needs.
      return { ok: false, ignored: `MessageStatus ${status} is not recorded` };
  }
}

export interface TwilioRouteDeps {
  feedback: DeliveryFeedbackService;
  secrets: WebhookSecrets;
  log: Logger;
  /** Base URL Twilio calls us at; the signature covers the full URL it requested. */
  publicApiUrl: string;
}

/** Twilio reads nothing from a status callback's answer; an empty TwiML document is the polite one. */
const ack = (res: Response) => void res.status(200).type("text/xml").send("<Response/>");

/** POST /webhooks/twilio/status: message status callbacks, signed with X-Twilio-Signature. */
export function twilioStatusWebhook({ feedback, secrets, log, publicApiUrl }: TwilioRouteDeps) {
  const base = publicApiUrl.replace(/\/+$/, "");
  return async (req: Request, res: Response) => {
    // The raw form fields, exactly as posted: the signature is computed over them.
    const params = (typeof req.body === "object" && req.body !== null ? req.body : {}) as TwilioParams;
    const signature = req.header("x-twilio-signature");
    const url = `${base}${req.originalUrl}`;
    if (!signature || !twilio.validateRequest(await secrets.twilioAuthToken(), signature, url, params)) {
      log.warn({ url, signed: Boolean(signature) }, "twilio callback with a missing or wrong signature");
      res.status(403).json({ error: "X-Twilio-Signature is missing or does not match" });
      return;
    }
    const t = translateTwilio(params);
    if (!t.ok) {
      ack(res);
      return;
    }
    const bySid = () => feedback.byProviderMessageId(t.messageSid, "SMS");
    const target = t.to ? await feedback.locateWhileInFlight(bySid, () => feedback.handOffInFlight(t.to!)) : await bySid();
    if (!target) {
      // Acknowledged, so Twilio does not keep calling about a message that is not ours.
      log.warn({ messageSid: t.messageSid, status: t.report.detail.providerStatus }, "twilio callback for an unknown message");
      ack(res);
      return;
    }
    const result = await feedback.record(target, t.report);
    if (result.status === "awaiting-hand-off") {
      res.status(503).set("Retry-After", "60").json({ result: "retry-later" });
      return;
    }
    ack(res);
  };
}
