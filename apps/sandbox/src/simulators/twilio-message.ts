/** Twilio's Message resource, its create-time validation, and its error bodies. */
import { randomBytes } from "node:crypto";
import type { SandboxCredentials } from "../credentials.js";
import { smsSegments } from "./sms-segments.js";

export interface TwilioError {
  code: number;
  message: string;
  more_info: string;
  status: number;
  detail?: string;
}

export function twilioError(status: number, code: number, message: string, detail?: string): TwilioError {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status, ...(detail ? { detail } : {}) };
}

export type MessageStatus = "accepted" | "queued" | "sending" | "sent" | "delivered" | "undelivered" | "failed";

/** The Message resource as the REST API returns it (Twilio's snake_case, strings for counts). */
export interface TwilioMessage {
  account_sid: string;
  api_version: "2010-04-01";
  body: string;
  date_created: string;
  date_sent: string | null;
  date_updated: string;
  direction: "outbound-api";
  error_code: number | null;
  error_message: string | null;
  from: string | null;
  messaging_service_sid: string | null;
  num_media: string;
  num_segments: string;
  price: string | null;
  price_unit: "USD";
  sid: string;
  status: MessageStatus;
  subresource_uris: { media: string; feedback: string };
  to: string;
  uri: string;
}

/** Twilio writes dates in RFC 2822 form, e.g. "Thu, 24 Aug 2023 05:01:45 +0000". */
export const rfc2822 = (d = new Date()) => d.toUTCString().replace("GMT", "+0000");

const E164 = /^\+[1-9]\d{1,14}$/;
const CHANNEL = /^(whatsapp|messenger|rcs):/;
const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;
const SHORT_CODE = /^\d{5,6}$/;

/** Twilio's magic test numbers: each fails the way its documentation says. */
const MAGIC_TO: Record<string, [number, string]> = {
  "+15005550001": [21211, "Invalid 'To' Phone Number: +15005550001"],
  "+15005550002": [21612, "The 'To' phone number: +15005550002, is not currently reachable using the 'From' phone number via SMS."],
  "+15005550003": [21408, "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: +15005550003."],
  "+15005550004": [21610, "Attempt to send to unsubscribed recipient"],
  "+15005550009": [21614, "'To' number is not a valid mobile number"],
};

export const invalidTo = (to: string) => twilioError(400, 21211, `Invalid 'To' Phone Number: ${to}`);
export const notMobile = (to: string) => twilioError(400, 21614, `'To' number ${to} is not a valid mobile number`);

/** The create-message form fields, validated; or the error Twilio answers with. */
export function validateCreate(
  form: URLSearchParams,
  creds: SandboxCredentials["twilio"],
): { to: string; from?: string; messagingServiceSid?: string; body: string; mediaUrls: string[]; statusCallback?: string } | TwilioError {
  const to = form.get("To") ?? "";
  if (to === "") return twilioError(400, 21604, "A 'To' phone number is required.");
  if (!E164.test(to.replace(CHANNEL, ""))) return invalidTo(to);
  const magic = MAGIC_TO[to];
  if (magic) return twilioError(400, magic[0], magic[1]);

  const from = form.get("From") || undefined;
  const messagingServiceSid = form.get("MessagingServiceSid") || undefined;
  if (!from && !messagingServiceSid) return twilioError(400, 21603, "A 'From' phone number is required.");
  if (from) {
    const bare = from.replace(CHANNEL, "");
    if (!E164.test(bare) && !ALPHANUMERIC_SENDER.test(bare) && !SHORT_CODE.test(bare)) {
      return twilioError(400, 21212, `Invalid 'From' Phone Number: ${from}`);
    }
    if (E164.test(bare) && bare !== creds.fromNumber) {
      return twilioError(400, 21606, `The 'From' phone number provided (${from}) is not a valid message-capable Twilio phone number for this destination.`);
    }
  }

  const body = form.get("Body") ?? "";
  const mediaUrls = form.getAll("MediaUrl");
  if (body === "" && mediaUrls.length === 0 && !form.get("ContentSid")) return twilioError(400, 21602, "Message body is required.");
  if ([...body].length > 1600) return twilioError(400, 21617, "The concatenated message body exceeds the 1600 character limit.");
  if (mediaUrls.length > 10) return twilioError(400, 21623, "Number of media files exceeds allowed limit.");

  const statusCallback = form.get("StatusCallback") || undefined;
  if (statusCallback && !/^https?:\/\/[^/\s]+/i.test(statusCallback)) return twilioError(400, 21609, "Invalid StatusCallback url");
  return { to, from, messagingServiceSid, body, mediaUrls, statusCallback };
}

export function newMessage(accountSid: string, v: Exclude<ReturnType<typeof validateCreate>, TwilioError>): TwilioMessage {
  const sid = `SM${randomBytes(16).toString("hex")}`;
  const now = rfc2822();
  const uri = `/2010-04-01/Accounts/${accountSid}/Messages/${sid}`;
  return {
    account_sid: accountSid,
    api_version: "2010-04-01",
    body: v.body,
    date_created: now,
    date_sent: null,
    date_updated: now,
    direction: "outbound-api",
    error_code: null,
    error_message: null,
    from: v.from ?? null,
    messaging_service_sid: v.messagingServiceSid ?? null,
    num_media: String(v.mediaUrls.length),
    num_segments: String(smsSegments(v.body).segments),
    price: null,
    price_unit: "USD",
    sid,
    // Twilio answers "accepted" when it still has to pick a sender from the Messaging Service.
    status: v.from ? "queued" : "accepted",
    subresource_uris: { media: `${uri}/Media.json`, feedback: `${uri}/Feedback.json` },
    to: v.to,
    uri: `${uri}.json`,
  };
}
