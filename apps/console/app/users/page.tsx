import { ApiProblem, isExplainable } from "../../components/api-problem";
import { ApiRequestError } from "../../lib/api";
import { membersPage, ROLES, type MembersPage } from "../../lib/access";
import { formatDate, formatTime } from "../../lib/format";
import { AdminsOnly } from "./admins-only";
import { AllowDomainForm, InviteForm, MemberRoleForm, RemoveDomainButton, RemoveMemberButton, RevokeInvitationButton } from "./user-forms";

export const dynamic = "force-dynamic";

export default async function UsersPage() {
  let page: MembersPage;
  try {
    page = await membersPage();
  } catch (err) {
    if (err instanceof ApiRequestError && err.code === "FORBIDDEN") return <AdminsOnly what="Users and roles" />;
    if (isExplainable(err)) return <ApiProblem error={err} />;
    throw err;
  }
  const { members, invitations, allowedDomains } = page;
  return (
    <>
      <h1>Users and roles</h1>
      <section className="card scroll-x">
        <h2>Members</h2>
        {members.length === 0 ? (
          <p className="muted" data-testid="no-members">
            Nobody belongs to this app yet. Invite someone below.
          </p>
        ) : (
          <table data-testid="members">
            <thead>
              <tr>
                <th>Email</th>
                <th>Name</th>
                <th>Role</th>
                <th>Joined</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <tr key={m.userId} data-testid="member-row" data-email={m.email} data-role={m.role}>
                  <td>{m.email}</td>
                  <td>{m.name}</td>
                  <td>
                    <MemberRoleForm userId={m.userId} role={m.role} roles={ROLES} />
                  </td>
                  <td className="nowrap small">{formatDate(m.createdAt)}</td>
                  <td>
                    <RemoveMemberButton userId={m.userId} email={m.email} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <ul className="plain small muted">
          {ROLES.map((r) => (
            <li key={r.role}>
              <strong>{r.role}</strong>: {r.help}
            </li>
          ))}
        </ul>
      </section>

      <section className="card scroll-x">
        <h2>Invitations</h2>
        {invitations.length === 0 ? (
          <p className="muted" data-testid="no-invitations">
            No pending invitations.
          </p>
        ) : (
          <table data-testid="invitations">
            <thead>
              <tr>
                <th>Email</th>
                <th>Role</th>
                <th>Sent</th>
                <th>Expires</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {invitations.map((i) => (
                <tr key={i.id} data-testid="invitation-row" data-email={i.email}>
                  <td>{i.email}</td>
                  <td>{i.role}</td>
                  <td className="nowrap small">{formatTime(i.createdAt)}</td>
                  <td className="nowrap small">
                    {new Date(i.expiresAt).getTime() < Date.now() ? <span className="badge bad">expired</span> : formatTime(i.expiresAt)}
                  </td>
                  <td>
                    <RevokeInvitationButton id={i.id} email={i.email} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <InviteForm roles={ROLES} />
      </section>

      <section className="card scroll-x">
        <h2>Allowed SSO domains</h2>
        <p className="small muted">Anyone who signs in through single sign-on with a verified email at one of these domains joins this app with its role (at most EDITOR).</p>
        {allowedDomains.length === 0 ? (
          <p className="muted" data-testid="no-domains">
            No domains allowed: only invited people can join.
          </p>
        ) : (
          <table data-testid="allowed-domains">
            <thead>
              <tr>
                <th>Domain</th>
                <th>Role</th>
                <th>Since</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {allowedDomains.map((d) => (
                <tr key={d.domain} data-testid="domain-row" data-domain={d.domain}>
                  <td className="mono">{d.domain}</td>
                  <td>{d.role}</td>
                  <td className="nowrap small">{formatDate(d.createdAt)}</td>
                  <td>
                    <RemoveDomainButton domain={d.domain} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <AllowDomainForm roles={ROLES} />
      </section>
    </>
  );
}
