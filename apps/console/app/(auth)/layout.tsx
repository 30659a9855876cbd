import type { ReactNode } from "react";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <header className="top">
        <span className="brand">
          <strong>Notify</strong> console
        </span>
      </header>
      <main className="auth-page">{children}</main>
    </>
  );
}
