import type { RecipientDetail } from "../lib/recipient-lookup";
import { formatClock, formatDate, formatTime, shorten } from "../lib/format";
import { StatusBadge } from "./status-badge";

function Reachability({ value, invalidReason, testId }: { value: string | null; invalidReason: string | null; testId: string }) {
  if (!value) return <span className="muted">not set</span>;
  return (
    <>
      <code>{value}</code>{" "}
      {invalidReason ? (
        // Read as one phrase ("undeliverable: <reason>"); the reason, often long, gets a line of its own.
        <span data-testid={testId}>
          <span className="badge bad">undeliverable</span>
          <span className="visually-hidden">: </span>
          <span className="small bad reason">{invalidReason}</span>
        </span>
      ) : (
        <span className="badge ok" data-testid={testId}>
          deliverable
        </span>
      )}
    </>
  );
}

export function ContactPoints({ recipient }: { recipient: RecipientDetail }) {
  return (
    <section className="card" data-testid="contact-points">
      <h2>Contact points</h2>
      <table className="kv">
        <tbody>
          <tr>
            <th>Email</th>
            <td>
              <Reachability value={recipient.email} invalidReason={recipient.emailInvalidReason} testId="email-state" />
            </td>
          </tr>
          <tr>
            <th>Phone</th>
            <td>
              <Reachability value={recipient.phone} invalidReason={recipient.phoneInvalidReason} testId="phone-state" />
            </td>
          </tr>
          <tr>
            <th>Locale · time zone</th>
            <td>
              {recipient.locale ?? <span className="muted">—</span>} · {recipient.timezone ?? <span className="muted">—</span>}
            </td>
          </tr>
          <tr>
            <th>Known since</th>
            <td>
              {formatTime(recipient.createdAt)}
              <div className="muted small">updated {formatTime(recipient.updatedAt)}</div>
            </td>
          </tr>
        </tbody>
      </table>
    </section>
  );
}

export function Devices({ devices }: { devices: RecipientDetail["devices"] }) {
  return (
    <section className="card" data-testid="devices">
      <h2>Devices ({devices.length})</h2>
      {devices.length === 0 ? (
        <p className="muted">No push devices or Web Push subscriptions registered.</p>
      ) : (
        <div className="scroll-x">
          <table>
            <thead>
              <tr>
                <th>Platform</th>
                <th>Token / endpoint</th>
                <th>State</th>
                <th>Registered · seen (UTC)</th>
              </tr>
            </thead>
            <tbody>
              {devices.map((d) => (
                <tr key={d.id} data-testid="device-row">
                  <td>{d.platform}</td>
                  <td>
                    <code title={d.token}>{shorten(d.token, 12)}</code>
                  </td>
                  <td>
                    <StatusBadge status={d.state} />
                    {d.invalidReason && <div className="small bad">{d.invalidReason}</div>}
                  </td>
                  <td className="small nowrap">
                    {formatDate(d.createdAt)} {formatClock(d.createdAt)}
                    <div className="muted">
                      seen {formatDate(d.lastSeenAt)} {formatClock(d.lastSeenAt)}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
