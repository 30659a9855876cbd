import { Prisma, type Channel, type Db, type NotificationStatus } from "@notify/db";
import { QUEUED_CHANNELS, type DeliveryQueues } from "@notify/jobs";
import type { Logger } from "pino";
import { NotFoundError } from "../errors.js";
import { DeliveryEventFeed, type FeedFilter } from "./delivery-event-feed.js";
import type { QueueDepth, TemplateStats } from "./live.type.js";

/** What the console's live views read: queue depth, per-template outcomes, the event stream. */
export class LiveService {
  readonly feed: DeliveryEventFeed;

  constructor(
    private readonly db: Db,
    private readonly queues: DeliveryQueues,
    log: Pick<Logger, "warn">,
  ) {
    this.feed = new DeliveryEventFeed(db, log);
  }

  events(filter: FeedFilter) {
    return this.feed.subscribe(filter);
  }

  /** Queues are shared by all apps: depth is platform-wide. */
  async queueDepth(): Promise<QueueDepth[]> {
    return Promise.all(
      QUEUED_CHANNELS.map(async (channel) => {
        const c = await this.queues[channel].getJobCounts("waiting", "active", "delayed", "failed", "prioritized");
        return { channel: channel as Channel, waiting: (c.waiting ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0, delayed: c.delayed ?? 0, failed: c.failed ?? 0 };
      }),
    );
  }

  async templateStats(appId: string, key: string, since?: Date | null): Promise<TemplateStats> {
    const template = await this.db.template.findUnique({ where: { appId_key: { appId, key } }, select: { id: true } });
    if (!template) throw new NotFoundError("Template", key);
    const sinceClause = since ? Prisma.sql`AND n."createdAt" >= ${since}` : Prisma.empty;
    const byStatus = await this.db.$queryRaw<{ status: NotificationStatus; count: number }[]>`
      SELECT n.status::text AS status, count(*)::int AS count
        FROM "Notification" n JOIN "TemplateVersion" tv ON tv.id = n."templateVersionId"
       WHERE tv."templateId" = ${template.id}::uuid ${sinceClause}
       GROUP BY n.status ORDER BY n.status`;
    const engagement = await this.db.$queryRaw<{ opened: number; clicked: number }[]>`
      SELECT count(DISTINCT e."notificationId") FILTER (WHERE e.type = 'OPENED')::int AS opened,
             count(DISTINCT e."notificationId") FILTER (WHERE e.type = 'CLICKED')::int AS clicked
        FROM "DeliveryEvent" e JOIN "Notification" n ON n.id = e."notificationId"
        JOIN "TemplateVersion" tv ON tv.id = n."templateVersionId"
       WHERE tv."templateId" = ${template.id}::uuid AND e.type IN ('OPENED', 'CLICKED') ${sinceClause}`;
    return {
      key,
      total: byStatus.reduce((s, r) => s + r.count, 0),
      byStatus,
      opened: engagement[0]?.opened ?? 0,
      clicked: engagement[0]?.clicked ?? 0,
    };
  }
}
