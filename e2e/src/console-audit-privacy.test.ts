import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, BrowserContext } from "playwright-core";
import { ok } from "./harness/gql.js";
import { createConsoleUser, launchChromium, screenshot, signIn, startConsole, withDiagnostics, type RunningConsole } from "./harness/console.js";
import { Stack, type KeyPair } from "./harness/stack.js";

describe("console in a real browser: the audit log lists what the test did; support deletes a recipient", () => {
  let stack: Stack;
  let key: KeyPair;
  let console_: RunningConsole;
  let browser: Browser;
  /** ada, ADMIN of the key's app. */
  let context: BrowserContext;
  let adaId: string;
  let samId: string;
  const PASSWORD = "audit and privacy password";
  const gql = (query: string, variables: Record<string, unknown> = {}) => stack.graphql(key, query, variables);

  before(async () => {
    const launching = launchChromium();
    stack = await Stack.start();
    key = stack.createKeyPair("console-audit");
    console_ = await startConsole(stack);
    adaId = await createConsoleUser(stack.db, { email: "ada@example.com", password: PASSWORD, apps: { [key.appId]: "ADMIN" } });
    samId = await createConsoleUser(stack.db, { email: "sam@example.com", password: PASSWORD, apps: { [key.appId]: "SUPPORT" } });
    browser = await launching;
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await signIn(context, console_, "ada@example.com", PASSWORD);
  });
  after(async () => {
    await browser?.close();
    await console_?.stop();
    await stack?.stop();
  });

  test("the Audit log page: empty state, then the sign-in and the template changes with actor and summary, filtered by action", async () => {
    const page = await context.newPage();
    await withDiagnostics(page, console_, "console-audit", async () => {
      // Ada's sign-in is the one row so far; nothing about templates yet.
      await page.goto(`${console_.url}/audit?action=template.create`);
      assert.match((await page.getByTestId("audit-empty").textContent())!, /No audit entries match/);

      ok(await gql(`mutation { createTemplate(input: { key: "shipped", name: "Shipped", category: "account", content: [{ locale: "en", sms: { text: "Shipped" } }] }) { key } }`));
      ok(await gql(`mutation { publishTemplate(key: "shipped") { version } }`));

      await page.getByRole("link", { name: "Audit log" }).click();
      await page.waitForURL(`${console_.url}/audit`);
      await page.getByTestId("audit-table").waitFor();
      const rows = page.getByTestId("audit-row");
      assert.deepEqual(await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-action"))), ["template.publish", "template.create", "auth.sign_in"]);
      assert.match((await rows.first().textContent())!, new RegExp(`api_key.*${key.appKey}.*template shipped.*"publishedVersion":1`));
      assert.match((await rows.last().textContent())!, /user.*ada@example\.com/);

      // By actor: the sign-in is ada's, the template changes the key's.
      await page.getByLabel("Action").selectOption("");
      await page.getByLabel("Actor id").fill(adaId);
      await Promise.all([page.waitForURL(new RegExp(`actorId=${adaId}`)), page.getByRole("button", { name: "Filter" }).click()]);
      assert.deepEqual(await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-action"))), ["auth.sign_in"]);
      await page.goto(`${console_.url}/audit`);

      await page.getByLabel("Action").selectOption("template.create");
      await Promise.all([page.waitForURL(/action=template.create/), page.getByRole("button", { name: "Filter" }).click()]);
      assert.deepEqual(await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-action"))), ["template.create"]);
      await page.goto(`${console_.url}/audit?targetId=no-such-target`);
      assert.match((await page.getByTestId("audit-empty").textContent())!, /No audit entries match/);
      await screenshot(page, "console-audit");
    });
    await page.close();
  });

  test("Delete recipient (by support): confirmed by typing the externalId, erases the recipient and shows in the audit log", async () => {
    ok(await gql(`mutation { upsertRecipient(input: { externalId: "gone-user", email: "gone@example.com", phone: "+14155550199" }) { id } }`));
    ok(await gql(`mutation { sendNotification(input: { externalId: "gone-user", channels: [EMAIL], content: { subject: "Hi", body: "there" }, sendAt: "${new Date(Date.now() + 86_400_000).toISOString()}" }) { notifications { id } } }`));
    const support = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await signIn(support, console_, "sam@example.com", PASSWORD);
    const spage = await support.newPage();
    await withDiagnostics(spage, console_, "console-delete-recipient", async () => {
      const page = spage;
      await page.goto(`${console_.url}/recipients/gone-user`);
      await page.getByTestId("delete-recipient").click();
      const submit = page.getByTestId("delete-recipient-submit");
      assert.equal(await submit.isDisabled(), true, "disabled until the externalId is typed");
      await page.getByLabel("Type the externalId to confirm").fill("gone-use");
      assert.equal(await submit.isDisabled(), true);
      await page.getByLabel("Type the externalId to confirm").fill("gone-user");
      await Promise.all([page.waitForURL(/\/recipients\?deleted=gone-user/), submit.click()]);
      assert.match((await page.getByTestId("recipient-deleted").textContent())!, /gone-user.*1 notifications/);

      assert.equal(await stack.db.recipient.count({ where: { appId: key.appId, externalId: "gone-user" } }), 0);
      assert.equal(await stack.db.recipient.count({ where: { email: "gone@example.com" } }), 0);
      const missing = await page.goto(`${console_.url}/recipients/gone-user`);
      assert.equal(missing?.status(), 404);
    });
    await support.close();

    // The admin sees who did it.
    const page = await context.newPage();
    await withDiagnostics(page, console_, "console-audit-delete", async () => {
      await page.goto(`${console_.url}/audit?action=recipient.delete`);
      const row = page.getByTestId("audit-row");
      assert.equal(await row.count(), 1);
      assert.match((await row.textContent())!, /user.*sam@example\.com.*recipient gone-user.*"notificationsCanceled":1/);
      await page.goto(`${console_.url}/audit?actorId=${samId}`);
      assert.deepEqual(await row.evaluateAll((els) => els.map((e) => e.getAttribute("data-action"))), ["recipient.delete", "auth.sign_in"]);
      await screenshot(page, "console-audit-delete");
    });
    await page.close();
  });
});
