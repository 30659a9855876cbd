/** Postmark webhook payloads (Delivery, Bounce, SpamComplaint, Open, Click) and their delivery. */

import { postCallback } from "./webhook-client.js";

export interface SentEmail {
  messageId: string;
  from: string;
  recipients: string[];
  subject: string;
  tag?: string;
  metadata?: Record<string, string>;
  messageStream: string;
  submittedAt: string;
}

export const WEBHOOK_RECORD_TYPES = ["Delivery", "Bounce", "SpamComplaint", "Open", "Click"] as const;
export type WebhookRecordType = (typeof WEBHOOK_RECORD_TYPES)[number];

/** Postmark's bounce types that the sandbox can produce, with their TypeCodes and texts. */
export const BOUNCE_TYPES = {
  HardBounce: { code: 1, name: "Hard bounce", inactive: true, description: "The server was unable to deliver your message (ex: unknown user, mailbox not found)." },
  SoftBounce: { code: 4096, name: "Soft bounce/Undeliverable", inactive: false, description: "Unable to temporarily deliver this message." },
  Transient: { code: 2, name: "Message delayed/Undeliverable", inactive: false, description: "The server could not temporarily deliver your message (ex: Message is delayed due to network troubles)." },
  DnsError: { code: 256, name: "DNS error", inactive: false, description: "A temporary DNS error." },
  Blocked: { code: 100006, name: "ISP block", inactive: false, description: "The ISP blocked this message." },
} as const;
export type BounceType = keyof typeof BOUNCE_TYPES;

export interface WebhookOptions {
  recordType: WebhookRecordType;
  recipient: string;
  bounceType?: BounceType;
  link?: string;
  /** Postmark server id the payloads claim to come from. */
  serverId: number;
  /** Sequence for Bounce/SpamComplaint `ID`s. */
  eventId: number;
}

const USER_AGENT = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)";
const CLIENT_INFO = {
  UserAgent: USER_AGENT,
  OS: { Name: "macOS", Family: "OS X", Company: "Apple Computer, Inc." },
  Client: { Name: "Apple Mail", Family: "Apple Mail", Company: "Apple" },
  Geo: { CountryISOCode: "US", Country: "United States", RegionISOCode: "CA", Region: "California", City: "San Francisco", Zip: "94103", Coords: "37.7749,-122.4194", IP: "192.0.2.10" },
};

export function webhookPayload(email: SentEmail, o: WebhookOptions): Record<string, unknown> {
  const now = new Date().toISOString();
  const common = { MessageStream: email.messageStream, MessageID: email.messageId, Tag: email.tag ?? "", Metadata: email.metadata ?? {} };
  switch (o.recordType) {
    case "Delivery":
      return { RecordType: "Delivery", ServerID: o.serverId, ...common, Recipient: o.recipient, DeliveredAt: now, Details: "Message delivered by the Notify sandbox." };
    case "Bounce": {
      const type = o.bounceType ?? "HardBounce";
      const b = BOUNCE_TYPES[type];
      return {
        RecordType: "Bounce",
        ID: o.eventId,
        Type: type,
        TypeCode: b.code,
        Name: b.name,
        ServerID: o.serverId,
        ...common,
        Description: b.description,
        Details: "smtp;550 5.1.1 The email account that you tried to reach does not exist (sandbox)",
        Email: o.recipient,
        From: email.from,
        BouncedAt: now,
        DumpAvailable: false,
        Inactive: b.inactive,
        CanActivate: true,
        Subject: email.subject,
        Content: "",
      };
    }
    case "SpamComplaint":
      return {
        RecordType: "SpamComplaint",
        ID: o.eventId,
        Type: "SpamComplaint",
        TypeCode: 100001,
        Name: "Spam complaint",
        ServerID: o.serverId,
        ...common,
        Description: "The subscriber explicitly marked this message as spam.",
        Details: "Spam complaint (sandbox)",
        Email: o.recipient,
        From: email.from,
        BouncedAt: now,
        DumpAvailable: false,
        Inactive: true,
        CanActivate: false,
        Subject: email.subject,
        Content: "",
      };
    case "Open":
      return { RecordType: "Open", ...common, FirstOpen: true, Recipient: o.recipient, ReceivedAt: now, Platform: "Desktop", ReadSeconds: 5, ...CLIENT_INFO };
    case "Click":
      return {
        RecordType: "Click",
        ...common,
        Recipient: o.recipient,
        ReceivedAt: now,
        Platform: "Desktop",
        ClickLocation: "HTML",
        OriginalLink: o.link ?? "https://example.com/",
        ...CLIENT_INFO,
      };
  }
}

/** POSTs a webhook the way Postmark does: JSON, HTTP basic auth from the webhook URL settings. */
export async function postWebhook(
  url: string,
  auth: { username: string; password: string },
  payload: Record<string, unknown>,
): Promise<number> {
  const res = await postCallback(url, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "User-Agent": "Postmark",
      Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`,
    },
    body: JSON.stringify(payload),
    signal: AbortSignal.timeout(10_000),
  });
  await res.arrayBuffer();
  return res.status;
}
