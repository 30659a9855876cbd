import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, BrowserContext } from "playwright-core";
import {
  captureServerAction,
  cookieHeader,
  createConsoleUser,
  launchChromium,
  replayServerAction,
  signIn,
  startConsole,
  withDiagnostics,
  type RunningConsole,
} from "./harness/console.js";
import { ok } from "./harness/gql.js";
import { Stack, type KeyPair } from "./harness/stack.js";

const WAIT = { timeout: 20_000 };
const PASSWORD = "role matrix password";
const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { notifications { id } } }`;
const ADMIN_LINKS = ["API keys", "Users", "Audit log"];
/** What a server action answers when the console's call to the API was refused for the role. */
const FORBIDDEN = /"code":"FORBIDDEN"/;

/**
 * The role matrix in a real browser, one stack and one console for all of it: what each role is
 * not offered, and that the API refuses it anyway when the request is forged (a captured server
 * action replayed with that role's session), and that a demotion bites on the next page load.
 */
describe("console roles in a real browser: support cannot open API keys or publish, editor cannot replay dead letters, a demotion takes effect at once", () => {
  let stack: Stack;
  let key: KeyPair;
  let console_: RunningConsole;
  let browser: Browser;
  const contexts: Record<string, BrowserContext> = {};
  let dead: string;

  before(async () => {
    const launching = launchChromium();
    // Two attempts and fast backoff, so the dead letter appears in seconds.
    stack = await Stack.start({ workers: 1, env: { DELIVERY_BACKOFF_BASE_MS: "20", RETRY_MAX_ATTEMPTS: "EMAIL=2" } });
    key = stack.createKeyPair("Roles");
    console_ = await startConsole(stack);
    const users = { ada: "ADMIN", ann: "ADMIN", sam: "SUPPORT", eddie: "EDITOR" } as const;
    for (const [name, role] of Object.entries(users)) await createConsoleUser(stack.db, { email: `${name}@example.com`, password: PASSWORD, apps: { [key.appId]: role } });

    ok(await stack.graphql(key, `mutation { createTemplate(input: { key: "promo", name: "Promo", category: "marketing", content: [{ locale: "en", sms: { text: "Sale!" } }] }) { key } }`));
    ok(await stack.graphql(key, `mutation { upsertRecipient(input: { externalId: "bounced", email: "bounced@example.com" }) { id } }`));
    stack.sandbox.faults.add({ provider: "postmark", kind: "server_error", target: "bounced@example.com" });
    dead = ok(await stack.graphql(key, SEND, { input: { externalId: "bounced", channels: ["EMAIL"], content: { subject: "s", body: "b" } } })).sendNotification.notifications[0].id;
    await stack.eventually(() => stack.db.notification.findUniqueOrThrow({ where: { id: dead } }), (n) => n.status === "DEAD", 30_000);
    stack.sandbox.faults.clear();

    browser = await launching;
    for (const name of Object.keys(users)) {
      contexts[name] = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await signIn(contexts[name]!, console_, `${name}@example.com`, PASSWORD);
    }
  });
  after(async () => {
    await browser?.close();
    await console_?.stop();
    await stack?.stop();
  });

  const keyCount = () => stack.db.apiKey.count({ where: { appId: key.appId } });
  const promoStates = async () => (await stack.db.templateVersion.findMany({ where: { template: { key: "promo", appId: key.appId } } })).map((v) => v.state);

  test("SUPPORT: no admin links, /keys says admins only, and a replayed create-key action is refused by the API", async () => {
    const page = await contexts.sam!.newPage();
    await withDiagnostics(page, console_, "roles-support-keys", async () => {
      await page.goto(`${console_.url}/`);
      await page.locator("nav a[href='/recipients']").waitFor(WAIT);
      for (const name of ADMIN_LINKS) assert.equal(await page.getByRole("link", { name, exact: true }).count(), 0, name);
      await page.goto(`${console_.url}/keys`);
      await page.getByTestId("admins-only").waitFor(WAIT);
      assert.equal(await page.getByTestId("create-key-form").count(), 0);
    });
    await page.close();

    // The admin's real "Create key" request, captured before it reached the console…
    const admin = await contexts.ada!.newPage();
    const create = await withDiagnostics(admin, console_, "roles-admin-create-key", async () => {
      await admin.goto(`${console_.url}/keys`);
      const form = admin.getByTestId("create-key-form");
      await form.getByLabel("Label").fill("forged");
      return captureServerAction(admin, () => form.getByRole("button", { name: "Create key" }).click());
    });
    await admin.close();
    const before = await keyCount();
    // …sent with support's session: the console calls the API as sam, and the API refuses.
    const forged = await replayServerAction(console_, create, await cookieHeader(contexts.sam!));
    assert.equal(forged.status, 200);
    assert.match(forged.body, FORBIDDEN);
    assert.doesNotMatch(forged.body, /appSecret/);
    assert.equal(await keyCount(), before, "no key was created");
    // The same request with the admin's session creates the key: only the role differed.
    const own = await replayServerAction(console_, create, await cookieHeader(contexts.ada!));
    assert.match(own.body, /appSecret/);
    assert.equal(await keyCount(), before + 1);
  });

  test("SUPPORT: the template page offers no Publish, and a replayed publish action is refused by the API", async () => {
    const page = await contexts.sam!.newPage();
    await withDiagnostics(page, console_, "roles-support-publish", async () => {
      await page.goto(`${console_.url}/templates/promo`);
      await page.locator("[data-testid=version-row][data-version='1'][data-state=DRAFT]").waitFor(WAIT);
      assert.equal(await page.getByTestId("publish").count(), 0);
      assert.equal(await page.getByTestId("save-draft").count(), 0);
    });
    await page.close();

    const admin = await contexts.ada!.newPage();
    const publish = await withDiagnostics(admin, console_, "roles-admin-publish", async () => {
      await admin.goto(`${console_.url}/templates/promo`);
      return captureServerAction(admin, () => admin.getByTestId("publish").click());
    });
    await admin.close();
    const forged = await replayServerAction(console_, publish, await cookieHeader(contexts.sam!));
    assert.equal(forged.status, 200);
    assert.match(forged.body, FORBIDDEN);
    assert.deepEqual(await promoStates(), ["DRAFT"], "still unpublished");
    const own = await replayServerAction(console_, publish, await cookieHeader(contexts.ada!));
    assert.doesNotMatch(own.body, FORBIDDEN);
    assert.deepEqual(await promoStates(), ["PUBLISHED"]);
  });

  test("EDITOR: dead letters are listed without replay, and a replayed replay action is refused by the API", async () => {
    const page = await contexts.eddie!.newPage();
    await withDiagnostics(page, console_, "roles-editor-dead-letters", async () => {
      await page.goto(`${console_.url}/`);
      await page.locator("nav a[href='/templates']").waitFor(WAIT);
      assert.equal(await page.locator("nav a[href='/dead-letters']").count(), 0);
      for (const name of ADMIN_LINKS) assert.equal(await page.getByRole("link", { name, exact: true }).count(), 0, name);
      await page.goto(`${console_.url}/dead-letters`);
      await page.locator(`[data-testid=dead-letter-row][data-id="${dead}"]`).waitFor(WAIT);
      assert.equal(await page.getByTestId("replay-one").count(), 0);
      assert.equal(await page.getByTestId("replay-matching").count(), 0);
      await page.getByText("Replaying needs the SUPPORT or ADMIN role; you are EDITOR.").waitFor(WAIT);
    });
    await page.close();

    const admin = await contexts.ada!.newPage();
    const replay = await withDiagnostics(admin, console_, "roles-admin-replay", async () => {
      await admin.goto(`${console_.url}/dead-letters`);
      const row = admin.locator(`[data-testid=dead-letter-row][data-id="${dead}"]`);
      return captureServerAction(admin, () => row.getByTestId("replay-one").click());
    });
    await admin.close();
    const forged = await replayServerAction(console_, replay, await cookieHeader(contexts.eddie!));
    assert.equal(forged.status, 200);
    assert.match(forged.body, FORBIDDEN);
    const row = await stack.db.notification.findUniqueOrThrow({ where: { id: dead } });
    assert.equal(row.status, "DEAD");
    assert.equal(row.replayedAt, null, "not replayed");
    const own = await replayServerAction(console_, replay, await cookieHeader(contexts.ada!));
    assert.doesNotMatch(own.body, FORBIDDEN);
    assert.ok((await stack.db.notification.findUniqueOrThrow({ where: { id: dead } })).replayedAt, "replayed by the admin");
  });

  test("an admin demoted by another admin loses API keys on the next page load after 1 s; removed, she is in no app", async () => {
    const ann = await contexts.ann!.newPage();
    await withDiagnostics(ann, console_, "roles-demoted", async () => {
      // As ADMIN first, so the API has her role in its cache when the demotion lands.
      await ann.goto(`${console_.url}/keys`);
      await ann.getByTestId("api-keys").waitFor(WAIT);

      const ada = await contexts.ada!.newPage();
      ada.on("dialog", (d) => void d.accept());
      await withDiagnostics(ada, console_, "roles-demote", async () => {
        await ada.goto(`${console_.url}/users`);
        const form = ada.locator(`[data-testid=member-row][data-email="ann@example.com"]`).getByTestId("member-role-form");
        await form.getByLabel("Role").selectOption("SUPPORT");
        await form.getByRole("button", { name: "Change" }).click();
        await ada.locator(`[data-testid=member-row][data-email="ann@example.com"][data-role=SUPPORT]`).waitFor(WAIT);
      });
      await new Promise((r) => setTimeout(r, 1000));

      await ann.reload();
      await ann.getByTestId("admins-only").waitFor(WAIT);
      assert.equal(await ann.getByTestId("current-role").textContent(), "SUPPORT");
      for (const name of ADMIN_LINKS) assert.equal(await ann.getByRole("link", { name, exact: true }).count(), 0, name);

      await withDiagnostics(ada, console_, "roles-remove", async () => {
        await ada.locator(`[data-testid=member-row][data-email="ann@example.com"]`).getByTestId("remove-member").click();
        await ada.locator(`[data-testid=member-row][data-email="ann@example.com"]`).waitFor({ state: "detached", ...WAIT });
      });
      await ada.close();
      await ann.goto(`${console_.url}/recipients`);
      await ann.getByTestId("no-app").waitFor(WAIT);
    });
    await ann.close();
  });
});
