import Link from "next/link";
import { ApiProblem, isExplainable } from "../../components/api-problem";
import { ApiRequestError } from "../../lib/api";
import { CHANNELS, filterFrom, listDeadLetters, DEAD_LETTERS_PAGE, type DeadLetterRow } from "../../lib/dead-letters";
import { formatTime } from "../../lib/format";
import { can, requirePageApp } from "../../lib/viewer";
import { replayMatchingAction, replayOneAction } from "./actions";
import { ReplayMatching, ReplayOne } from "./replay-buttons";

export const dynamic = "force-dynamic";
export const metadata = { title: "Dead letters · Notify console" };

type Search = Promise<{ channel?: string; externalId?: string; errorCode?: string }>;

/** Notifications whose retries ran out, newest first; support replays them one by one or by filter. */
export default async function DeadLettersPage({ searchParams }: { searchParams: Search }) {
  const viewer = await requirePageApp();
  const role = viewer.app.role;
  const params = await searchParams;
  const filter = filterFrom((name) => params[name as keyof typeof params]);
  let rows: DeadLetterRow[] = [];
  let unknownRecipient = false;
  try {
    rows = await listDeadLetters(filter);
  } catch (err) {
    // A filter naming a recipient the app does not know matches nothing; say which.
    if (err instanceof ApiRequestError && err.code === "NOT_FOUND" && filter.externalId) unknownRecipient = true;
    else if (isExplainable(err)) return <ApiProblem error={err} />;
    else throw err;
  }
  const mayReplay = can.replayDeadLetters(role);
  const hidden = Object.fromEntries(Object.entries(filter).filter(([, v]) => v)) as Record<string, string>;
  return (
    <>
      <h1>Dead letters</h1>
      <section className="card">
        <form method="get" className="filters" role="search" data-testid="dead-letter-filter">
          <select name="channel" defaultValue={filter.channel ?? ""} aria-label="Channel">
            <option value="">Any channel</option>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
          <input type="text" name="externalId" placeholder="Recipient externalId" aria-label="Recipient externalId" defaultValue={filter.externalId ?? ""} />
          <input type="text" name="errorCode" placeholder="Error code, e.g. 500" aria-label="Error code" defaultValue={filter.errorCode ?? ""} />
          <button type="submit" className="secondary">
            Filter
          </button>
          {Object.keys(hidden).length > 0 && <Link href="/dead-letters">Clear</Link>}
        </form>
        {rows.length > 0 && mayReplay && <ReplayMatching action={replayMatchingAction} filter={hidden} count={rows.length} />}
        {!mayReplay && <p className="small muted">Replaying needs the SUPPORT or ADMIN role; you are {role}.</p>}
      </section>
      <section className="card scroll-x">
        {rows.length === 0 ? (
          <p className="muted" data-testid="no-dead-letters">
            {unknownRecipient
              ? `No recipient ${JSON.stringify(filter.externalId)} in this app.`
              : Object.keys(hidden).length
                ? "No dead letters match this filter."
                : "No dead letters: every notification was delivered or is still being retried."}
          </p>
        ) : (
          <table data-testid="dead-letters">
            <thead>
              <tr>
                <th>Dead since</th>
                <th>Recipient</th>
                <th>Channel</th>
                <th className="num">Attempts</th>
                <th>Last error</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {rows.map((n) => (
                <tr key={n.id} data-testid="dead-letter-row" data-id={n.id}>
                  <td className="nowrap small">{formatTime(n.deadLetteredAt)}</td>
                  <td>
                    <Link href={`/recipients/${encodeURIComponent(n.recipient.externalId)}`}>
                      <code>{n.recipient.externalId}</code>
                    </Link>
                  </td>
                  <td>
                    <span className="badge">{n.channel}</span>
                  </td>
                  <td className="num">{n.attemptCount}</td>
                  <td className="small">
                    {n.lastErrorCode && <code>{n.lastErrorCode}</code>} {n.lastError ?? n.statusReason ?? ""}
                    {n.replayedAt && <div className="muted">replayed before, {formatTime(n.replayedAt)}</div>}
                  </td>
                  <td>{mayReplay && <ReplayOne action={replayOneAction.bind(null, n.id)} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {rows.length === DEAD_LETTERS_PAGE && <p className="small muted">Showing the newest {DEAD_LETTERS_PAGE}; narrow the filter to see older ones.</p>}
      </section>
    </>
  );
}
