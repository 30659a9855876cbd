import Link from "next/link";
import { can, type Viewer } from "../lib/viewer";
import { webPushDemoAvailable } from "../lib/webpush-demo";
import { switchAppAction } from "../app/session-actions";
import { AppSwitcher } from "./app-switcher";
import { SignOutButton } from "./sign-out-button";

/** Who is signed in, in which app, as what; the nav shows what that role can use. */
export function ConsoleHeader({ viewer }: { viewer: Viewer }) {
  const role = viewer.app?.role;
  return (
    <header className="top">
      <Link href="/" className="brand">
        <strong>Notify</strong> console
      </Link>
      <nav>
        <Link href="/">Health</Link>
        {role && (
          <>
            <Link href="/recipients">Recipients</Link>
            <Link href="/templates">Templates</Link>
            {can.replayDeadLetters(role) && <Link href="/dead-letters">Dead letters</Link>}
            <Link href="/live">Live</Link>
            {webPushDemoAvailable(viewer) && <Link href="/webpush">Web Push</Link>}
            {role === "ADMIN" && (
              <>
                <Link href="/keys">API keys</Link>
                <Link href="/users">Users</Link>
                <Link href="/audit">Audit log</Link>
              </>
            )}
          </>
        )}
      </nav>
      <div className="who">
        {viewer.app && <AppSwitcher apps={viewer.apps} current={viewer.app.id} action={switchAppAction} />}
        {role && (
          <span className="badge role" data-testid="current-role">
            {role}
          </span>
        )}
        <span className="small" data-testid="signed-in-as">
          {viewer.user.email}
        </span>
        <SignOutButton />
      </div>
    </header>
  );
}

/** Signed out: the brand alone. */
export function BrandHeader() {
  return (
    <header className="top">
      <span className="brand">
        <strong>Notify</strong> console
      </span>
    </header>
  );
}

export function NoApp({ email }: { email: string }) {
  return (
    <section className="card" data-testid="no-app">
      <h2>You are not a member of any app yet</h2>
      <p className="muted">Ask an admin of the app you work on to invite {email}; you get in at your next sign-in.</p>
    </section>
  );
}
