import Link from "next/link";
import { consoleEnv } from "../lib/env";
import { can, requireViewer } from "../lib/viewer";
import { webPushDemoAvailable } from "../lib/webpush-demo";

// Rendered per request: the point of this page is the platform's health right now.
export const dynamic = "force-dynamic";

interface Readiness {
  postgres?: string;
  redis?: string;
}

async function apiReadiness(apiUrl: string): Promise<{ reachable: boolean; status?: number; body?: Readiness; error?: string }> {
  try {
    const res = await fetch(`${apiUrl}/ready`, { cache: "no-store", signal: AbortSignal.timeout(3000) });
    return { reachable: true, status: res.status, body: (await res.json()) as Readiness };
  } catch (err) {
    return { reachable: false, error: (err as Error).message };
  }
}

export default async function Home() {
  const viewer = await requireViewer();
  const role = viewer.app?.role;
  const { apiUrl } = consoleEnv();
  const health = await apiReadiness(apiUrl);
  const healthy = health.reachable && health.status === 200;
  return (
    <>
      <section className="card" data-testid="api-health">
        <h2>Platform health</h2>
        <p>
          API at <code>{apiUrl}</code>:{" "}
          <span className={healthy ? "ok" : "bad"} data-testid="api-status">
            {healthy ? "healthy" : health.reachable ? "degraded" : "unreachable"}
          </span>
        </p>
        {health.body && (
          <table className="kv">
            <tbody>
              <tr>
                <th>Postgres</th>
                <td className={health.body.postgres === "ok" ? "ok" : "bad"}>{health.body.postgres}</td>
              </tr>
              <tr>
                <th>Redis</th>
                <td className={health.body.redis === "ok" ? "ok" : "bad"}>{health.body.redis}</td>
              </tr>
            </tbody>
          </table>
        )}
        {health.error && <p className="bad">{health.error}</p>}
      </section>
      <div className="cards">
        <section className="card">
          <h2>
            <Link href="/recipients">Look up a recipient →</Link>
          </h2>
          <p className="muted">
            For support: a user&apos;s contact points and devices, and every notification sent to them with its provider attempts and
            timeline.
          </p>
        </section>
        <section className="card">
          <h2>
            <Link href="/templates">Edit templates →</Link>
          </h2>
          <p className="muted">For product teams: versioned, localized content per channel; preview with sample data, publish, roll back.</p>
        </section>
        <section className="card">
          <h2>
            <Link href="/live">Watch it live →</Link>
          </h2>
          <p className="muted">Queue depth per channel, delivery events as they happen, and how each template&apos;s notifications ended up.</p>
        </section>
        {role && can.replayDeadLetters(role) && (
          <section className="card">
            <h2>
              <Link href="/dead-letters">Dead letters →</Link>
            </h2>
            <p className="muted">Notifications whose retries ran out, with the provider&apos;s last error; replay them once the cause is fixed.</p>
          </section>
        )}
        {webPushDemoAvailable(viewer) && (
          <section className="card">
            <h2>
              <Link href="/webpush">Web Push in this browser →</Link>
            </h2>
            <p className="muted">Subscribe this browser for a recipient and watch the platform&apos;s pushes arrive in its service worker.</p>
          </section>
        )}
      </div>
    </>
  );
}
