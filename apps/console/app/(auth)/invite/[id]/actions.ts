"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { auth } from "../../../../lib/auth";
import { acceptWithPassword, InvitationError } from "../../../../lib/invitations";

export async function acceptInvitationAction(id: string, _prev: { error?: string }, form: FormData): Promise<{ error?: string }> {
  const password = form.get("password");
  if (typeof password !== "string") return { error: "Choose a password" };
  try {
    const { email } = await acceptWithPassword(id, password);
    // Signs the new user in; nextCookies() puts the session cookie on this action's response.
    await auth().api.signInEmail({ body: { email, password }, headers: await headers() });
  } catch (err) {
    if (err instanceof InvitationError) return { error: err.message };
    throw err;
  }
  redirect("/");
}
