import type { RecipientDetail } from "../lib/recipient-lookup";
import { formatTime, shorten } from "../lib/format";
import { StatusBadge } from "./status-badge";

function Reachability({ value, invalidReason, testId }: { value: string | null; invalidReason: string | null; testId: string }) {
  if (!value) return <span className="muted">not set</span>;
  return (
    <>
      <code>{value}</code>{" "}
      {invalidReason ? (
        <span className="badge bad" data-testid={testId} title={invalidReason}>
          undeliverable: {invalidReason}
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
              {formatTime(recipient.createdAt)} <span className="muted small">(updated {formatTime(recipient.updatedAt)})</span>
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
        <table>
          <thead>
            <tr>
              <th>Platform</th>
              <th>Token / endpoint</th>
              <th>State</th>
              <th>Registered</th>
              <th>Last seen</th>
            </tr>
          </thead>
          <tbody>
            {devices.map((d) => (
              <tr key={d.id} data-testid="device-row">
                <td>{d.platform}</td>
                <td>
                  <code title={d.token}>{shorten(d.token)}</code>
                </td>
                <td>
                  <StatusBadge status={d.state} />
                  {d.invalidReason && <div className="small bad">{d.invalidReason}</div>}
                </td>
                <td className="small nowrap">{formatTime(d.createdAt)}</td>
                <td className="small nowrap">{formatTime(d.lastSeenAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
