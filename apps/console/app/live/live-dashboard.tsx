"use client";

import { useEffect, useState, type FormEvent } from "react";
import { SSE, type LiveEvent } from "../../lib/live-wire";
import { usePolled } from "./use-polled";

interface QueueDepthRow {
  channel: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

interface TemplateStatsRow {
  key: string;
  total: number;
  opened: number;
  clicked: number;
  byStatus: { status: string; count: number }[];
}

const QUEUE_POLL_MS = 1_500;
const STATS_POLL_MS = 2_000;
// The newest events stay on screen; a busy app would otherwise grow the page without end.
const MAX_EVENTS = 200;
// Queues in a fixed order, as people read them, whatever order the API lists them in.
const CHANNEL_ORDER = ["EMAIL", "SMS", "IOS_PUSH", "ANDROID_PUSH", "WEB_PUSH", "IN_APP"];
const STATUSES = ["PENDING", "QUEUED", "SENDING", "SENT", "DELIVERED", "FAILED", "DEAD", "SKIPPED", "CANCELED"];

const BAD = new Set(["FAILED", "DEAD_LETTERED", "BOUNCED", "COMPLAINED", "DEAD"]);
const GOOD = new Set(["SENT", "DELIVERED", "OPENED", "CLICKED"]);
const badgeClass = (value: string) => `badge${BAD.has(value) ? " bad" : GOOD.has(value) ? " ok" : ""}`;

const clock = (iso: string) => new Date(iso).toISOString().slice(11, 23);
const since = (at?: Date) => (at ? at.toISOString().slice(11, 19) : "—");

export function LiveDashboard() {
  const queues = usePolled<QueueDepthRow[]>("/api/live/queue-depth", QUEUE_POLL_MS);
  const stats = usePolled<TemplateStatsRow[]>("/api/live/template-stats", STATS_POLL_MS);
  return (
    <div className="live-grid">
      <div>
        <section className="card" data-testid="queue-depth">
          <h2>Queue depth</h2>
          <table>
            <thead>
              <tr>
                <th>Channel</th>
                <th className="num">Waiting</th>
                <th className="num">Active</th>
                <th className="num">Delayed</th>
                <th className="num">Failed</th>
              </tr>
            </thead>
            <tbody>
              {[...(queues.data ?? [])]
                .sort((a, b) => CHANNEL_ORDER.indexOf(a.channel) - CHANNEL_ORDER.indexOf(b.channel))
                .map((q) => (
                <tr key={q.channel} data-testid="queue-row" data-channel={q.channel}>
                  <td className="mono">{q.channel}</td>
                  <td className="num" data-testid="queue-waiting">{q.waiting}</td>
                  <td className="num" data-testid="queue-active">{q.active}</td>
                  <td className="num" data-testid="queue-delayed">{q.delayed}</td>
                  <td className={`num${q.failed ? " bad" : ""}`} data-testid="queue-failed">{q.failed}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Freshness polled={queues} />
        </section>
        <section className="card scroll-x" data-testid="template-stats">
          <h2>Templates</h2>
          {stats.data?.length === 0 ? (
            <p className="muted">No templates yet.</p>
          ) : (
            <table className="compact">
              <thead>
                <tr>
                  <th>Template</th>
                  <th className="num">Total</th>
                  <th>By status</th>
                  <th className="num">Opens</th>
                  <th className="num">Clicks</th>
                </tr>
              </thead>
              <tbody>
                {(stats.data ?? []).map((s) => (
                  <tr key={s.key} data-testid="stats-row" data-template-key={s.key}>
                    <td className="mono nowrap">{s.key}</td>
                    <td className="num" data-testid="stats-total">{s.total}</td>
                    <td>
                      <div className="badges">
                        {[...s.byStatus]
                          .sort((a, b) => STATUSES.indexOf(a.status) - STATUSES.indexOf(b.status))
                          .map((b) => (
                            <span key={b.status} className={badgeClass(b.status)} data-testid="stats-status" data-status={b.status} data-count={b.count}>
                              {b.status} {b.count}
                            </span>
                          ))}
                      </div>
                    </td>
                    <td className="num" data-testid="stats-opened">{s.opened}</td>
                    <td className="num" data-testid="stats-clicked">{s.clicked}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Freshness polled={stats} />
        </section>
      </div>
      <EventStream />
    </div>
  );
}

function Freshness({ polled }: { polled: { at?: Date; error?: string } }) {
  return (
    <p className="small muted" data-testid="freshness">
      {polled.error ? <span className="bad">{polled.error}</span> : <>Updated {since(polled.at)} UTC</>}
    </p>
  );
}

type Connection = "connecting" | "live" | "problem";

/** Delivery events relayed by /api/live/events, newest first, optionally for one recipient or template. */
function EventStream() {
  const [filter, setFilter] = useState({ externalId: "", templateKey: "" });
  const [events, setEvents] = useState<LiveEvent[]>([]);
  const [connection, setConnection] = useState<{ state: Connection; error?: string }>({ state: "connecting" });

  useEffect(() => {
    const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v));
    const source = new EventSource(`/api/live/events?${query}`);
    setConnection({ state: "connecting" });
    source.addEventListener(SSE.ready, () => setConnection({ state: "live" }));
    source.addEventListener(SSE.delivery, (e) => {
      const event = JSON.parse((e as MessageEvent<string>).data) as LiveEvent;
      setEvents((list) => [event, ...list].slice(0, MAX_EVENTS));
    });
    source.addEventListener(SSE.problem, (e) => setConnection({ state: "problem", error: (JSON.parse((e as MessageEvent<string>).data) as { error: string }).error }));
    // EventSource retries by itself; until it is back the page says the stream is down.
    source.onerror = () => setConnection((c) => (c.state === "problem" ? c : { state: "connecting" }));
    return () => source.close();
  }, [filter]);

  function applyFilter(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setEvents([]);
    setFilter({ externalId: String(form.get("externalId") ?? "").trim(), templateKey: String(form.get("templateKey") ?? "").trim() });
  }

  return (
    <section className="card" data-testid="event-stream">
      <h2>
        Delivery events{" "}
        <span className="small" data-testid="stream-state" data-state={connection.state}>
          <span className={`dot${connection.state === "live" ? " ok" : connection.state === "problem" ? " bad" : ""}`} />
          {connection.state === "live" ? "live" : connection.state === "problem" ? "disconnected" : "connecting…"}
        </span>
      </h2>
      {connection.error && (
        <p className="note error" data-testid="stream-problem">
          {connection.error}
        </p>
      )}
      <form className="filters" onSubmit={applyFilter}>
        <input type="text" name="externalId" aria-label="Filter by recipient externalId" placeholder="recipient externalId" />
        <input type="text" name="templateKey" aria-label="Filter by template key" placeholder="template key" />
        <button type="submit" className="secondary">
          Filter
        </button>
      </form>
      <div className="events">
        {events.length === 0 ? (
          <p className="muted small" data-testid="no-events">
            Waiting for events{filter.externalId || filter.templateKey ? " matching the filter" : ""}…
          </p>
        ) : (
          <table className="compact">
            <thead>
              <tr>
                <th>Time (UTC)</th>
                <th>Event</th>
                <th>Recipient</th>
                <th>Template</th>
                <th title="The notification's status when the event was read">Status</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.id} data-testid="live-event" data-notification-id={e.notificationId} data-type={e.type}>
                  <td className="mono nowrap small">{clock(e.occurredAt)}</td>
                  <td>
                    <span className={badgeClass(e.type)} data-testid="live-event-type">
                      {e.type}
                    </span>
                    <div className="small muted nowrap">
                      <span className="mono" data-testid="live-event-channel">{e.channel}</span> · {e.source}
                    </div>
                  </td>
                  <td>
                    <a href={`/recipients/${encodeURIComponent(e.externalId)}`} className="mono small">
                      {e.externalId}
                    </a>
                  </td>
                  <td className="mono small nowrap">{e.templateKey ?? <span className="muted">—</span>}</td>
                  <td>
                    <span className={badgeClass(e.status)}>{e.status}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
