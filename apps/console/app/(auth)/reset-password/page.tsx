import Link from "next/link";
import { ResetPasswordForm } from "../../../components/sign-in-forms";

export const metadata = { title: "Set a new password · Notify console" };

/** better-auth redirects here from the emailed link with ?token=… (or ?error=INVALID_TOKEN). */
export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string; error?: string }> }) {
  const { token, error } = await searchParams;
  return (
    <section className="card">
      <h1>Set a new password</h1>
      {token && !error ? (
        <ResetPasswordForm token={token} />
      ) : (
        <p className="bad">
          This reset link is invalid or expired. <Link href="/forgot-password">Ask for a new one</Link>.
        </p>
      )}
    </section>
  );
}
