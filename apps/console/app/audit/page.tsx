import type { ReactNode } from "react";
import Link from "next/link";
import { ApiProblem, isExplainable } from "../../components/api-problem";
import { ApiRequestError } from "../../lib/api";
import { AdminsOnly } from "../users/admins-only";
import { AUDIT_ACTIONS, fetchAuditLog, type AuditFilterParams, type AuditLogPage } from "../../lib/audit";
import { formatTime } from "../../lib/format";

// Who did what, as of now: never cached.
export const dynamic = "force-dynamic";

type Params = Record<string, string | string[] | undefined>;
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.trim() || undefined;
const FILTERS = ["action", "actorId", "targetId", "since", "until"] as const;

/** Admins: every security-relevant change in this app, newest first, with filters. */
export default async function AuditPage({ searchParams }: { searchParams: Promise<Params> }) {
  const params = await searchParams;
  const filter: AuditFilterParams = Object.fromEntries(FILTERS.map((k) => [k, first(params[k])]));
  const after = first(params.after);
  let page: AuditLogPage;
  try {
    page = await fetchAuditLog(filter, after);
  } catch (err) {
    if (err instanceof ApiRequestError && err.code === "FORBIDDEN") return <AdminsOnly what="Audit log" />;
    if (isExplainable(err)) return <AuditShell filter={filter}><ApiProblem error={err} /></AuditShell>;
    throw err;
  }
  const filtered = FILTERS.some((k) => filter[k]);
  const next = new URLSearchParams(Object.entries({ ...filter, after: page.nextCursor ?? undefined }).filter((e): e is [string, string] => !!e[1]));
  return (
    <AuditShell filter={filter}>
      {page.entries.length === 0 ? (
        <section className="card" data-testid="audit-empty">
          <p className="muted">
            {filtered || after ? "No audit entries match these filters." : "Nothing has been audited in this app yet: sign-ins, template changes, key and member changes appear here."}
          </p>
        </section>
      ) : (
        <section className="card scroll-x">
          <table data-testid="audit-table">
            <thead>
              <tr>
                <th>Time (UTC)</th>
                <th>Action</th>
                <th>Actor</th>
                <th>Target</th>
                <th>Summary</th>
                <th>From</th>
              </tr>
            </thead>
            <tbody>
              {page.entries.map((e) => (
                <tr key={e.id} data-testid="audit-row" data-action={e.action}>
                  <td className="nowrap small">{formatTime(e.createdAt)}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td className="small">
                    <span className="badge">{e.actorType}</span> {e.actorLabel ?? e.actorId ?? "—"}
                  </td>
                  <td className="small">
                    {e.targetId ? (
                      <>
                        {e.targetType ?? ""} <span className="mono break-anywhere">{e.targetId}</span>
                      </>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td className="small mono break-anywhere">{e.summary ? JSON.stringify(e.summary) : "—"}</td>
                  <td className="small mono nowrap">{e.sourceIp ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {page.nextCursor && (
            <p>
              <Link href={`/audit?${next}`} data-testid="audit-next">
                Older entries →
              </Link>
            </p>
          )}
        </section>
      )}
    </AuditShell>
  );
}

function AuditShell({ filter, children }: { filter: AuditFilterParams; children: ReactNode }) {
  return (
    <>
      <h1>Audit log</h1>
      <section className="card">
        <form method="get" action="/audit" data-testid="audit-filters">
          <div className="row-fields">
            <div className="field">
              <label htmlFor="action">Action</label>
              <select id="action" name="action" defaultValue={filter.action ?? ""}>
                <option value="">Any</option>
                {AUDIT_ACTIONS.map((a) => (
                  <option key={a} value={a}>
                    {a}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="actorId">Actor id</label>
              <input id="actorId" name="actorId" type="text" defaultValue={filter.actorId ?? ""} placeholder="user or key id" />
            </div>
            <div className="field">
              <label htmlFor="targetId">Target</label>
              <input id="targetId" name="targetId" type="text" defaultValue={filter.targetId ?? ""} placeholder="template key, externalId…" />
            </div>
            <div className="field">
              <label htmlFor="since">From (UTC day)</label>
              <input id="since" name="since" type="date" defaultValue={filter.since ?? ""} />
            </div>
            <div className="field">
              <label htmlFor="until">To (UTC day)</label>
              <input id="until" name="until" type="date" defaultValue={filter.until ?? ""} />
            </div>
          </div>
          <div className="actions">
            <button type="submit">Filter</button> <Link href="/audit">Clear</Link>
          </div>
        </form>
      </section>
      {children}
    </>
  );
}
