import "server-only";
import { consoleEnv } from "./env";
import { ForbiddenRouteError } from "./route-errors";
import { can, requireViewerApp, type Viewer, type ViewerApp } from "./viewer";

/**
 * The Web Push demo registers devices for any recipient and reads what the sandbox push service
 * received: only in sandbox mode, and only for roles that manage recipients. Every demo route
 * handler calls this (hiding the link is not enough: the routes are plain URLs).
 */
export async function requireWebPushDemo(): Promise<Viewer & { app: ViewerApp }> {
  const viewer = await requireViewerApp();
  if (consoleEnv().mode !== "sandbox") throw new ForbiddenRouteError("The Web Push demo works only in sandbox mode");
  if (!can.manageRecipients(viewer.app.role)) throw new ForbiddenRouteError(`The Web Push demo needs the ADMIN or SUPPORT role; you are ${viewer.app.role} in ${viewer.app.name}`);
  return viewer;
}

/** Whether to show the demo's link and page to this viewer. */
export function webPushDemoAvailable(viewer: Viewer): boolean {
  return consoleEnv().mode === "sandbox" && viewer.app !== null && can.manageRecipients(viewer.app.role);
}
