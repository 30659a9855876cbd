import type { Db } from "@notify/db";
import type { Handoff } from "./handoffs.js";
import type { TrafficStats } from "./traffic.js";

export const TERMINAL = ["SENT", "DELIVERED", "FAILED", "DEAD", "SKIPPED"] as const;

/** The counts the chaos run is judged by. */
export interface Tally {
  /** Distinct notification ids the API returned. */
  accepted: number;
  /** Rows in Postgres for this app (must equal accepted: duplicates made none). */
  rows: number;
  byStatus: Record<string, number>;
  /** Accepted ids with no row. */
  missing: number;
  /** Accepted ids not in a terminal state when the wait ended. */
  stuck: number;
  /** missing + stuck. */
  lost: number;
  /** Idempotency keys the API answered with more than one notification id. */
  keysWithSeveralIds: number;
  /** Keys one request saw accepted and another refused: idempotency must give one answer. */
  keysAcceptedAndRefused: number;
  /** Logical sends refused for good (each key once, however many of its requests were refused). */
  refusedSends: number;
  /** Keys with more than one row in Postgres. */
  keysWithSeveralRows: number;
  attempts: number;
  /** attempts − notifications. */
  retried: number;
  /** Attempts the sweeper closed because their worker died mid-delivery. */
  workerLostAttempts: number;
  /** Messages the simulators accepted. */
  handoffs: number;
  /** Notifications handed to a provider more than once... */
  duplicated: number;
  /** ...explained by attempts whose outcome was never learned (the documented window, see outcomeUnknown). */
  duplicatesInWindow: number;
  /** ...with no lost worker to explain them: must be 0. */
  duplicatesOutsideWindow: number;
  /** SENT/DELIVERED notifications no simulator received: must be 0. */
  sentWithoutHandoff: number;
  /** Accepted messages that name no attempt row of their notification: must be 0. */
  handoffsWithoutAttempt: number;
  /** Accepted messages whose notification is not one the API accepted: must be 0. */
  handoffsOfUnknown: number;
  /** Attempt rows still SENDING although their notification is terminal. */
  danglingAttempts: number;
  /** For reading a failure: a few duplicates outside the window, with their attempts. */
  unexplained: { id: string; handoffs: number; attempts: { n: number; status: string; code: string | null; error: string | null; handedOff?: boolean }[] }[];
}

/** Notifications of the app by status (every row of the private database is the run's). */
export async function statusCounts(db: Db, appId: string): Promise<{ total: number; open: number; byStatus: Record<string, number> }> {
  const groups = await db.notification.groupBy({ by: ["status"], where: { appId }, _count: { _all: true } });
  const byStatus = Object.fromEntries(groups.map((g) => [g.status, g._count._all]));
  const total = groups.reduce((sum, g) => sum + g._count._all, 0);
  const terminal = TERMINAL.reduce((sum, s) => sum + (byStatus[s] ?? 0), 0);
  return { total, open: total - terminal, byStatus };
}

/**
 * An attempt whose outcome the platform never learned, so the provider may have accepted it: the
 * documented window. Either its worker was lost (the sweeper closed it as WORKER_LOST), or the
 * provider's answer never arrived (a timeout or dropped connection after the request went out;
 * adapters then report a transport code such as "network" or "ECONNRESET", never an HTTP status
 * or a provider's numeric error code).
 */
export function outcomeUnknown(a: { status: string; errorCode: string | null }): boolean {
  return a.errorCode === "WORKER_LOST" || (a.status === "FAILED" && a.errorCode !== null && !/^\d+$/.test(a.errorCode));
}

