import "server-only";
import { callApi } from "./api";
import { graphql, type ResultOf } from "./graphql";

export const AUDIT_PAGE_SIZE = 50;

const AUDIT_LOG = graphql(`
  query ConsoleAuditLog($filter: AuditLogFilter, $first: Int!, $after: String) {
    auditLog(filter: $filter, first: $first, after: $after) {
      entries {
        id
        action
        actorType
        actorId
        actorLabel
        targetType
        targetId
        summary
        sourceIp
        createdAt
      }
      nextCursor
    }
  }
`);

export type AuditLogPage = ResultOf<typeof AUDIT_LOG>["auditLog"];

export interface AuditFilterParams {
  action?: string;
  actorId?: string;
  targetId?: string;
  /** yyyy-mm-dd (UTC), from the page's date inputs. */
  since?: string;
  until?: string;
}

/** Dates are whole UTC days: "until 2026-12-01" includes that day. */
export function fetchAuditLog(filter: AuditFilterParams, after?: string): Promise<AuditLogPage> {
  // Anything but a date is passed on as typed, so the API's typed refusal is what the page shows.
  const day = (d: string | undefined, plusDays = 0) => {
    if (!d) return undefined;
    const t = Date.parse(`${d}T00:00:00Z`);
    return Number.isNaN(t) ? d : new Date(t + plusDays * 86_400_000).toISOString();
  };
  return callApi(AUDIT_LOG, {
    filter: {
      action: filter.action || undefined,
      actorId: filter.actorId || undefined,
      targetId: filter.targetId || undefined,
      since: day(filter.since),
      until: day(filter.until, 1),
    },
    first: AUDIT_PAGE_SIZE,
    after,
  }).then((r) => r.auditLog);
}

/** The actions the API writes (and the console's sign-in rows), for the filter's list. */
export const AUDIT_ACTIONS = [
  "auth.sign_in",
  "auth.sign_in_failed",
  "auth.sign_out",
  "template.create",
  "template.update",
  "template.update_draft",
  "template.publish",
  "template.restore",
  "api_key.create",
  "api_key.revoke",
  "api_key.rotate",
  "member.invite",
  "member.role_change",
  "member.remove",
  "domain.allow",
  "preference.set_by_support",
  "dead_letter.replay",
  "test_send",
  "recipient.delete",
  "app.create",
] as const;
