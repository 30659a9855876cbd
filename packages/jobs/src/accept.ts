import type { Notification, Prisma, Tx } from "@notify/db";

/**
 * Rows per INSERT: a notification row binds ~15 parameters and Postgres allows 65,535 per
 * statement, so bulk sends and broadcast pages are written in slices of this size.
 */
const ROWS_PER_STATEMENT = 1_000;

/**
 * The outbox's first half, shared by the API's sends and the workers' recurring ticker and
 * broadcast fan-out: inside the caller's transaction, writes the notifications and their
 * ACCEPTED events. Returns the rows in the order given. Nothing is enqueued here; that happens
 * after commit. Each (recipient, channel) may appear once per call.
 */
export async function writeAccepted(tx: Tx, rows: Prisma.NotificationCreateManyInput[]): Promise<Notification[]> {
  const ordered: Notification[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const slice = rows.slice(i, i + ROWS_PER_STATEMENT);
    const created = await tx.notification.createManyAndReturn({ data: slice.map(deliveredOnWrite) });
    // createManyAndReturn does not promise input order.
    const byTarget = new Map(created.map((c) => [`${c.recipientId}/${c.channel}`, c]));
    const inOrder = slice.map((r) => byTarget.get(`${r.recipientId}/${r.channel}`)!);
    await tx.deliveryEvent.createMany({ data: inOrder.map((n) => ({ notificationId: n.id, type: "ACCEPTED" as const })) });
    ordered.push(...inOrder);
  }
  return ordered;
}

// IN_APP is delivered by being stored: it is in the recipient's feed from now on.
function deliveredOnWrite(row: Prisma.NotificationCreateManyInput): Prisma.NotificationCreateManyInput {
  return row.channel === "IN_APP" && row.status === undefined ? { ...row, status: "SENT", sentAt: new Date() } : row;
}
