import { randomUUID } from "node:crypto";

export type ProviderName = "postmark" | "twilio" | "apns" | "fcm" | "webpush";

/** One request a simulated provider received, and what it answered. */
export interface RecordedRequest {
  id: string;
  provider: ProviderName;
  receivedAt: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  /** Parsed body (JSON or form fields); for Web Push the decrypted payload. */
  body: unknown;
  /** Who the message was for: email address, phone number, device token or subscription endpoint. */
  target?: string;
  /** Whether the simulator accepted it as a message (false for rejected/faulted requests). */
  accepted: boolean;
  response: { status: number; body: unknown };
}

export interface RecordFilter {
  provider?: ProviderName;
  target?: string;
  accepted?: boolean;
}

/** Keeps what each simulator received so tests and the console can see it. Bounded. */
export class Recorder {
  private entries: RecordedRequest[] = [];
  constructor(private readonly limit = 10_000) {}

  record(entry: Omit<RecordedRequest, "id" | "receivedAt">): RecordedRequest {
    const full: RecordedRequest = { id: randomUUID(), receivedAt: new Date().toISOString(), ...entry };
    this.entries.push(full);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    return full;
  }

  list(filter: RecordFilter = {}): RecordedRequest[] {
    return this.entries.filter(
      (e) =>
        (filter.provider === undefined || e.provider === filter.provider) &&
        (filter.target === undefined || e.target === filter.target) &&
        (filter.accepted === undefined || e.accepted === filter.accepted),
    );
  }

  clear(provider?: ProviderName): void {
    this.entries = provider ? this.entries.filter((e) => e.provider !== provider) : [];
  }
}