export async function tally(db: Db, appId: string, traffic: TrafficStats, handoffs: readonly Handoff[], keyToId: Map<string, string>): Promise<Tally> {
  const accepted = traffic.acceptedIds;
  const rows = await db.notification.findMany({ where: { appId }, select: { id: true, status: true, idempotencyKey: true } });
  const attempts = await db.deliveryAttempt.findMany({
    where: { notification: { appId } },
    select: { id: true, notificationId: true, status: true, errorCode: true, attemptNumber: true, errorMessage: true },
  });

  const rowById = new Map(rows.map((r) => [r.id, r]));
  const byStatus: Record<string, number> = {};
  let missing = 0;
  let stuck = 0;
  for (const id of accepted) {
    const row = rowById.get(id);
    if (!row) {
      missing++;
      continue;
    }
    byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
    if (!(TERMINAL as readonly string[]).includes(row.status)) stuck++;
  }

  const rowsPerKey = new Map<string, number>();
  for (const r of rows) if (r.idempotencyKey) rowsPerKey.set(r.idempotencyKey, (rowsPerKey.get(r.idempotencyKey) ?? 0) + 1);

  const attemptsOf = new Map<string, typeof attempts>();
  for (const a of attempts) attemptsOf.set(a.notificationId, [...(attemptsOf.get(a.notificationId) ?? []), a]);
  const attemptIds = new Set(attempts.map((a) => `${a.notificationId}/${a.id}`));

  // Hand-offs per notification: Postmark names it in Metadata; other providers carry the key.
  const handoffsOf = new Map<string, number>();
  const acceptedAttempts = new Set<string>();
  let handoffsWithoutAttempt = 0;
  let handoffsOfUnknown = 0;
  for (const h of handoffs) {
    const id = h.notificationId ?? (h.key ? keyToId.get(h.key) : undefined);
    if (!id || !accepted.has(id)) {
      handoffsOfUnknown++;
      continue;
    }
    handoffsOf.set(id, (handoffsOf.get(id) ?? 0) + 1);
    if (h.attemptId) acceptedAttempts.add(h.attemptId);
    if (h.attemptId && !attemptIds.has(`${id}/${h.attemptId}`)) handoffsWithoutAttempt++;
  }

  let duplicated = 0;
  let duplicatesInWindow = 0;
  let duplicatesOutsideWindow = 0;
  const unexplained: Tally["unexplained"] = [];
  for (const [id, count] of handoffsOf) {
    if (count < 2) continue;
    duplicated++;
    const lost = (attemptsOf.get(id) ?? []).filter(outcomeUnknown).length;
    // Each extra hand-off must be matched by one attempt whose outcome was never written.
    if (count - 1 <= lost) duplicatesInWindow++;
    else {
      duplicatesOutsideWindow++;
      if (unexplained.length < 10) {
        const list = (attemptsOf.get(id) ?? []).sort((a, b) => a.attemptNumber - b.attemptNumber);
        unexplained.push({ id, handoffs: count, attempts: list.map((a) => ({ n: a.attemptNumber, status: a.status, code: a.errorCode, error: a.errorMessage?.slice(0, 120) ?? null, handedOff: acceptedAttempts.has(a.id) })) });
      }
    }
  }

  let sentWithoutHandoff = 0;
  let danglingAttempts = 0;
  for (const id of accepted) {
    const row = rowById.get(id);
    if (!row) continue;
    if ((row.status === "SENT" || row.status === "DELIVERED") && !handoffsOf.has(id)) sentWithoutHandoff++;
    if ((TERMINAL as readonly string[]).includes(row.status)) danglingAttempts += (attemptsOf.get(id) ?? []).filter((a) => a.status === "SENDING").length;
  }

  return {
    accepted: accepted.size,
    rows: rows.length,
    byStatus,
    missing,
    stuck,
    lost: missing + stuck,
    keysWithSeveralIds: [...traffic.idsByKey.values()].filter((s) => s.size > 1).length,
    keysAcceptedAndRefused: [...traffic.refusedKeys.keys()].filter((k) => traffic.idsByKey.has(k)).length,
    refusedSends: [...traffic.refusedKeys.keys()].filter((k) => !traffic.idsByKey.has(k)).length,
    keysWithSeveralRows: [...rowsPerKey.values()].filter((n) => n > 1).length,
    attempts: attempts.length,
    retried: attempts.length - rows.length,
    workerLostAttempts: attempts.filter((a) => a.errorCode === "WORKER_LOST").length,
    handoffs: handoffs.length,
    duplicated,
    duplicatesInWindow,
    duplicatesOutsideWindow,
    sentWithoutHandoff,
    handoffsWithoutAttempt,
    handoffsOfUnknown,
    danglingAttempts,
    unexplained,
  };
}
