import Link from "next/link";
import { formatClock, formatDate, shorten } from "../lib/format";
import { HISTORY_PAGE_SIZE, type HistoryItem } from "../lib/recipient-lookup";
import { StatusBadge } from "./status-badge";

/** What a support person recognises a notification by: its subject or title, else its text. */
function summary(content: Record<string, unknown>): string {
  for (const key of ["subject", "title", "body"]) {
    const value = content[key];
    if (typeof value === "string" && value.trim()) return shorten(value, 40);
  }
  return "";
}

function Attempts({ attempts }: { attempts: HistoryItem["attempts"] }) {
  if (attempts.length === 0) return <span className="muted small">none yet</span>;
  return (
    <ol className="plain">
      {attempts.map((a) => (
        <li key={a.id} data-testid="attempt" className="attempt small">
          <div>
            <span className="muted">#{a.attemptNumber}</span> <strong data-testid="attempt-provider">{a.provider}</strong>{" "}
            <StatusBadge status={a.status} testId="attempt-status" />
          </div>
          <div>
            →{" "}
            <code title={a.target} data-testid="attempt-target">
              {shorten(a.target, 18)}
            </code>
          </div>
          {(a.errorCode || a.errorMessage) && (
            <div className="bad" data-testid="attempt-error">
              {a.errorCode && <code>{a.errorCode}</code>} {a.errorMessage}
            </div>
          )}
          <div className="muted nowrap">
            {formatClock(a.startedAt)}
            {a.finishedAt && ` – ${formatClock(a.finishedAt)}`}
          </div>
        </li>
      ))}
    </ol>
  );
}

function Timeline({ events }: { events: HistoryItem["events"] }) {
  return (
    <ol className="plain timeline" data-testid="timeline">
      {events.map((e) => (
        <li key={e.id} data-testid="event" title={e.detail ? JSON.stringify(e.detail) : undefined}>
          <span>
            <span className="event-type" data-testid="event-type">
              {e.type}
            </span>{" "}
            <span className="muted">{e.source}</span>
          </span>
          <span className="muted nowrap">{formatClock(e.occurredAt)}</span>
        </li>
      ))}
    </ol>
  );
}

export function DeliveryHistory({ externalId, items, before }: { externalId: string; items: HistoryItem[]; before?: string }) {
  const base = `/recipients/${encodeURIComponent(externalId)}`;
  return (
    <section className="card" data-testid="history">
      <h2>
        Delivery history{" "}
        <span className="muted small">
          ({items.length === HISTORY_PAGE_SIZE ? `${HISTORY_PAGE_SIZE} ` : ""}
          {before ? "older" : "most recent"} first · times in UTC · <Link href={before ? `${base}?before=${encodeURIComponent(before)}` : base}>refresh</Link>)
        </span>
      </h2>
      {items.length === 0 ? (
        <p className="muted" data-testid="history-empty">
          {before ? "No older notifications." : "Nothing has been sent to this recipient yet."}
        </p>
      ) : (
        <div className="scroll-x">
          <table>
            <thead>
              <tr>
                <th>Created</th>
                <th>Notification</th>
                <th>Channel</th>
                <th>Status</th>
                <th>Attempts</th>
                <th>Timeline</th>
              </tr>
            </thead>
            <tbody>
              {items.map((n) => (
                <tr key={n.id} data-testid="notification-row" data-notification-id={n.id}>
                  <td className="small nowrap">
                    {formatDate(n.createdAt)}
                    <div>{formatClock(n.createdAt)}</div>
                  </td>
                  <td>
                    <div>{summary(n.content) || <span className="muted">(no text)</span>}</div>
                    <div className="muted small">
                      <code title={n.id}>{shorten(n.id, 8)}</code>
                      {n.category && ` · ${n.category}`}
                    </div>
                  </td>
                  <td data-testid="notification-channel">{n.channel}</td>
                  <td>
                    <StatusBadge status={n.status} testId="notification-status" />
                    {(n.statusReason || n.lastError) && <div className="small bad">{n.statusReason ?? n.lastError}</div>}
                    {n.sentAt && <div className="small muted nowrap">sent {formatClock(n.sentAt)}</div>}
                  </td>
                  <td>
                    <Attempts attempts={n.attempts} />
                  </td>
                  <td>
                    <Timeline events={n.events} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {items.length === HISTORY_PAGE_SIZE && (
        <p>
          <Link href={`${base}?before=${encodeURIComponent(items[items.length - 1]!.id)}`}>Older notifications →</Link>
        </p>
      )}
    </section>
  );
}
