import Link from "next/link";
import { redirect } from "next/navigation";
import { PasswordSignIn, SsoSignIn } from "../../../components/sign-in-forms";
import { consoleEnv } from "../../../lib/env";
import { getViewer } from "../../../lib/viewer";

export const metadata = { title: "Sign in · Notify console" };

/** Why better-auth sent the browser back here (?error=…), in words. */
const ERRORS: Record<string, string> = {
  not_invited: "That account was not invited to the console, or your identity provider did not verify its email.",
  email_not_verified: "Your identity provider did not verify that email.",
  account_not_linked: "That email already has a console account that cannot be linked to this identity provider.",
};

/** Only paths on this console: never an absolute URL, which would make the page an open redirect. */
function safeNext(next: string | string[] | undefined): string {
  const value = Array.isArray(next) ? next[0] : next;
  return value && value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\") ? value : "/";
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string | string[]; error?: string }> }) {
  const params = await searchParams;
  const next = safeNext(params.next);
  if (await getViewer()) redirect(next);
  const { oidc } = consoleEnv();
  const error = params.error ? (ERRORS[params.error] ?? `Sign-in failed (${params.error}).`) : undefined;
  return (
    <section className="card" data-testid="sign-in">
      <h1>Sign in</h1>
      {error && (
        <div className="note error" role="alert" data-testid="sign-in-error" data-error={params.error}>
          {error}
        </div>
      )}
      <PasswordSignIn next={next} />
      {oidc && (
        <>
          <p className="divider">or</p>
          <SsoSignIn providerId={oidc.providerId} name={oidc.name} next={next} />
        </>
      )}
      <p className="small">
        <Link href="/forgot-password">Forgot your password?</Link>
      </p>
      <p className="small muted">There is no sign-up: an admin invites you by email.</p>
    </section>
  );
}
