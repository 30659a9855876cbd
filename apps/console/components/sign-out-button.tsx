"use client";

import { useState } from "react";

/** Ends the session on the server (better-auth deletes it), then leaves for the sign-in page. */
export function SignOutButton() {
  const [pending, setPending] = useState(false);
  return (
    <button
      type="button"
      className="secondary small"
      data-testid="sign-out"
      disabled={pending}
      onClick={async () => {
        setPending(true);
        await fetch("/api/auth/sign-out", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }).catch(() => undefined);
        window.location.assign("/sign-in");
      }}
    >
      Sign out
    </button>
  );
}
