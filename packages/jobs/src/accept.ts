import type { Notification, Prisma, Tx } from "@notify/db";

/**
 * The outbox's first half, shared by the API's send and the workers' recurring ticker: inside the
 * caller's transaction, writes the notifications and their ACCEPTED events. Returns the rows in
 * the order given. Nothing is enqueued here; that happens after commit.
 */
export async function writeAccepted(tx: Tx, rows: Prisma.NotificationCreateManyInput[]): Promise<Notification[]> {
  const created = await tx.notification.createManyAndReturn({ data: rows.map(deliveredOnWrite) });
  // createManyAndReturn does not promise input order; channels are unique per recipient per call.
  const ordered = rows.map((r) => created.find((c) => c.channel === r.channel && c.recipientId === r.recipientId)!);
  await tx.deliveryEvent.createMany({ data: ordered.map((n) => ({ notificationId: n.id, type: "ACCEPTED" as const })) });
  return ordered;
}

// IN_APP is delivered by being stored: it is in the recipient's feed from now on.
function deliveredOnWrite(row: Prisma.NotificationCreateManyInput): Prisma.NotificationCreateManyInput {
  return row.channel === "IN_APP" && row.status === undefined ? { ...row, status: "SENT", sentAt: new Date() } : row;
}
