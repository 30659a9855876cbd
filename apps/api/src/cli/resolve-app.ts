import type { Db } from "@notify/db";
import { fail } from "./cli-args.js";
import { isUuid } from "../uuid.js";


/** An app named by its id or by its (unique) name. */
export async function resolveApp(db: Db, ref: string): Promise<{ id: string; name: string }> {
  if (isUuid(ref)) {
    const app = await db.app.findUnique({ where: { id: ref }, select: { id: true, name: true } });
    if (app) return app;
  }
  const byName = await db.app.findMany({ where: { name: ref }, select: { id: true, name: true }, take: 2 });
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) fail(`several apps are named ${JSON.stringify(ref)}: pass the app's id`);
  return fail(`no app ${JSON.stringify(ref)}`);
}
