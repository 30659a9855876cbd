"use client";

import { useState } from "react";

/** better-auth answers errors as {message, code}; a throttled one as 429. */
async function problem(res: Response): Promise<string> {
  const body = (await res.json().catch(() => null)) as { message?: string; code?: string } | null;
  if (res.status === 401) return "Wrong email or password.";
  if (res.status === 429) return body?.message ?? "Too many attempts: wait a minute and try again.";
  return body?.message ?? `Sign-in failed (${res.status}).`;
}

function post(path: string, body: unknown): Promise<Response> {
  return fetch(`/api/auth/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

/** Email and password, posted to better-auth's own endpoint (throttled there, and per account). */
export function PasswordSignIn({ next }: { next: string }) {
  const [error, setError] = useState<string>();
  const [pending, setPending] = useState(false);
  return (
    <form
      data-testid="password-sign-in"
      onSubmit={async (e) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget);
        setPending(true);
        setError(undefined);
        const res = await post("sign-in/email", { email: form.get("email"), password: form.get("password") }).catch(() => null);
        if (res?.ok) return window.location.assign(next);
        setError(res ? await problem(res) : "The console did not answer.");
        setPending(false);
      }}
    >
      <div className="field">
        <label htmlFor="email">Email</label>
        <input id="email" name="email" type="email" autoComplete="username" required />
      </div>
      <div className="field">
        <label htmlFor="password">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required />
      </div>
      {error && (
        <div className="note error" role="alert" data-testid="sign-in-problem">
          {error}
        </div>
      )}
      <button type="submit" disabled={pending} data-testid="sign-in-submit">
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}

/** Starts the OpenID Connect round trip (PKCE and state are better-auth's). */
export function SsoSignIn({ providerId, name, next }: { providerId: string; name: string; next: string }) {
  const [error, setError] = useState<string>();
  return (
    <>
      <button
        type="button"
        className="secondary"
        data-testid="sso-sign-in"
        onClick={async () => {
          const res = await post("sign-in/social", { provider: providerId, callbackURL: next, errorCallbackURL: "/sign-in" }).catch(() => null);
          const body = (await res?.json().catch(() => null)) as { url?: string } | null;
          if (res?.ok && body?.url) return window.location.assign(body.url);
          setError(res ? `Could not start sign-in with ${name} (${res.status}).` : "The console did not answer.");
        }}
      >
        Sign in with {name}
      </button>
      {error && (
        <div className="note error" role="alert">
          {error}
        </div>
      )}
    </>
  );
}

/** Asks for a reset link; the answer is the same whether or not the email has an account. */
export function ForgotPasswordForm() {
  const [done, setDone] = useState(false);
  if (done) return <p data-testid="reset-requested">If that email has a console account, a reset link is on its way.</p>;
  return (
    <form
      onSubmit={async (e) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget);
        await post("request-password-reset", { email: form.get("email"), redirectTo: "/reset-password" }).catch(() => null);
        setDone(true);
      }}
    >
      <div className="field">
        <label htmlFor="email">Email</label>
        <input id="email" name="email" type="email" required />
      </div>
      <button type="submit">Email me a reset link</button>
    </form>
  );
}

export function ResetPasswordForm({ token }: { token: string }) {
  const [error, setError] = useState<string>();
  return (
    <form
      onSubmit={async (e) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget);
        const res = await post("reset-password", { token, newPassword: form.get("password") }).catch(() => null);
        if (res?.ok) return window.location.assign("/sign-in");
        const body = (await res?.json().catch(() => null)) as { message?: string } | null;
        setError(body?.message ?? "The link is invalid or expired: ask for a new one.");
      }}
    >
      <div className="field">
        <label htmlFor="password">New password (10 characters or more)</label>
        <input id="password" name="password" type="password" autoComplete="new-password" minLength={10} required />
      </div>
      {error && (
        <div className="note error" role="alert">
          {error}
        </div>
      )}
      <button type="submit">Set password</button>
    </form>
  );
}
