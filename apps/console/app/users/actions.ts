"use server";

import { revalidatePath } from "next/cache";
import { callApi } from "../../lib/api";
import { ALLOW_DOMAIN, INVITE_MEMBER, REMOVE_ALLOWED_DOMAIN, REMOVE_MEMBER, REVOKE_INVITATION, ROLES, SET_MEMBER_ROLE, type RoleName } from "../../lib/access";
import { problemOf } from "../../lib/action-problem";
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
  return run(async () => {
    const { inviteMember } = await callApi(INVITE_MEMBER, { email, role: r });
    return `Invited ${inviteMember.email} as ${inviteMember.role}`;
  });
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
