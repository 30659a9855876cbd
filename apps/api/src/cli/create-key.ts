import { parseArgs } from "node:util";
import { createDb } from "@notify/db";
import { ApiKeyService } from "../auth/api-keys.js";
import { loadEnv } from "../env.js";

/** Creates an app and its first appKey/appSecret pair (or another pair for --app-id). */
const { values } = parseArgs({
  options: {
    name: { type: "string", default: "default" },
    "app-id": { type: "string" },
    label: { type: "string" },
    json: { type: "boolean", default: false },
  },
});
const env = loadEnv();
const db = createDb({ url: env.DATABASE_URL, max: 1 });
const pair = await new ApiKeyService(db).create({ appId: values["app-id"], appName: values.name, label: values.label });
await db.$disconnect();
if (values.json) console.log(JSON.stringify(pair));
else console.log(`appId:     ${pair.appId}\nappKey:    ${pair.appKey}\nappSecret: ${pair.appSecret}\n\nThe secret is shown only now; store it in your service's secrets.`);
