"use client";

import { useActionState } from "react";

export function AcceptForm({ action }: { action: (prev: { error?: string }, form: FormData) => Promise<{ error?: string }> }) {
  const [state, dispatch, pending] = useActionState(action, {});
  return (
    <form action={dispatch} data-testid="accept-invitation">
      <div className="field">
        <label htmlFor="password">Choose a password (10 characters or more)</label>
        <input id="password" name="password" type="password" autoComplete="new-password" minLength={10} required />
      </div>
      {state.error && (
        <div className="note error" role="alert">
          {state.error}
        </div>
      )}
      <button type="submit" disabled={pending}>
        {pending ? "…" : "Accept and sign in"}
      </button>
    </form>
  );
}
