import Link from "next/link";
import { ForgotPasswordForm } from "../../../components/sign-in-forms";

export const metadata = { title: "Reset password · Notify console" };

export default function ForgotPasswordPage() {
  return (
    <section className="card">
      <h1>Reset your password</h1>
      <ForgotPasswordForm />
      <p className="small">
        <Link href="/sign-in">← Sign in</Link>
      </p>
    </section>
  );
}
