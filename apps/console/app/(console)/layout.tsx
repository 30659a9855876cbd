import type { ReactNode } from "react";
import Link from "next/link";
import { AppSwitcher } from "../../components/app-switcher";
import { SignOutButton } from "../../components/sign-out-button";
import { requireViewer } from "../../lib/viewer";
import { webPushDemoAvailable } from "../../lib/webpush-demo";
import { can } from "../../lib/viewer";
import { switchAppAction } from "./session-actions";

/** Everything under here needs a signed-in user; the header shows who, in which app, as what. */
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const viewer = await requireViewer();
  const role = viewer.app?.role;
  return (
    <>
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
      <main>
        {viewer.app ? (
          children
        ) : (
          <section className="card" data-testid="no-app">
            <h2>You are not a member of any app yet</h2>
            <p className="muted">Ask an admin of the app you work on to invite {viewer.user.email}; you get in at your next sign-in.</p>
          </section>
        )}
      </main>
    </>
  );
}
