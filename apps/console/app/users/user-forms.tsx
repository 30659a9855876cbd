"use client";

import { useActionState, useEffect, useRef } from "react";
import { ActionProblemNote, DoneNote } from "../../components/action-problem";
import { submitWithoutReset } from "../../components/submit-without-reset";
import type { ActionState } from "../../lib/template-form";
import { allowDomainAction, inviteAction, removeDomainAction, removeMemberAction, revokeInvitationAction, setRoleAction } from "./actions";

type Roles = readonly { role: string; help: string }[];

/**
 * A form's fields stay as typed when the action fails (submitWithoutReset), and empty once it
 * succeeded, so the next invitation or domain starts blank.
 */
function useResetWhenDone(state: ActionState) {
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (state.done) ref.current?.reset();
  }, [state]);
  return ref;
}

function RoleSelect({ roles, defaultValue, label }: { roles: Roles; defaultValue: string; label: string }) {
  return (
    <select name="role" defaultValue={defaultValue} aria-label={label}>
      {roles.map((r) => (
        <option key={r.role} value={r.role} title={r.help}>
          {r.role}
        </option>
      ))}
    </select>
  );
}

export function MemberRoleForm({ userId, role, roles }: { userId: string; role: string; roles: Roles }) {
  const [state, dispatch, pending] = useActionState<ActionState, FormData>(setRoleAction.bind(null, userId), {});
  return (
    <form className="inline" onSubmit={submitWithoutReset(dispatch)} data-testid="member-role-form">
      <RoleSelect roles={roles} defaultValue={role} label="Role" />
      <button type="submit" className="secondary" disabled={pending}>
        {pending ? "Saving…" : "Change"}
      </button>
      <ActionProblemNote problem={state.problem} />
      <DoneNote done={state.done} />
    </form>
  );
}

/** A button that asks first, then runs a bound action; its result shows beside it. */
export function ConfirmButton({ action, question, label, testId }: { action: (prev: ActionState) => Promise<ActionState>; question: string; label: string; testId: string }) {
  const [state, dispatch, pending] = useActionState<ActionState>(action, {});
  return (
    <form
      className="inline"
      onSubmit={(e) => {
        e.preventDefault();
        if (window.confirm(question)) dispatch();
      }}
    >
      <button type="submit" className="secondary" disabled={pending} data-testid={testId}>
        {pending ? "…" : label}
      </button>
      <ActionProblemNote problem={state.problem} />
      <DoneNote done={state.done} />
    </form>
  );
}

export function RemoveMemberButton({ userId, email }: { userId: string; email: string }) {
  return <ConfirmButton action={removeMemberAction.bind(null, userId)} question={`Remove ${email} from this app?`} label="Remove" testId="remove-member" />;
}

export function RevokeInvitationButton({ id, email }: { id: string; email: string }) {
  return <ConfirmButton action={revokeInvitationAction.bind(null, id)} question={`Withdraw the invitation for ${email}?`} label="Withdraw" testId="revoke-invitation" />;
}

export function RemoveDomainButton({ domain }: { domain: string }) {
  return <ConfirmButton action={removeDomainAction.bind(null, domain)} question={`Stop admitting SSO users at ${domain}?`} label="Remove" testId="remove-domain" />;
}

export function InviteForm({ roles }: { roles: Roles }) {
  const [state, dispatch, pending] = useActionState<ActionState, FormData>(inviteAction, {});
  const ref = useResetWhenDone(state);
  return (
    <form ref={ref} className="inline" onSubmit={submitWithoutReset(dispatch)} data-testid="invite-form">
      <input name="email" type="text" inputMode="email" required placeholder="name@example.com" aria-label="Email" />
      <RoleSelect roles={roles} defaultValue="VIEWER" label="Role" />
      <button type="submit" disabled={pending}>
        {pending ? "Inviting…" : "Invite"}
      </button>
      <ActionProblemNote problem={state.problem} />
      <DoneNote done={state.done} />
    </form>
  );
}

export function AllowDomainForm({ roles }: { roles: Roles }) {
  const [state, dispatch, pending] = useActionState<ActionState, FormData>(allowDomainAction, {});
  const ref = useResetWhenDone(state);
  return (
    <form ref={ref} className="inline" onSubmit={submitWithoutReset(dispatch)} data-testid="allow-domain-form">
      <input name="domain" type="text" required placeholder="example.com" aria-label="Domain" />
      <RoleSelect roles={roles.filter((r) => r.role !== "ADMIN")} defaultValue="VIEWER" label="Role" />
      <button type="submit" disabled={pending}>
        {pending ? "Saving…" : "Allow"}
      </button>
      <ActionProblemNote problem={state.problem} />
      <DoneNote done={state.done} />
    </form>
  );
}
