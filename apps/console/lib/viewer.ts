import "server-only";
import type { Role } from "@notify/db";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { auth } from "./auth";
import { db } from "./db";

/** The cookie naming the app the user works in; checked against their memberships on every request. */
export const CURRENT_APP_COOKIE = "notify-console-app";

export interface ViewerApp {
  id: string;
  name: string;
  role: Role;
}

export interface Viewer {
  user: { id: string; email: string; name: string; platformAdmin: boolean };
  /** Every app the user may work in (platform admins: all of them, as ADMIN). */
  apps: ViewerApp[];
  /** The one this request acts in; null when the user belongs to no app yet. */
  app: ViewerApp | null;
}

/** No session: pages redirect to /sign-in, route handlers answer 401. */
export class SignedOutError extends Error {
  override name = "SignedOutError";
  constructor() {
    super("Sign in first");
  }
}

/**
 * Who is signed in, read from the session cookie and Postgres once per request (React's cache).
 * Memberships are read fresh every time, so a removed user loses the app at their next click.
 */
export const getViewer = cache(async (): Promise<Viewer | null> => {
  const session = await auth().api.getSession({ headers: await headers() });
  if (!session) return null;
  const user = await db().consoleUser.findUnique({
    where: { id: session.user.id },
    select: { id: true, email: true, name: true, platformAdmin: true, memberships: { select: { role: true, app: { select: { id: true, name: true } } } } },
  });
  if (!user) return null;
  const apps: ViewerApp[] = user.platformAdmin
    ? (await db().app.findMany({ select: { id: true, name: true }, orderBy: { createdAt: "asc" } })).map((a) => ({ ...a, role: "ADMIN" as Role }))
    : user.memberships.map((m) => ({ id: m.app.id, name: m.app.name, role: m.role })).sort((a, b) => a.name.localeCompare(b.name));
  const chosen = (await cookies()).get(CURRENT_APP_COOKIE)?.value;
  const app = apps.find((a) => a.id === chosen) ?? apps[0] ?? null;
  return { user: { id: user.id, email: user.email, name: user.name, platformAdmin: user.platformAdmin }, apps, app };
});

/** For pages and server actions: the viewer, or a redirect to the sign-in page. */
export async function requireViewer(): Promise<Viewer> {
  const viewer = await getViewer();
  if (!viewer) redirect("/sign-in");
  return viewer;
}

/** For pages that act in an app: the sign-in page when signed out, home (which says so) without an app. */
export async function requirePageApp(): Promise<Viewer & { app: ViewerApp }> {
  const viewer = await requireViewer();
  if (!viewer.app) redirect("/");
  return viewer as Viewer & { app: ViewerApp };
}

/** For callers that need an app to act in (every API call). */
export async function requireViewerApp(): Promise<Viewer & { app: ViewerApp }> {
  const viewer = await getViewer();
  if (!viewer) throw new SignedOutError();
  if (!viewer.app) throw new NoAppError();
  return viewer as Viewer & { app: ViewerApp };
}

/** Signed in, but a member of no app (an invitation not accepted yet, or every membership removed). */
export class NoAppError extends Error {
  override name = "NoAppError";
  constructor() {
    super("You are not a member of any app yet: ask an admin to invite you");
  }
}

/** What each role may do in the console, mirroring the API's permissions (the API enforces them). */
export const can = {
  manageRecipients: (role: Role) => role === "ADMIN" || role === "SUPPORT",
  replayDeadLetters: (role: Role) => role === "ADMIN" || role === "SUPPORT",
  editTemplates: (role: Role) => role === "ADMIN" || role === "EDITOR",
  testSend: (role: Role) => role === "ADMIN" || role === "EDITOR",
};
