import type { ReactNode } from "react";
import { headers } from "next/headers";
import { BrandHeader, ConsoleHeader, NoApp } from "../components/console-header";
import { CONSOLE_PATH_HEADER, isPublicPath } from "../lib/request-guard";
import { requireViewer } from "../lib/viewer";
import "./globals.css";

export const metadata = { title: "Notify console" };

// Every page reads the session, and Next puts the CSP nonce on its scripts only when rendering per request.
export const dynamic = "force-dynamic";

/**
 * Every page but the sign-in pages needs a signed-in user: checked here against the session in
 * Postgres (proxy.ts only looked for a cookie), for every page any module adds under app/. The
 * path comes from proxy.ts, which overwrites whatever a client sent in that header; without it
 * the page counts as private.
 */
export default async function RootLayout({ children }: { children: ReactNode }) {
  const path = (await headers()).get(CONSOLE_PATH_HEADER) ?? "/";
  const viewer = isPublicPath(path) ? null : await requireViewer();
  return (
    <html lang="en">
      <body>
        {viewer ? <ConsoleHeader viewer={viewer} /> : <BrandHeader />}
        <main className={viewer ? undefined : "auth-page"}>{viewer && !viewer.app ? <NoApp email={viewer.user.email} /> : children}</main>
      </body>
    </html>
  );
}
