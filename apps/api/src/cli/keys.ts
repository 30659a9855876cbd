import { createDb } from "@notify/db";
import { ApiKeyService } from "../auth/api-keys.js";
import { loadEnv } from "../env.js";
import { fail, parseCli } from "./cli-args.js";
import { resolveApp } from "./resolve-app.js";

const USAGE = `Lists, revokes and rotates API keys (create them with keys:create).

usage: pnpm keys:list   -- --app <id|name> [--json]
       pnpm keys:revoke -- --app <id|name> --key <appKey|id>
       pnpm keys:rotate -- --app <id|name> --key <appKey|id> [--overlap <seconds, default 3600>] [--json]

A revoked key is refused by every API process within a second (their caches live 500 ms).
Rotating creates a successor with the same label and scopes and prints its secret once; the old
key keeps working for the overlap, then stops.`;

const { values, positionals } = parseCli(USAGE, {
  app: { type: "string" },
  key: { type: "string" },
  overlap: { type: "string" },
  json: { type: "boolean" },
});
const command = positionals[0];
if (!command || !["list", "revoke", "rotate"].includes(command)) fail(`say list, revoke or rotate`, USAGE);
if (!values.app) fail("--app is required", USAGE);

const env = loadEnv();
const db = createDb({ url: env.DATABASE_URL, max: 1 });
try {
  const app = await resolveApp(db, values.app);
  const keys = new ApiKeyService(db);
  const all = await keys.list(app.id);
  if (command === "list") {
    if (values.json) console.log(JSON.stringify(all));
    else if (!all.length) console.log(`${app.name} has no API keys`);
    else
      for (const k of all) {
        const state = k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : k.expiresAt ? `expires ${k.expiresAt.toISOString()}` : "active";
        console.log(`${k.appKey}  ${k.id}  [${k.scopes.join(",")}]  ${state}  last used ${k.lastUsedAt?.toISOString() ?? "never"}  ${k.label ?? ""}`);
      }
  } else {
    if (!values.key) fail("--key is required", USAGE);
    const target = all.find((k) => k.appKey === values.key || k.id === values.key);
    if (!target) fail(`${app.name} has no key ${JSON.stringify(values.key)}`);
    if (command === "revoke") {
      await keys.revoke(app.id, target.id);
      console.log(`revoked ${target.appKey}`);
    } else {
      const overlap = values.overlap === undefined ? 3600 : Number(values.overlap);
      const { created, previous } = await keys.rotate(app.id, target.id, overlap);
      const { key: _row, ...printable } = created;
      if (values.json) console.log(JSON.stringify({ ...printable, previousExpiresAt: previous.expiresAt }));
      else
        console.log(
          `appKey:    ${created.appKey}\nappSecret: ${created.appSecret}\n\n${previous.appKey} stops working at ${previous.expiresAt?.toISOString()}. The secret is shown only now.`,
        );
    }
  }
} catch (err) {
  fail((err as Error).message);
} finally {
  await db.$disconnect();
}
