"use server";

import { revalidatePath } from "next/cache";
import { callApi } from "../../lib/api";
import { ALLOW_DOMAIN, INVITE_MEMBER, REMOVE_ALLOWED_DOMAIN, REMOVE_MEMBER, REVOKE_INVITATION, ROLES, SET_MEMBER_ROLE, type RoleName } from "../../lib/access";
import { problemOf } from "../../lib/action-problem";
import { invitationLink, sendInvitationEmail } from "../../lib/invitations";
import type { ActionState } from "../../lib/template-form";

const KNOWN = new Set<string>(ROLES.map((r) => r.role));

function role(form: FormData): RoleName | null {
  const v = form.get("role");
  return typeof v === "string" && KNOWN.has(v) ? (v as RoleName) : null;
}

async function run(what: () => Promise<string>): Promise<ActionState> {
  try {
    const done = await what();
    revalidatePath("/users");
    return { done };
  } catch (err) {
    return { problem: problemOf(err) };
  }
}

export async function setRoleAction(userId: string, _prev: ActionState, form: FormData): Promise<ActionState> {
  const r = role(form);
  if (!r) return { problem: { message: "Pick a role", field: "role" } };
  return run(async () => {
    const { setMemberRole } = await callApi(SET_MEMBER_ROLE, { userId, role: r });
    return `${setMemberRole.email} is now ${setMemberRole.role}`;
  });
}

export async function removeMemberAction(userId: string, _prev: ActionState): Promise<ActionState> {
  return run(async () => `Removed ${(await callApi(REMOVE_MEMBER, { userId })).removeMember.email}`);
}

export async function inviteAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const r = role(form);
  if (!r) return { problem: { message: "Pick a role", field: "role" } };
  const email = String(form.get("email") ?? "").trim();
  let invited: { id: string; email: string; role: string };
  try {
    invited = (await callApi(INVITE_MEMBER, { email, role: r })).inviteMember;
  } catch (err) {
    return { problem: problemOf(err) };
  }
  revalidatePath("/users");
  const done = `Invited ${invited.email} as ${invited.role}`;
  try {
    await sendInvitationEmail(invited.id);
  } catch (err) {
    // The invitation exists either way (it is in the list, and its link works): say that the
    // email is what failed, and give the admin the link to pass on themselves.
    console.error(`invitation ${invited.id}: the email to ${invited.email} was not sent:`, err);
    return {
      done,
      problem: {
        message: `The invitation exists, but its email could not be sent (${(err as Error).message}). Send ${invited.email} this link yourself: ${invitationLink(invited.id)}`,
        reason: "INVITATION_EMAIL_NOT_SENT",
      },
    };
  }
  return { done: `${done}; the invitation email is on its way` };
}

export async function revokeInvitationAction(id: string, _prev: ActionState): Promise<ActionState> {
  return run(async () => {
    await callApi(REVOKE_INVITATION, { id });
    return "Invitation withdrawn";
  });
}

export async function allowDomainAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const r = role(form);
  if (!r) return { problem: { message: "Pick a role", field: "role" } };
  const domain = String(form.get("domain") ?? "").trim();
  return run(async () => {
    const { allowDomain } = await callApi(ALLOW_DOMAIN, { domain, role: r });
    return `SSO users at ${allowDomain.domain} may join as ${allowDomain.role}`;
  });
}

export async function removeDomainAction(domain: string, _prev: ActionState): Promise<ActionState> {
  return run(async () => `Removed ${(await callApi(REMOVE_ALLOWED_DOMAIN, { domain })).removeAllowedDomain}`);
}
