import type { ReactNode } from "react";
import Link from "next/link";
import { AdminLink } from "./users/admin-link";
import "./globals.css";

export const metadata = { title: "Notify console" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="top">
          <Link href="/" className="brand">
            <strong>Notify</strong> console
          </Link>
          <nav>
            <Link href="/">Health</Link>
            <Link href="/recipients">Recipients</Link>
            <Link href="/templates">Templates</Link>
            <Link href="/live">Live</Link>
            <Link href="/webpush">Web Push</Link>
            <AdminLink href="/keys">API keys</AdminLink>
            <AdminLink href="/users">Users</AdminLink>
            <AdminLink href="/audit">Audit log</AdminLink>
          </nav>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
