import type { Recorder, RecordedRequest } from "@notify/sandbox";

/** One message a simulated provider accepted. */
export interface Handoff {
  provider: string;
  /** Postmark: Metadata.notificationId. */
  notificationId?: string;
  /** Postmark: Metadata.attemptId, the DeliveryAttempt row written before the call. */
  attemptId?: string;
  /** The idempotency key found in the message text (every provider). */
  key?: string;
}

const KEY_PATTERN = /chaos-[a-z0-9]+-\d+/;

/**
 * Counts every message the simulators accept. The recorder keeps only its last 10,000
 * requests, so the tap sees each one as it is recorded rather than reading the list at the end.
 */
export class HandoffTap {
  readonly handoffs: Handoff[] = [];
  /** Requests the simulators answered with an error or dropped (faults, dead addresses). */
  refused = 0;

  constructor(recorder: Recorder) {
    const record = recorder.record.bind(recorder);
    recorder.record = (entry) => {
      const recorded = record(entry);
      this.observe(recorded);
      return recorded;
    };
  }

  private observe(r: RecordedRequest): void {
    if (!r.accepted) {
      this.refused++;
      return;
    }
    const body = r.body as Record<string, unknown> | undefined;
    const metadata = (body?.Metadata ?? {}) as { notificationId?: string; attemptId?: string };
    this.handoffs.push({
      provider: r.provider,
      notificationId: metadata.notificationId,
      attemptId: metadata.attemptId,
      key: KEY_PATTERN.exec(JSON.stringify(body ?? ""))?.[0],
    });
  }
}
