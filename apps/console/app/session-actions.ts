"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { CURRENT_APP_COOKIE, requireViewer } from "../lib/viewer";

/** Selects the app the console acts in; only one the user belongs to (checked again on every request). */
export async function switchAppAction(form: FormData): Promise<void> {
  const viewer = await requireViewer();
  const appId = form.get("appId");
  if (typeof appId !== "string" || !viewer.apps.some((a) => a.id === appId)) redirect("/");
  (await cookies()).set(CURRENT_APP_COOKIE, appId, { httpOnly: true, sameSite: "lax", path: "/", secure: process.env.CONSOLE_URL?.startsWith("https:") ?? false, maxAge: 60 * 60 * 24 * 365 });
  redirect("/");
}
