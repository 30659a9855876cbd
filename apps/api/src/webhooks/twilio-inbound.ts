import type { Request, Response } from "express";
import type { Logger } from "pino";
import twilio from "twilio";
import type { PreferenceService } from "../preferences/preference.service.js";
import type { TwilioParams } from "./twilio.js";
import type { WebhookSecrets } from "./webhook-secrets.js";

// Twilio's default opt-out and opt-in keywords: the whole message, any case.
const STOP_WORDS = new Set(["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"]);
const START_WORDS = new Set(["START", "YES", "UNSTOP"]);

/** What an inbound message asks for; Twilio's OptOutType (Advanced Opt-Out) wins when present. */
export function smsKeywordIntent(params: TwilioParams): "stop" | "start" | null {
  const one = (name: string) => {
    const v = params[name];
    return (Array.isArray(v) ? v[0] : v) ?? "";
  };
  const type = one("OptOutType").toUpperCase();
  if (type === "STOP") return "stop";
  if (type === "START") return "start";
  const word = one("Body").trim().toUpperCase();
  if (STOP_WORDS.has(word)) return "stop";
  if (START_WORDS.has(word)) return "start";
  return null;
}

export interface TwilioInboundDeps {
  preferences: PreferenceService;
  secrets: WebhookSecrets;
  log: Logger;
  /** Base URL Twilio calls us at; the signature covers the full URL it requested. */
  publicApiUrl: string;
}

/**
 * POST /webhooks/twilio/inbound: messages people send to our number. STOP (and its synonyms)
 * turns SMS off for every recipient with that phone, START turns it back on; anything else is
 * acknowledged and ignored. The reply is empty TwiML: Twilio itself answers STOP/START.
 */
export function twilioInboundWebhook({ preferences, secrets, log, publicApiUrl }: TwilioInboundDeps) {
  const base = publicApiUrl.replace(/\/+$/, "");
  return async (req: Request, res: Response) => {
    const params = (typeof req.body === "object" && req.body !== null ? req.body : {}) as TwilioParams;
    const signature = req.header("x-twilio-signature");
    const url = `${base}${req.originalUrl}`;
    if (!signature || !twilio.validateRequest(await secrets.twilioAuthToken(), signature, url, params)) {
      log.warn({ url, signed: Boolean(signature) }, "inbound SMS with a missing or wrong signature");
      res.status(403).json({ error: "X-Twilio-Signature is missing or does not match" });
      return;
    }
    const intent = smsKeywordIntent(params);
    const from = typeof params.From === "string" ? params.From : undefined;
    if (intent && from) {
      const count = await preferences.setSmsByPhone(from, intent === "start");
      log.info({ intent, recipients: count }, "inbound SMS keyword");
    }
    res.status(200).type("text/xml").send('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  };
}
