import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, BrowserContext } from "playwright-core";
import { rejected } from "./harness/gql.js";
import { createConsoleUser, launchChromium, signIn, startConsole, withDiagnostics, type RunningConsole } from "./harness/console.js";
import { Stack, type KeyPair } from "./harness/stack.js";

const WAIT = { timeout: 15_000 };
const WHO = `{ viewer { scopes } }`;
const PASSWORD = "console access password";

describe("console in a real browser: API keys and users & roles pages (admins only)", () => {
  let stack: Stack;
  let key: KeyPair;
  let console_: RunningConsole;
  let browser: Browser;
  /** Signed in as ada, ADMIN of the key's app. */
  let context: BrowserContext;
  /** Signed in as vic, a VIEWER there (EDITOR once the users test changed the role). */
  let viewer: BrowserContext;

  before(async () => {
    const launching = launchChromium();
    stack = await Stack.start({ workers: 0, env: { AUTH_FAILURES_PER_ADDRESS: "1000" } });
    key = stack.createKeyPair("console-access");
    // No mail key: the invitation's email cannot go out, which the Users page must say.
    console_ = await startConsole(stack);
    await createConsoleUser(stack.db, { email: "ada@example.com", password: PASSWORD, apps: { [key.appId]: "ADMIN" } });
    await createConsoleUser(stack.db, { email: "vic@example.com", password: PASSWORD, apps: { [key.appId]: "VIEWER" } });
    browser = await launching;
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    viewer = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await Promise.all([signIn(context, console_, "ada@example.com", PASSWORD), signIn(viewer, console_, "vic@example.com", PASSWORD)]);
  });
  after(async () => {
    await browser?.close();
    await console_?.stop();
    await stack?.stop();
  });

  test("API keys: create with scopes (secret shown once), then rotate and revoke; the API agrees", async () => {
    const page = await context.newPage();
    page.on("dialog", (d) => void d.accept());
    await withDiagnostics(page, console_, "console-keys", async () => {
      await page.goto(console_.url);
      await page.getByRole("link", { name: "API keys" }).click();
      await page.getByTestId("api-keys").waitFor(WAIT);
      // The stack's own key pair.
      assert.equal(await page.getByTestId("key-row").count(), 1);

      const form = page.getByTestId("create-key-form");
      await form.getByLabel("Label").fill("billing");
      await form.getByTestId("scope-HISTORY").check();
      await form.getByRole("button", { name: "Create key" }).click();
      const banner = page.getByTestId("new-secret");
      await banner.waitFor(WAIT);
      const appKey = (await banner.getByTestId("new-app-key").textContent())!.trim();
      const appSecret = (await banner.getByTestId("new-app-secret").textContent())!.trim();
      const who = await stack.graphql({ appKey, appSecret }, WHO);
      assert.deepEqual(who.data?.viewer.scopes, ["SEND", "HISTORY"]);
      const row = page.locator(`[data-testid=key-row][data-app-key="${appKey}"]`);
      await row.waitFor(WAIT);
      assert.match((await row.textContent())!, /billing/);
      // The secret is in the action's answer only: a fresh load of the page does not have it.
      await page.reload();
      await row.waitFor(WAIT);
      assert.equal(await page.getByText(appSecret).count(), 0);

      await row.getByRole("combobox").selectOption("0");
      await row.getByTestId("rotate-key").click();
      // The successor's secret stays on screen although the rotated row lost its form in the refresh.
      await page.locator(`[data-testid=key-row][data-app-key="${appKey}"][data-state=expired]`).waitFor(WAIT);
      await banner.waitFor(WAIT);
      const next = { appKey: (await banner.getByTestId("new-app-key").textContent())!.trim(), appSecret: (await banner.getByTestId("new-app-secret").textContent())!.trim() };
      assert.notEqual(next.appKey, appKey);
      await banner.getByTestId("dismiss-secret").click();
      assert.equal(await page.getByText(next.appSecret).count(), 0);
      assert.deepEqual((await stack.graphql(next, WHO)).data?.viewer.scopes, ["SEND", "HISTORY"]);

      const successor = page.locator(`[data-testid=key-row][data-app-key="${next.appKey}"]`);
      await page.reload();
      await successor.getByTestId("revoke-key").click();
      await page.locator(`[data-testid=key-row][data-app-key="${next.appKey}"][data-state=revoked]`).waitFor(WAIT);
      await new Promise((r) => setTimeout(r, 1000));
      rejected(await stack.graphql(next, WHO), { code: "UNAUTHENTICATED" });
      rejected(await stack.graphql({ appKey, appSecret }, WHO), { code: "UNAUTHENTICATED" }); // rotated with no overlap
    });
  });

  test("users & roles: members with role change, invite by email, allowed SSO domains, typed refusals beside the form", async () => {
    const page = await context.newPage();
    page.on("dialog", (d) => void d.accept());
    await withDiagnostics(page, console_, "console-users", async () => {
      await page.goto(`${console_.url}/users`);
      const member = (email: string) => page.locator(`[data-testid=member-row][data-email="${email}"]`);
      await member("ada@example.com").waitFor(WAIT);
      assert.equal(await member("vic@example.com").getAttribute("data-role"), "VIEWER");
      await page.getByTestId("no-invitations").waitFor(WAIT);
      await page.getByTestId("no-domains").waitFor(WAIT);

      // A role change, as the API saw it.
      const vicForm = member("vic@example.com").getByTestId("member-role-form");
      await vicForm.getByLabel("Role").selectOption("EDITOR");
      await vicForm.getByRole("button", { name: "Change" }).click();
      await page.locator(`[data-testid=member-row][data-email="vic@example.com"][data-role=EDITOR]`).waitFor(WAIT);
      const vic = await stack.db.consoleUser.findUniqueOrThrow({ where: { email: "vic@example.com" }, include: { memberships: true } });
      assert.deepEqual(vic.memberships.map((m) => m.role), ["EDITOR"]);
      // The app's last admin cannot demote herself: the API's typed refusal shows beside the form.
      const adaForm = member("ada@example.com").getByTestId("member-role-form");
      await adaForm.getByLabel("Role").selectOption("VIEWER");
      await adaForm.getByRole("button", { name: "Change" }).click();
      assert.equal(await adaForm.getByTestId("action-problem").getAttribute("data-reason", WAIT), "LAST_ADMIN");
      assert.equal((await stack.db.membership.findFirstOrThrow({ where: { appId: key.appId, user: { email: "ada@example.com" } } })).role, "ADMIN");

      const invite = page.getByTestId("invite-form");
      await invite.getByLabel("Email").fill("not-an-email");
      await invite.getByRole("button", { name: "Invite" }).click();
      assert.equal(await invite.getByTestId("action-problem").getAttribute("data-reason", WAIT), "INVALID_EMAIL");
      await invite.getByLabel("Email").fill("Grace@Example.com");
      await invite.getByLabel("Role").selectOption("SUPPORT");
      await invite.getByRole("button", { name: "Invite" }).click();
      await page.locator(`[data-testid=invitation-row][data-email="grace@example.com"]`).waitFor(WAIT);
      const invitation = await stack.db.invitation.findFirstOrThrow({ where: { appId: key.appId } });
      assert.equal(invitation.role, "SUPPORT");
      // This console has no mail key: the invitation stands, and the page says the email did not
      // go out, with the link to pass on by hand.
      await invite.getByTestId("action-done").filter({ hasText: "Invited grace@example.com as SUPPORT" }).waitFor(WAIT);
      const unsent = invite.getByTestId("action-problem");
      assert.equal(await unsent.getAttribute("data-reason", WAIT), "INVITATION_EMAIL_NOT_SENT");
      assert.match((await unsent.textContent())!, new RegExp(`could not be sent.*CONSOLE_MAIL_APP_KEY.*${console_.url}/invite/${invitation.id}`));

      const domains = page.getByTestId("allow-domain-form");
      await domains.getByLabel("Domain").fill("example.org");
      await domains.getByLabel("Role").selectOption("EDITOR");
      await domains.getByRole("button", { name: "Allow" }).click();
      const row = page.locator(`[data-testid=domain-row][data-domain="example.org"]`);
      await row.waitFor(WAIT);
      await row.getByTestId("remove-domain").click();
      await page.getByTestId("no-domains").waitFor(WAIT);
      assert.equal(await stack.db.allowedDomain.count(), 0);

      await page.locator(`[data-testid=invitation-row][data-email="grace@example.com"]`).getByTestId("revoke-invitation").click();
      await page.getByTestId("no-invitations").waitFor(WAIT);
    });
  });

  test("without ADMIN: no nav entries, and the pages say admins only", async () => {
    const page = await viewer.newPage();
    await withDiagnostics(page, console_, "console-not-admin", async () => {
      await page.goto(`${console_.url}/templates`);
      await page.getByRole("link", { name: "Templates" }).waitFor(WAIT);
      for (const name of ["API keys", "Users", "Audit log"]) assert.equal(await page.getByRole("link", { name }).count(), 0, name);
      for (const path of ["/keys", "/users", "/audit"]) {
        await page.goto(`${console_.url}${path}`);
        await page.getByTestId("admins-only").waitFor(WAIT);
      }
    });
  });
});
