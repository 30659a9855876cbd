import { ApiProblem, isExplainable } from "../../components/api-problem";
import { ApiRequestError } from "../../lib/api";
import { keyState, listApiKeys, SCOPES, type ApiKeySummary } from "../../lib/access";
import { formatTime } from "../../lib/format";
import { AdminsOnly } from "../users/admins-only";
import { CreateKeyForm, RevokeKeyButton, RotateKeyForm, SecretProvider } from "./key-forms";

export const dynamic = "force-dynamic";

const BADGE = { active: "ok", expiring: "warn", expired: "bad", revoked: "bad" } as const;

export default async function ApiKeysPage() {
  let keys: ApiKeySummary[];
  try {
    keys = await listApiKeys();
  } catch (err) {
    if (err instanceof ApiRequestError && err.code === "FORBIDDEN") return <AdminsOnly what="API keys" />;
    if (isExplainable(err)) return <ApiProblem error={err} />;
    throw err;
  }
  return (
    <>
      <h1>API keys</h1>
      <SecretProvider>
      <section className="card scroll-x">
        {keys.length === 0 ? (
          <p className="muted" data-testid="no-keys">
            This app has no API keys yet. Create one below for each service that calls the API.
          </p>
        ) : (
          <table data-testid="api-keys">
            <thead>
              <tr>
                <th>Key</th>
                <th>Label</th>
                <th>Scopes</th>
                <th>State</th>
                <th>Created</th>
                <th>Last used</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => {
                const state = keyState(k);
                return (
                  <tr key={k.id} data-testid="key-row" data-app-key={k.appKey} data-state={state}>
                    <td className="mono">{k.appKey}</td>
                    <td>{k.label ?? <span className="muted">—</span>}</td>
                    <td>
                      <span className="badges">
                        {k.scopes.map((s) => (
                          <span key={s} className="badge">
                            {s}
                          </span>
                        ))}
                      </span>
                    </td>
                    <td>
                      <span className={`badge ${BADGE[state]}`}>{state}</span>
                      {state === "expiring" && <div className="small muted nowrap">until {formatTime(k.expiresAt)}</div>}
                      {state === "revoked" && <div className="small muted nowrap">{formatTime(k.revokedAt)}</div>}
                    </td>
                    {/* Day and time may wrap apart, so the rotate and revoke controls keep their room. */}
                    <td className="small">{formatTime(k.createdAt)}</td>
                    <td className="small">{k.lastUsedAt ? formatTime(k.lastUsedAt) : <span className="muted">never</span>}</td>
                    <td>
                      {state === "active" || state === "expiring" ? (
                        <div style={{ display: "flex", flexDirection: "column", alignItems: "flex-start", gap: 6 }}>
                          {state === "active" && <RotateKeyForm id={k.id} />}
                          <RevokeKeyButton id={k.id} appKey={k.appKey} />
                        </div>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
      <section className="card">
        <h2>New key</h2>
        <p className="small muted">Give each service its own key with only the scopes it needs. The secret is shown once, right after creation.</p>
        <CreateKeyForm scopes={SCOPES} />
      </section>
      </SecretProvider>
    </>
  );
}
