import Link from "next/link";
import { SsoSignIn } from "../../../../components/sign-in-forms";
import { consoleEnv } from "../../../../lib/env";
import { openInvitation } from "../../../../lib/invitations";
import { acceptInvitationAction } from "./actions";
import { AcceptForm } from "./accept-form";

export const metadata = { title: "Invitation · Notify console" };

export default async function InvitePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const invitation = await openInvitation(id);
  if (!invitation) {
    return (
      <section className="card" data-testid="invitation-invalid">
        <h1>Invitation</h1>
        <p className="bad">This invitation is unknown, expired or already used.</p>
        <p className="small">
          <Link href="/sign-in">Sign in</Link>
        </p>
      </section>
    );
  }
  const { oidc } = consoleEnv();
  return (
    <section className="card" data-testid="invitation">
      <h1>Join {invitation.app.name}</h1>
      <p>
        <code>{invitation.email}</code> is invited as <strong>{invitation.role.toLowerCase()}</strong>.
      </p>
      <AcceptForm action={acceptInvitationAction.bind(null, invitation.id)} />
      {oidc && (
        <>
          <p className="divider">or</p>
          <SsoSignIn providerId={oidc.providerId} name={oidc.name} next="/" />
          <p className="small muted">Signing in with {oidc.name} accepts the invitation when it verifies this email.</p>
        </>
      )}
    </section>
  );
}
