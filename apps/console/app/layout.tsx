import type { ReactNode } from "react";
import "./globals.css";

export const metadata = { title: "Notify console" };

// Every page reads the session, and Next puts the CSP nonce on its scripts only when rendering per request.
export const dynamic = "force-dynamic";

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
