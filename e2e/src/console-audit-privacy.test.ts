import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, BrowserContext } from "playwright-core";
import { ok } from "./harness/gql.js";
import { launchChromium, screenshot, startConsole, withDiagnostics, type RunningConsole } from "./harness/console.js";
import { Stack, type KeyPair } from "./harness/stack.js";

describe("console in a real browser: the audit log lists what the test did; support deletes a recipient", () => {
  let stack: Stack;
  let key: KeyPair;
  let console_: RunningConsole;
  let browser: Browser;
  let context: BrowserContext;
  const gql = (query: string, variables: Record<string, unknown> = {}) => stack.graphql(key, query, variables);

  before(async () => {
    const launching = launchChromium();
    stack = await Stack.start();
    key = stack.createKeyPair("console-audit");
    console_ = await startConsole(stack, key);
    browser = await launching;
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  });
  after(async () => {
    await browser?.close();
    await console_?.stop();
    await stack?.stop();
  });

  test("the Audit log page: empty state, then the template changes with actor and summary, filtered by action", async () => {
    const page = await context.newPage();
    await withDiagnostics(page, console_, "console-audit", async () => {
      await page.goto(`${console_.url}/audit`);
      await page.getByTestId("audit-empty").waitFor();

      ok(await gql(`mutation { createTemplate(input: { key: "shipped", name: "Shipped", category: "account", content: [{ locale: "en", sms: { text: "Shipped" } }] }) { key } }`));
      ok(await gql(`mutation { publishTemplate(key: "shipped") { version } }`));

      await page.getByRole("link", { name: "Audit log" }).click();
      await page.waitForURL(`${console_.url}/audit`);
      await page.getByTestId("audit-table").waitFor();
      const rows = page.getByTestId("audit-row");
      assert.deepEqual(await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-action"))), ["template.publish", "template.create"]);
      assert.match((await rows.first().textContent())!, new RegExp(`api_key.*${key.appKey}.*template shipped.*"publishedVersion":1`));

      await page.getByLabel("Action").selectOption("template.create");
      await Promise.all([page.waitForURL(/action=template.create/), page.getByRole("button", { name: "Filter" }).click()]);
      assert.deepEqual(await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-action"))), ["template.create"]);
      await page.goto(`${console_.url}/audit?targetId=no-such-target`);
      assert.match((await page.getByTestId("audit-empty").textContent())!, /No audit entries match/);
      await screenshot(page, "console-audit");
    });
    await page.close();
  });

  test("Delete recipient: confirmed by typing the externalId, erases the recipient and shows in the audit log", async () => {
    ok(await gql(`mutation { upsertRecipient(input: { externalId: "gone-user", email: "gone@example.com", phone: "+14155550199" }) { id } }`));
    ok(await gql(`mutation { sendNotification(input: { externalId: "gone-user", channels: [EMAIL], content: { subject: "Hi", body: "there" }, sendAt: "${new Date(Date.now() + 86_400_000).toISOString()}" }) { notifications { id } } }`));
    const page = await context.newPage();
    await withDiagnostics(page, console_, "console-delete-recipient", async () => {
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

      await page.goto(`${console_.url}/audit?action=recipient.delete`);
      const row = page.getByTestId("audit-row");
      assert.equal(await row.count(), 1);
      assert.match((await row.textContent())!, /recipient gone-user.*"notificationsCanceled":1/);
      await screenshot(page, "console-audit-delete");
    });
    await page.close();
  });
});
