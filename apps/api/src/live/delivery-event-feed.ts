import { Repeater } from "@graphql-yoga/subscription";
import type { Db } from "@notify/db";
import type { Logger } from "pino";

/** A delivery event with what a live view needs to place it, from one joined read. */
export interface FeedEvent {
  id: string;
  type: string;
  source: string;
  occurredAt: Date;
  detail: unknown;
  notificationId: string;
  appId: string;
  channel: string;
  status: string;
  externalId: string;
  templateKey: string | null;
}

export interface FeedFilter {
  appId: string;
  externalId?: string | null;
  templateKey?: string | null;
}

// Events commit out of timestamp order (a transaction stamps occurredAt before it commits): the
// feed reads only events older than this, by which time their transactions have committed.
const SETTLE_MS = 1_000;
const PAGE = 2_000;

/**
 * Live delivery events for subscriptions, from Postgres, the system of record: every API and
 * worker process writes DeliveryEvent rows, so reading them is the one feed that sees all of
 * them without each writer also publishing. One poller per API process serves every subscriber
 * (one indexed query per interval, whatever the number of consoles watching), and it only runs
 * while someone is subscribed.
 */
export class DeliveryEventFeed {
  private readonly listeners = new Set<{ filter: FeedFilter; push: (e: FeedEvent) => void }>();
  private timer?: NodeJS.Timeout;
  /** Keyset cursor: the last event handed out, by (occurredAt, id). */
  private cursor = { at: new Date(), id: "00000000-0000-0000-0000-000000000000" };
  private polling = false;

  constructor(
    private readonly db: Db,
    private readonly log: Pick<Logger, "warn">,
    private readonly intervalMs = 500,
  ) {}

  subscribe(filter: FeedFilter): AsyncIterable<FeedEvent> {
    return new Repeater<FeedEvent>(async (push, stop) => {
      const listener = { filter, push: (e: FeedEvent) => void push(e) };
      this.listeners.add(listener);
      this.start();
      await stop;
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.halt();
    });
  }

  close(): void {
    this.halt();
  }

  private start() {
    if (this.timer) return;
    this.cursor = { at: new Date(Date.now() - SETTLE_MS), id: "00000000-0000-0000-0000-000000000000" };
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
  }

  private halt() {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async poll() {
    if (this.polling) return;
    this.polling = true;
    try {
      // Drains the backlog page by page, so a burst of events is never skipped.
      for (;;) {
        const rows = await this.db.$queryRaw<FeedEvent[]>`
          SELECT e.id, e.type::text AS type, e.source, e."occurredAt", e.detail, n.id AS "notificationId", n."appId",
                 n.channel::text AS channel, n.status::text AS status, r."externalId", t.key AS "templateKey"
            FROM "DeliveryEvent" e
            JOIN "Notification" n ON n.id = e."notificationId"
            JOIN "Recipient" r ON r.id = n."recipientId"
            LEFT JOIN "TemplateVersion" tv ON tv.id = n."templateVersionId"
            LEFT JOIN "Template" t ON t.id = tv."templateId"
           WHERE (e."occurredAt", e.id) > (${this.cursor.at}, ${this.cursor.id}::uuid)
             AND e."occurredAt" <= ${new Date(Date.now() - SETTLE_MS)}
           ORDER BY e."occurredAt", e.id
           LIMIT ${PAGE}`;
        for (const row of rows) for (const l of this.listeners) if (matches(l.filter, row)) l.push(row);
        if (rows.length) this.cursor = { at: rows.at(-1)!.occurredAt, id: rows.at(-1)!.id };
        if (rows.length < PAGE || this.listeners.size === 0) break;
      }
    } catch (err) {
      this.log.warn({ err }, "delivery event feed poll failed; retrying");
    } finally {
      this.polling = false;
    }
  }
}

function matches(filter: FeedFilter, e: FeedEvent): boolean {
  return e.appId === filter.appId && (!filter.externalId || e.externalId === filter.externalId) && (!filter.templateKey || e.templateKey === filter.templateKey);
}
