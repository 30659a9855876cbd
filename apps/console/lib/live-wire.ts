/** What the console's live routes send the browser (shared by route handlers and the page). */

export interface LiveEvent {
  id: string;
  type: string;
  source: string;
  occurredAt: string;
  detail: Record<string, unknown> | null;
  notificationId: string;
  channel: string;
  status: string;
  externalId: string;
  templateKey: string | null;
}

/** Server-Sent Event names on /api/live/events. */
export const SSE = { ready: "ready", delivery: "delivery", problem: "problem" } as const;
