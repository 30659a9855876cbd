import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { hash } from "@node-rs/argon2";
import { createDb, Role } from "@notify/db";
import { loadEnv } from "../env.js";
import { fail, parseCli } from "./cli-args.js";
import { resolveApp } from "./resolve-app.js";

const USAGE = `Adds a console user (or updates one with that email), optionally as a member of an app.

usage: pnpm users:add -- --email <email> (--password <pw> | --password-stdin) [--name <name>]
                         [--app <id|name> --role ADMIN|EDITOR|SUPPORT|VIEWER] [--platform-admin] [--if-absent]

  --password-stdin  read the password from standard input (keeps it out of the process list)
  --role            role in --app (default VIEWER)
  --platform-admin  may create apps and acts as ADMIN in every app
  --if-absent       leave an existing user with that email as it is (exit 3) instead of updating it

Passwords are hashed with argon2id (@node-rs/argon2 defaults), as the console verifies them.`;

const { values } = parseCli(USAGE, {
  email: { type: "string" },
  password: { type: "string" },
  "password-stdin": { type: "boolean" },
  name: { type: "string" },
  app: { type: "string" },
  role: { type: "string" },
  "platform-admin": { type: "boolean" },
  "if-absent": { type: "boolean" },
});
const email = checkedEmail(values.email);
const password = values["password-stdin"] ? readFileSync(0, "utf8").replace(/\r?\n$/, "") : values.password;
if (password !== undefined && password.length < 8) fail("the password must have at least 8 characters");
const role = (values.role ?? "VIEWER").toUpperCase();
if (!(role in Role)) fail(`--role is one of ${Object.values(Role).join(", ")}`, USAGE);
if (values.role && !values.app) fail("--role needs --app", USAGE);

const env = loadEnv();
const db = createDb({ url: env.DATABASE_URL, max: 1 });
try {
  const app = values.app ? await resolveApp(db, values.app) : null;
  const existing = await db.consoleUser.findUnique({ where: { email } });
  if (existing && values["if-absent"]) {
    console.log(`${email} already exists; nothing changed`);
    process.exitCode = 3;
  } else {
    await save(existing, app);
  }
} finally {
  await db.$disconnect();
}

/** Creates the user (or updates `existing`), its password row and its membership in `app`, in one transaction. */
async function save(existing: { id: string } | null, app: { id: string; name: string } | null): Promise<void> {
  if (!existing && password === undefined) fail("a new user needs --password or --password-stdin", USAGE);
  const passwordHash = password === undefined ? undefined : await hash(password);
  const user = await db.$transaction(async (tx) => {
    const user =
      existing ??
      (await tx.consoleUser.create({ data: { id: randomUUID(), email, name: values.name ?? email.split("@")[0]!, emailVerified: true, platformAdmin: !!values["platform-admin"] } }));
    if (existing && (values["platform-admin"] || values.name))
      await tx.consoleUser.update({ where: { id: user.id }, data: { ...(values["platform-admin"] ? { platformAdmin: true } : {}), ...(values.name ? { name: values.name } : {}) } });
    if (passwordHash) {
      // The row better-auth's email+password sign-in reads: providerId "credential", accountId = user id.
      const account = await tx.consoleAccount.findFirst({ where: { userId: user.id, providerId: "credential" } });
      if (account) await tx.consoleAccount.update({ where: { id: account.id }, data: { password: passwordHash } });
      else await tx.consoleAccount.create({ data: { id: randomBytes(16).toString("hex"), accountId: user.id, providerId: "credential", userId: user.id, password: passwordHash } });
    }
    if (app)
      await tx.membership.upsert({
        where: { userId_appId: { userId: user.id, appId: app.id } },
        create: { userId: user.id, appId: app.id, role: role as Role },
        update: { role: role as Role },
      });
    return user;
  });
  console.log(`${existing ? "updated" : "added"} ${email} (id ${user.id})${app ? `, ${role} of ${app.name}` : ""}${values["platform-admin"] ? ", platform admin" : ""}`);
}

function checkedEmail(raw: string | undefined): string {
  const email = raw?.trim().toLowerCase();
  if (!email || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) fail("--email must be an email address", USAGE);
  return email;
}
