import { Worker, type ConnectionOptions } from "bullmq";
import type { Broadcast, Db, Platform, Prisma } from "@notify/db";
import {
  BROADCAST_QUEUE,
  broadcastRequestSchema,
  contactState,
  createBroadcastQueue,
  enqueueBroadcast,
  QUEUE_PREFIX,
  variantFor,
  writeAccepted,
  type BroadcastRequest,
  type Enqueuer,
} from "@notify/jobs";
import type { Logger } from "pino";

export interface FanoutOptions {
  db: Db;
  connection: ConnectionOptions;
  enqueuer: Enqueuer;
  log: Logger;
  /** Subscribers per page: one transaction and one addBulk per channel each. */
  pageSize?: number;
  /** How often unfinished broadcasts whose job Redis lost are enqueued again. */
  resumeIntervalMs: number;
  resumeGraceMs: number;
}

/**
 * Fans a broadcast out to its topic's subscribers, a page at a time. Each page is one
 * transaction that writes the page's notifications and moves Broadcast.cursor past it, under a
 * row lock on the broadcast: a crash (or a second worker given the same job after a stall)
 * resumes after the last committed page and never writes a subscriber twice. Notifications are
 * enqueued after each commit; if that enqueue is lost the outbox sweeper picks them up.
 */
export function startBroadcastFanout(opts: FanoutOptions) {
  const log = opts.log.child({ component: "broadcast-fanout" });
  const pageSize = opts.pageSize ?? 1_000;
  const worker = new Worker<{ broadcastId: string }>(
    BROADCAST_QUEUE,
    async (job) => {
      for (;;) {
        const page = await fanOutPage(opts.db, job.data.broadcastId, pageSize);
        if (page.notifications.length) await opts.enqueuer.enqueue(page.notifications);
        if (page.done) return { created: page.created };
      }
    },
    {
      connection: opts.connection,
      prefix: QUEUE_PREFIX,
      concurrency: 2,
      // A fan-out whose worker died is only taken up again once BullMQ sees its lock expire: a
      // shorter lock (renewed every lockDuration / 2 while the worker lives) and a more frequent
      // stalled check let another worker resume a million-subscriber broadcast within ~15 s
      // instead of up to a minute. Only this queue's few long jobs pay for the renewals.
      lockDuration: 10_000,
      stalledInterval: 5_000,
    },
  );
  worker.on("failed", (job, err) => log.warn({ broadcastId: job?.data.broadcastId, err: err.message }, "fan-out failed; it resumes from its cursor"));
  worker.on("error", (err) => log.error({ err }, "fan-out worker error"));

  // Redis may have lost a broadcast's job (restart, FLUSHALL, API crash before enqueue).
  const queue = createBroadcastQueue(opts.connection);
  const timer = setInterval(() => {
    opts.db.broadcast
      .findMany({ where: { status: { in: ["PENDING", "FANNING_OUT"] }, createdAt: { lt: new Date(Date.now() - opts.resumeGraceMs) } }, select: { id: true }, take: 100 })
      .then((rows) => Promise.all(rows.map((b) => enqueueBroadcast(queue, b.id))))
      .catch((err) => log.warn({ err }, "broadcast resume pass failed"));
  }, opts.resumeIntervalMs);
  timer.unref();

  return {
    worker,
    async close() {
      clearInterval(timer);
      await worker.close();
      await queue.close();
    },
  };
}

interface PageResult {
  notifications: { id: string; channel: string; scheduledAt: Date | null }[];
  created: number;
  done: boolean;
}

/** One page of one broadcast, in one transaction. */
export async function fanOutPage(db: Db, broadcastId: string, pageSize: number): Promise<PageResult> {
  return db.$transaction(
    async (tx) => {
      // The row lock serializes pages of one broadcast across workers.
      const [broadcast] = await tx.$queryRaw<Broadcast[]>`SELECT * FROM "Broadcast" WHERE id = ${broadcastId}::uuid FOR UPDATE`;
      if (!broadcast || broadcast.status === "DONE" || broadcast.status === "FAILED") return { notifications: [], created: broadcast?.created ?? 0, done: true };
      const request = broadcastRequestSchema.parse(broadcast.request);

      const subscribers = await tx.topicSubscription.findMany({
        where: { appId: broadcast.appId, topicKey: broadcast.topicKey, ...(broadcast.cursor ? { recipientId: { gt: broadcast.cursor } } : {}) },
        orderBy: { recipientId: "asc" },
        take: pageSize,
        select: {
          recipient: {
            select: {
              id: true,
              locale: true,
              email: true,
              emailInvalidAt: true,
              phone: true,
              phoneInvalidAt: true,
              devices: { where: { state: "ACTIVE" }, select: { platform: true } },
            },
          },
        },
      });

      const { rows, unreachable } = rowsFor(broadcast, request, subscribers.map((s) => s.recipient));
      const written = await writeAccepted(tx, rows);
      const done = subscribers.length < pageSize;
      await tx.broadcast.update({
        where: { id: broadcast.id },
        data: {
          status: done ? "DONE" : "FANNING_OUT",
          cursor: subscribers.at(-1)?.recipient.id ?? broadcast.cursor,
          created: { increment: written.length },
          unreachable: { increment: unreachable },
          finishedAt: done ? new Date() : undefined,
        },
      });
      return { notifications: written, created: broadcast.created + written.length, done };
    },
    { timeout: 60_000 },
  );
}

type Subscriber = {
  id: string;
  locale: string | null;
  email: string | null;
  emailInvalidAt: Date | null;
  phone: string | null;
  phoneInvalidAt: Date | null;
  devices: { platform: Platform }[];
};

function rowsFor(broadcast: Broadcast, request: BroadcastRequest, subscribers: Subscriber[]) {
  const rows: Prisma.NotificationCreateManyInput[] = [];
  let unreachable = 0;
  for (const recipient of subscribers) {
    const platforms = new Set(recipient.devices.map((d) => d.platform));
    const variant = variantFor(request, recipient.locale);
    for (const rendered of variant) {
      if (contactState(recipient, platforms, rendered.channel) !== "ok") {
        unreachable++;
        continue;
      }
      rows.push({
        appId: broadcast.appId,
        recipientId: recipient.id,
        channel: rendered.channel,
        category: request.category,
        templateVersionId: request.templateVersionId,
        content: rendered.content as Prisma.InputJsonValue,
        data: (rendered.data ?? undefined) as Prisma.InputJsonValue | undefined,
        broadcastId: broadcast.id,
      });
    }
  }
  return { rows, unreachable };
}
