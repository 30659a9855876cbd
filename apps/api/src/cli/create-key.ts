import { ApiScope, createDb } from "@notify/db";
import { ALL_SCOPES, ApiKeyService } from "../auth/api-keys.js";
import { loadEnv } from "../env.js";
import { fail, parseCli } from "./cli-args.js";
import { resolveApp } from "./resolve-app.js";

const USAGE = `Creates an app and its first appKey/appSecret pair, or another pair for an existing app.

usage: pnpm keys:create -- [--name <app name>] [--app <id|name>] [--label <text>] [--scopes SEND,SCHEDULE,...] [--json]

  --name     name of the new app (default "default"); ignored with --app
  --app      add the key to this existing app (its id, or its name if unique); --app-id is the same
  --label    what the key is for, shown in the console's key list
  --scopes   comma-separated, of ${ALL_SCOPES.join(", ")} (default: all)
  --json     print {"appId","appKey","appSecret",...} as JSON`;

const { values } = parseCli(USAGE, {
  name: { type: "string" },
  app: { type: "string" },
  "app-id": { type: "string" },
  label: { type: "string" },
  scopes: { type: "string" },
  json: { type: "boolean" },
});
const scopes = values.scopes ? values.scopes.split(",").map((s) => s.trim().toUpperCase()) : ALL_SCOPES;
const unknown = scopes.filter((s) => !(s in ApiScope));
if (unknown.length) fail(`unknown scope ${unknown.join(", ")}; scopes are ${ALL_SCOPES.join(", ")}`, USAGE);

const env = loadEnv();
const db = createDb({ url: env.DATABASE_URL, max: 1 });
try {
  const appRef = values.app ?? values["app-id"];
  const appId = appRef ? (await resolveApp(db, appRef)).id : undefined;
  const pair = await new ApiKeyService(db).create({ appId, appName: values.name ?? "default", label: values.label, scopes: scopes as ApiScope[] });
  const { key: _row, ...printable } = pair;
  if (values.json) console.log(JSON.stringify(printable));
  else
    console.log(
      `appId:     ${pair.appId}\nappKey:    ${pair.appKey}\nappSecret: ${pair.appSecret}\nscopes:    ${pair.scopes.join(", ")}\n\nThe secret is shown only now; store it in your service's secrets.`,
    );
} finally {
  await db.$disconnect();
}
