import type { AuditLog, Db, Prisma, Tx } from "@notify/db";
import type { Principal } from "../auth/principal.js";
import { InputError } from "../errors.js";

/** Every action the audit log knows; the console writes the auth.* ones itself. */
export type AuditAction =
  | "template.create"
  | "template.update"
  | "template.update_draft"
  | "template.publish"
  | "template.restore"
  | "api_key.create"
  | "api_key.revoke"
  | "api_key.rotate"
  | "member.invite"
  | "member.role_change"
  | "member.remove"
  | "member.invite_revoke"
  | "domain.allow"
  | "domain.remove"
  | "preference.set_by_support"
  | "dead_letter.replay"
  | "test_send"
  | "recipient.delete"
  | "app.create"
  | "auth.sign_in"
  | "auth.sign_in_failed"
  | "auth.sign_out";

/** Who did it, as the AuditLog row names them: readable without a join, since rows outlive keys and users. */
export interface AuditActor {
  actorType: "user" | "api_key" | "recipient_token" | "system";
  actorId: string | null;
  actorLabel: string | null;
}

export interface AuditEntry {
  appId: string | null;
  /** The request's principal, or an explicit actor (the CLI, `start`: actorType "system"). */
  actor: Principal | AuditActor;
  action: AuditAction;
  targetType?: string;
  targetId?: string;
  /** Before/after at a glance; never secrets or message content. */
  summary?: Record<string, unknown>;
  sourceIp?: string;
}

/** What a resolver has at hand: its context's app, principal and source address. */
export interface AuditScope {
  app: { appId: string };
  principal: Principal;
  sourceIp?: string;
}

export interface AuditFilter {
  action?: string | null;
  actorId?: string | null;
  targetId?: string | null;
  since?: Date | null;
  until?: Date | null;
}

export function auditActor(actor: Principal | AuditActor): AuditActor {
  if (!("kind" in actor)) return actor;
  switch (actor.kind) {
    case "app":
      return { actorType: "api_key", actorId: actor.apiKeyId, actorLabel: actor.appKey };
    case "user":
      return { actorType: "user", actorId: actor.userId, actorLabel: actor.email };
    case "recipient":
      return { actorType: "recipient_token", actorId: actor.tokenId ?? null, actorLabel: actor.recipientExternalId };
  }
}

const MAX_PAGE = 200;

/**
 * The append-only audit log (Postgres refuses UPDATE, DELETE and TRUNCATE on it: see the
 * migration 20261201090000). One row per security-relevant change: who, in which app, what,
 * on which target, a before/after summary and the caller's address.
 */
export class AuditService {
  constructor(private readonly db: Db) {}

  /** Pass `tx` to write the row in the same transaction as the change it describes. */
  async record(entry: AuditEntry, tx?: Tx): Promise<void> {
    await (tx ?? this.db).auditLog.create({
      data: {
        appId: entry.appId,
        ...auditActor(entry.actor),
        action: entry.action,
        targetType: entry.targetType ?? null,
        targetId: entry.targetId ?? null,
        summary: (entry.summary ?? undefined) as Prisma.InputJsonValue | undefined,
        sourceIp: entry.sourceIp ?? null,
      },
    });
  }

  /** record() with the app, actor and address taken from a request's context. */
  recordFor(scope: AuditScope, entry: Omit<AuditEntry, "appId" | "actor" | "sourceIp">, tx?: Tx): Promise<void> {
    return this.record({ ...entry, appId: scope.app.appId, actor: scope.principal, sourceIp: scope.sourceIp }, tx);
  }

  /** Newest first; `after` is the id of the last row of the previous page. */
  async list(appId: string, filter: AuditFilter, first: number, after?: string | null): Promise<{ entries: AuditLog[]; nextCursor: string | null }> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw new InputError("INVALID_PAGE_SIZE", `first must be 1 to ${MAX_PAGE}`, "first");
    if (after != null && !/^[1-9][0-9]{0,18}$/.test(after)) throw new InputError("INVALID_CURSOR", "after must be a cursor this query returned", "after");
    if (filter.since && filter.until && filter.since >= filter.until) throw new InputError("EMPTY_RANGE", "filter.since must be before filter.until", "filter.since");
    const rows = await this.db.auditLog.findMany({
      where: {
        appId,
        ...(filter.action ? { action: filter.action } : {}),
        ...(filter.actorId ? { actorId: filter.actorId } : {}),
        ...(filter.targetId ? { targetId: filter.targetId } : {}),
        ...(filter.since || filter.until ? { createdAt: { ...(filter.since ? { gte: filter.since } : {}), ...(filter.until ? { lt: filter.until } : {}) } } : {}),
        ...(after != null ? { id: { lt: BigInt(after) } } : {}),
      },
      orderBy: { id: "desc" },
      take: first + 1,
    });
    const entries = rows.slice(0, first);
    return { entries, nextCursor: rows.length > first ? String(entries[entries.length - 1]!.id) : null };
  }
}
