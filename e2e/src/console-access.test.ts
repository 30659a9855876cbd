import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, BrowserContext } from "playwright-core";
import { rejected } from "./harness/gql.js";
import { launchChromium, startConsole, withDiagnostics, type RunningConsole } from "./harness/console.js";
import { Stack, type KeyPair } from "./harness/stack.js";

const WAIT = { timeout: 15_000 };
const WHO = `{ viewer { scopes } }`;

describe("console in a real browser: API keys and users & roles pages (admins only)", () => {
  let stack: Stack;
  let admin: KeyPair;
  let console_: RunningConsole;
  let readOnly: RunningConsole;
  let browser: Browser;
  let context: BrowserContext;

  before(async () => {
    const launching = launchChromium();
    stack = await Stack.start({ workers: 0, env: { AUTH_FAILURES_PER_ADDRESS: "1000" } });
    admin = stack.createKeyPair("console-access");
    const created = await stack.graphql(admin, `mutation { createApiKey(input: { label: "read-only console", scopes: [HISTORY, TEMPLATES] }) { appSecret key { appKey } } }`);
    const limited = { appKey: created.data!.createApiKey.key.appKey, appSecret: created.data!.createApiKey.appSecret };
    [console_, readOnly] = await Promise.all([startConsole(stack, admin), startConsole(stack, limited)]);
    browser = await launching;
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  });
  after(async () => {
    await browser?.close();
    await Promise.all([console_?.stop(), readOnly?.stop()]);
    await stack?.stop();
  });

  test("API keys: create with scopes (secret shown once), then rotate and revoke; the API agrees", async () => {
    const page = await context.newPage();
    page.on("dialog", (d) => void d.accept());
    await withDiagnostics(page, console_, "console-keys", async () => {
      await page.goto(console_.url);
      await page.getByRole("link", { name: "API keys" }).click();
      await page.getByTestId("api-keys").waitFor(WAIT);
      assert.equal(await page.getByTestId("key-row").count(), 2);

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

  test("users & roles: empty states, invite by email, allowed SSO domains, typed refusals beside the form", async () => {
    const page = await context.newPage();
    page.on("dialog", (d) => void d.accept());
    await withDiagnostics(page, console_, "console-users", async () => {
      await page.goto(`${console_.url}/users`);
      await page.getByTestId("no-members").waitFor(WAIT);
      await page.getByTestId("no-invitations").waitFor(WAIT);
      await page.getByTestId("no-domains").waitFor(WAIT);

      const invite = page.getByTestId("invite-form");
      await invite.getByLabel("Email").fill("not-an-email");
      await invite.getByRole("button", { name: "Invite" }).click();
      assert.equal(await invite.getByTestId("action-problem").getAttribute("data-reason", WAIT), "INVALID_EMAIL");
      await invite.getByLabel("Email").fill("Grace@Example.com");
      await invite.getByLabel("Role").selectOption("SUPPORT");
      await invite.getByRole("button", { name: "Invite" }).click();
      await page.locator(`[data-testid=invitation-row][data-email="grace@example.com"]`).waitFor(WAIT);
      assert.equal((await stack.db.invitation.findFirstOrThrow({ where: { appId: admin.appId } })).role, "SUPPORT");

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
    const page = await context.newPage();
    await withDiagnostics(page, readOnly, "console-not-admin", async () => {
      await page.goto(`${readOnly.url}/templates`);
      await page.getByRole("link", { name: "Templates" }).waitFor(WAIT);
      assert.equal(await page.getByRole("link", { name: "API keys" }).count(), 0);
      assert.equal(await page.getByRole("link", { name: "Users" }).count(), 0);
      for (const path of ["/keys", "/users"]) {
        await page.goto(`${readOnly.url}${path}`);
        await page.getByTestId("admins-only").waitFor(WAIT);
      }
    });
  });
});
