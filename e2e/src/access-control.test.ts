import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { ok, rejected } from "./harness/gql.js";
import { callWith, cli, consoleIdentity } from "./harness/identity.js";
import { Stack, type KeyPair } from "./harness/stack.js";

const SECRET = randomBytes(32).toString("hex");
const CREATE_TEMPLATE = `mutation ($key: String!) { createTemplate(input: { key: $key, name: "T", category: "account", content: [{ locale: "en", sms: { text: "hi" } }] }) { key } }`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The console acts as the signed-in user: the API checks the signed identity and reads the
 * user's role itself, on every call. Each test performs the attack and expects the refusal.
 */
describe("console users: signed identities, roles enforced by the API", () => {
  let stack: Stack;
  let appA: KeyPair;
  let appB: KeyPair;
  const users: Record<string, string> = {};

  async function as(user: string, query: string, variables: Record<string, unknown> = {}, { appId = appA.appId, api = 0 } = {}) {
    const token = await consoleIdentity(SECRET, { userId: users[user]!, appId });
    return callWith(stack.apiUrls[api]!, { "x-console-identity": token }, query, variables);
  }

  function addUser(name: string, args: string[]): void {
    cli(stack, "users", ["--email", `${name}@example.com`, "--password-stdin", ...args], "correct horse battery\n");
  }

  before(async () => {
    stack = await Stack.start({ workers: 0, apis: 2, env: { CONSOLE_IDENTITY_SECRET: SECRET, AUTH_FAILURES_PER_ADDRESS: "1000" } });
    appA = stack.createKeyPair("app-a");
    appB = stack.createKeyPair("app-b");
    addUser("admin", ["--app", appA.appId, "--role", "ADMIN"]);
    addUser("admin2", ["--app", "app-a", "--role", "ADMIN"]);
    for (const role of ["EDITOR", "SUPPORT", "VIEWER"]) addUser(role.toLowerCase(), ["--app", appA.appId, "--role", role]);
    addUser("bob", ["--app", appB.appId, "--role", "ADMIN"]);
    addUser("watcher", ["--app", appA.appId, "--role", "VIEWER"]);
    addUser("root", ["--platform-admin"]);
    for (const u of await stack.db.consoleUser.findMany()) users[u.email.split("@")[0]!] = u.id;
    ok(await stack.graphql(appA, `mutation { upsertRecipient(input: { externalId: "r1", email: "r1@example.com" }) { id } }`));
  });
  after(() => stack?.stop());

  test("users:add writes the credential account better-auth reads (argon2id), and the membership", async () => {
    const account = await stack.db.consoleAccount.findFirstOrThrow({ where: { userId: users.admin } });
    assert.equal(account.providerId, "credential");
    assert.equal(account.accountId, users.admin);
    assert.match(account.password!, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const { verify } = await import("@node-rs/argon2");
    assert.equal(await verify(account.password!, "correct horse battery"), true);
    assert.equal((await stack.db.membership.findFirstOrThrow({ where: { userId: users.admin2 } })).role, "ADMIN");
  });

  test("viewer: who am I, my role here and the apps I belong to", async () => {
    const { viewer } = ok(await as("editor", `{ viewer { kind email role appId appName platformAdmin apps { appId name role } permissions } }`));
    assert.equal(viewer.kind, "user");
    assert.equal(viewer.email, "editor@example.com");
    assert.equal(viewer.role, "EDITOR");
    assert.equal(viewer.appName, "app-a");
    assert.deepEqual(viewer.apps, [{ appId: appA.appId, name: "app-a", role: "EDITOR" }]);
    assert.ok(viewer.permissions.includes("TEMPLATES_WRITE") && !viewer.permissions.includes("ADMIN"));
    const root = ok(await as("root", `{ viewer { role platformAdmin apps { name role } } }`, {}, { appId: appB.appId })).viewer;
    assert.equal(root.role, "ADMIN");
    assert.equal(root.platformAdmin, true);
    assert.deepEqual(root.apps.map((a: any) => a.name), ["app-a", "app-b"]);
  });

  test("forged, expired, over-long, wrong-issuer and unsigned identities are refused (UNAUTHENTICATED)", async () => {
    const base = { userId: users.admin!, appId: appA.appId };
    const attempts: Record<string, string> = {
      "wrong secret": await consoleIdentity(randomBytes(32).toString("hex"), base),
      expired: await consoleIdentity(SECRET, { ...base, iatOffsetS: -100, lifetimeS: 60 }),
      "lifetime over 120 s": await consoleIdentity(SECRET, { ...base, lifetimeS: 3600 }),
      "issued long ago": await consoleIdentity(SECRET, { ...base, iatOffsetS: -200, lifetimeS: 300 }),
      "wrong issuer": await consoleIdentity(SECRET, { ...base, issuer: "someone-else" }),
      "wrong audience": await consoleIdentity(SECRET, { ...base, audience: "notify:recipient" }),
      "alg none": unsigned({ iss: "notify-console", aud: "notify-api", sub: users.admin, app: appA.appId, iat: now(), exp: now() + 60 }),
      garbage: "not-a-jwt",
    };
    for (const [what, token] of Object.entries(attempts)) {
      const res = await callWith(stack.apiUrl, { "x-console-identity": token }, `{ apiKeys { id } }`);
      rejected(res, { code: "UNAUTHENTICATED" });
      assert.equal(res.status, 401, what);
    }
  });

  test("a user of app A naming app B in a validly signed identity, without a membership, is refused", async () => {
    const res = await as("admin", `{ apiKeys { id } }`, {}, { appId: appB.appId });
    assert.match(rejected(res, { code: "UNAUTHENTICATED" }).message, /not a member/);
    // And an app that does not exist, even for a platform admin.
    rejected(await as("root", `{ viewer { role } }`, {}, { appId: "00000000-0000-4000-8000-000000000000" }), { code: "UNAUTHENTICATED" });
    // A user that does not exist at all.
    users.ghost = "no-such-user";
    rejected(await as("ghost", `{ viewer { role } }`), { code: "UNAUTHENTICATED" });
  });

  test("a VIEWER reads but cannot mutate", async () => {
    ok(await as("viewer", `{ templates { key } recipient(externalId: "r1") { externalId } }`));
    for (const [query, vars] of [
      [CREATE_TEMPLATE, { key: "v1" }],
      [`mutation { upsertRecipient(input: { externalId: "r1", email: "evil@example.com" }) { id } }`, {}],
      [`mutation { sendNotification(input: { externalId: "r1", channels: [EMAIL], content: { subject: "s", body: "b" } }) { notifications { id } } }`, {}],
      [`mutation { inviteMember(email: "me@evil.com", role: ADMIN) { id } }`, {}],
    ] as const) {
      rejected(await as("viewer", query, vars), { code: "FORBIDDEN" });
    }
    assert.equal((await stack.db.recipient.findFirstOrThrow({ where: { appId: appA.appId, externalId: "r1" } })).email, "r1@example.com");
    assert.equal(await stack.db.invitation.count(), 0);
  });

  test("a SUPPORT cannot publishTemplate or read apiKeys; may replay dead letters and edit recipients", async () => {
    ok(await as("editor", CREATE_TEMPLATE, { key: "s1" }));
    const pub = rejected(await as("support", `mutation { publishTemplate(key: "s1") { version } }`), { code: "FORBIDDEN" });
    assert.match(pub.message, /publishTemplate needs the TEMPLATES_WRITE permission, which the SUPPORT role does not grant/);
    rejected(await as("support", `{ apiKeys { id } }`), { code: "FORBIDDEN" });
    rejected(await as("support", `{ members { email } }`), { code: "FORBIDDEN" });
    ok(await as("support", `mutation { replayDeadLetters(input: { filter: { channel: EMAIL } }) { replayed } }`));
    ok(await as("support", `mutation { upsertRecipient(input: { externalId: "r2", email: "r2@example.com" }) { id } }`));
  });

  test("an EDITOR writes templates but cannot replayDeadLetters", async () => {
    ok(await as("editor", `mutation { publishTemplate(key: "s1") { version } }`));
    const res = rejected(await as("editor", `mutation { replayDeadLetters(input: { filter: { channel: EMAIL } }) { replayed } }`), { code: "FORBIDDEN" });
    assert.match(res.message, /DEAD_LETTERS_REPLAY/);
  });

  test("a demoted user is refused on their next call after 1 s, on every API process; a removed one is refused entirely", async () => {
    ok(await as("admin2", `{ apiKeys { id } }`, {}, { api: 0 }));
    ok(await as("admin2", `{ apiKeys { id } }`, {}, { api: 1 }));
    ok(await as("admin", `mutation ($u: ID!) { setMemberRole(userId: $u, role: VIEWER) { role } }`, { u: users.admin2 }));
    await sleep(1000);
    for (const api of [0, 1]) rejected(await as("admin2", `{ apiKeys { id } }`, {}, { api }), { code: "FORBIDDEN" });
    ok(await as("admin2", `{ templates { key } }`));
    ok(await as("admin", `mutation ($u: ID!) { removeMember(userId: $u) { email } }`, { u: users.admin2 }));
    await sleep(1000);
    for (const api of [0, 1]) rejected(await as("admin2", `{ templates { key } }`, {}, { api }), { code: "UNAUTHENTICATED" });
  });

  test("an app keeps at least one ADMIN", async () => {
    const only = rejected(await as("bob", `mutation ($u: ID!) { setMemberRole(userId: $u, role: EDITOR) { role } }`, { u: users.bob }, { appId: appB.appId }), { code: "CONFLICT", reason: "LAST_ADMIN" });
    assert.match(only.message, /at least one ADMIN/);
    rejected(await as("bob", `mutation ($u: ID!) { removeMember(userId: $u) { email } }`, { u: users.bob }, { appId: appB.appId }), { code: "CONFLICT", reason: "LAST_ADMIN" });
    assert.equal((await stack.db.membership.findFirstOrThrow({ where: { userId: users.bob } })).role, "ADMIN");
    // An ADMIN of app A cannot touch app B's members by naming B's user.
    rejected(await as("admin", `mutation ($u: ID!) { setMemberRole(userId: $u, role: VIEWER) { role } }`, { u: users.bob }), { code: "NOT_FOUND" });
  });

  test("invitations and allowed domains", async () => {
    const { inviteMember } = ok(await as("admin", `mutation { inviteMember(email: " New@Example.com ", role: EDITOR) { id email role expiresAt } }`));
    assert.equal(inviteMember.email, "new@example.com");
    rejected(await as("admin", `mutation { inviteMember(email: "viewer@example.com", role: EDITOR) { id } }`), { code: "CONFLICT", reason: "ALREADY_MEMBER" });
    rejected(await as("admin", `mutation { inviteMember(email: "nope", role: EDITOR) { id } }`), { code: "BAD_USER_INPUT", reason: "INVALID_EMAIL" });
    assert.deepEqual(ok(await as("admin", `{ invitations { id email } }`)).invitations, [{ id: inviteMember.id, email: "new@example.com" }]);
    ok(await as("admin", `mutation ($id: ID!) { revokeInvitation(id: $id) }`, { id: inviteMember.id }));
    assert.deepEqual(ok(await as("admin", `{ invitations { id } }`)).invitations, []);
    rejected(await as("admin", `mutation ($id: ID!) { revokeInvitation(id: $id) }`, { id: inviteMember.id }), { code: "NOT_FOUND" });

    ok(await as("admin", `mutation { allowDomain(domain: "@Acme.io", role: SUPPORT) { domain role } }`));
    rejected(await as("admin", `mutation { allowDomain(domain: "acme.io", role: ADMIN) { domain } }`), { code: "BAD_USER_INPUT", reason: "DOMAIN_ROLE_TOO_HIGH" });
    rejected(await as("admin", `mutation { allowDomain(domain: "not a domain", role: VIEWER) { domain } }`), { code: "BAD_USER_INPUT", reason: "INVALID_DOMAIN" });
    assert.deepEqual(ok(await as("admin", `{ allowedDomains { domain role } }`)).allowedDomains, [{ domain: "acme.io", role: "SUPPORT" }]);
    ok(await as("admin", `mutation { removeAllowedDomain(domain: "acme.io") }`));
    assert.deepEqual(ok(await as("admin", `{ allowedDomains { domain } }`)).allowedDomains, []);
  });

  test("createApp: its creator becomes its ADMIN; non-admins and API keys cannot create apps", async () => {
    const { createApp } = ok(await as("admin", `mutation { createApp(name: "app-c") { appId name role } }`));
    assert.equal(createApp.role, "ADMIN");
    ok(await as("admin", `{ members { email role } }`, {}, { appId: createApp.appId }));
    rejected(await as("editor", `mutation { createApp(name: "mine") { appId } }`), { code: "FORBIDDEN" });
    rejected(await stack.graphql(appA, `mutation { createApp(name: "by-key") { appId } }`), { code: "FORBIDDEN" });
    assert.equal(await stack.db.app.count({ where: { name: { in: ["mine", "by-key"] } } }), 0);
  });

  test("over graphql-ws the identity goes in connectionParams; a subscription needs HISTORY_READ at subscribe time", async () => {
    const url = `${stack.apiUrl.replace("http", "ws")}/graphql`;
    const subscribe = async (params: Record<string, string>) => {
      const client = createClient({ url, webSocketImpl: WebSocket, connectionParams: params, retryAttempts: 0, lazy: true });
      try {
        return await new Promise<string>((resolve) => {
          const timer = setTimeout(() => resolve("subscribed"), 1500);
          client.subscribe(
            { query: `subscription { deliveryEvents { type } }` },
            {
              next: (msg) => (clearTimeout(timer), resolve(String((msg.errors?.[0]?.extensions as any)?.code ?? "data"))),
              error: (err) => (clearTimeout(timer), resolve(`closed ${(err as { code?: number }).code ?? err}`)),
              complete: () => undefined,
            },
          );
        });
      } finally {
        await client.dispose();
      }
    };
    const viewerToken = await consoleIdentity(SECRET, { userId: users.viewer!, appId: appA.appId });
    assert.equal(await subscribe({ "x-console-identity": viewerToken }), "subscribed");
    const forged = await consoleIdentity("x".repeat(64), { userId: users.viewer!, appId: appA.appId });
    assert.match(await subscribe({ "x-console-identity": forged }), /^closed 4403/);
    const sendOnly = ok(await stack.graphql(appA, `mutation { createApiKey(input: { scopes: [SEND] }) { appSecret key { appKey } } }`)).createApiKey;
    assert.equal(await subscribe({ "x-app-key": sendOnly.key.appKey, "x-app-secret": sendOnly.appSecret }), "FORBIDDEN");
  });
});

describe("console users on a WebSocket", () => {
  let stack: Stack;
  let app: KeyPair;
  before(async () => {
    stack = await Stack.start({ workers: 0, env: { CONSOLE_IDENTITY_SECRET: SECRET } });
    app = stack.createKeyPair("ws");
    cli(stack, "users", ["--email", "watcher@example.com", "--password", "long enough pw", "--app", app.appId, "--role", "VIEWER"]);
    ok(await stack.graphql(app, `mutation { upsertRecipient(input: { externalId: "r1", email: "r1@example.com" }) { id } }`));
  });
  after(() => stack?.stop());

  test("a subscription opened before the user was removed stops delivering: the next event is refused", async () => {
    const user = await stack.db.consoleUser.findUniqueOrThrow({ where: { email: "watcher@example.com" } });
    const token = await consoleIdentity(SECRET, { userId: user.id, appId: app.appId });
    const client = createClient({ url: `${stack.apiUrl.replace("http", "ws")}/graphql`, webSocketImpl: WebSocket, connectionParams: { "x-console-identity": token }, retryAttempts: 0 });
    const messages: { data?: unknown; code?: string }[] = [];
    let wake = () => undefined as void;
    client.subscribe(
      { query: `subscription { deliveryEvents { type notificationId } }` },
      {
        next: (msg) => (messages.push({ data: msg.data, code: (msg.errors?.[0]?.extensions as any)?.code }), wake()),
        // The stream ends with the refusal (an array of GraphQL errors), or the socket closes.
        error: (err) => (messages.push({ code: Array.isArray(err) ? err[0]?.extensions?.code : `closed ${(err as { code?: number }).code}` }), wake()),
        complete: () => (messages.push({ code: "complete" }), wake()),
      },
    );
    const waitFor = async (pred: () => boolean, ms = 15_000) => {
      const until = Date.now() + ms;
      while (!pred() && Date.now() < until) await new Promise<void>((r) => ((wake = r), setTimeout(r, 200)));
      assert.ok(pred(), JSON.stringify(messages));
    };
    const send = () => stack.graphql(app, `mutation { sendNotification(input: { externalId: "r1", channels: [EMAIL], content: { subject: "s", body: "b" } }) { notifications { id } } }`);
    try {
      await new Promise((r) => setTimeout(r, 500)); // subscribed
      ok(await send());
      await waitFor(() => messages.some((m) => m.data));
      assert.equal(messages.filter((m) => m.code).length, 0);
      await stack.db.membership.delete({ where: { userId_appId: { userId: user.id, appId: app.appId } } });
      await new Promise((r) => setTimeout(r, 1000));
      const before = messages.length;
      ok(await send());
      await waitFor(() => messages.length > before);
      const after = messages.slice(before);
      assert.equal(after.filter((m) => m.data && (m.data as any).deliveryEvents).length, 0, JSON.stringify(after));
      assert.equal(after[0]!.code, "UNAUTHENTICATED", JSON.stringify(after));
      // And it ended: later events reach the removed user not even as errors.
      ok(await send());
      await new Promise((r) => setTimeout(r, 2500));
      assert.equal(messages.length, before + 1, JSON.stringify(messages.slice(before)));
    } finally {
      await client.dispose();
    }
  });
});

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function unsigned(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.`;
}
