import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createConsoleUser, launchChromium, screenshot, signIn, startConsole, withDiagnostics, type RunningConsole } from "./harness/console.js";
import { Stack, type KeyPair } from "./harness/stack.js";

const UPSERT = `mutation ($input: UpsertRecipientInput!) { upsertRecipient(input: $input) { id } }`;
const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { notifications { id status } } }`;
const STATS = `query ($key: String!) { templateStats(key: $key) { total opened clicked byStatus { status count } } }`;

const KEY = "order-shipped";
// Generous: the machine is shared, and the Postmark simulator's Delivery webhook comes after the send.
const WAIT = { timeout: 45_000 };

describe("console in a real browser: template editing and the live view", () => {
  let stack: Stack;
  let key: KeyPair;
  let console_: RunningConsole;
  let browser: Browser;
  let context: BrowserContext;

  before(async () => {
    const launching = launchChromium();
    stack = await Stack.start();
    key = stack.createKeyPair();
    console_ = await startConsole(stack);
    browser = await launching;
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // An admin of the test's app, signed in as a person would.
    await createConsoleUser(stack.db, { email: "admin@example.com", password: "correct horse battery", apps: { [key.appId]: "ADMIN" } });
    await signIn(context, console_, "admin@example.com", "correct horse battery");
    const upsert = await stack.graphql(key, UPSERT, { input: { externalId: "shopper", email: "ada@example.com" } });
    assert.equal(upsert.errors, undefined, JSON.stringify(upsert.errors));
  });
  after(async () => {
    await browser?.close();
    await console_?.stop();
    await stack?.stop();
  });

  async function sendTemplate(data: Record<string, unknown>): Promise<string> {
    const res = await stack.graphql(key, SEND, { input: { externalId: "shopper", channels: ["EMAIL"], template: { key: KEY, data } } });
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    return res.data!.sendNotification.notifications[0].id as string;
  }

  function delivered(id: string) {
    return stack.eventually(
      () => stack.db.notification.findUniqueOrThrow({ where: { id } }),
      (n) => n.status === "DELIVERED",
      45_000,
    );
  }

  const versionRow = (page: Page, version: number, state?: string) =>
    page.locator(`[data-testid=version-row][data-version="${version}"]${state ? `[data-state=${state}]` : ""}`);

  /** Opens a channel's section of one locale row (closed when the locale has no content for it). */
  async function openChannel(page: Page, row: number, channel: string) {
    const details = page.locator("[data-testid=locale-fields]").nth(row).locator(`[data-testid=channel-fields][data-channel=${channel}]`);
    if ((await details.getAttribute("open")) === null) await details.locator("summary").click();
  }

  test("create, edit, preview, publish and restore a template; a send renders the published version", async () => {
    const page = await context.newPage();
    await withDiagnostics(page, console_, "console-templates", async () => {
      await page.goto(`${console_.url}/templates`);
      await page.getByTestId("no-templates").waitFor();

      // Create: version 1 as a draft, English email with one variable.
      await page.locator("#key").fill(KEY);
      await page.locator("#name").fill("Order shipped");
      await page.locator("#category").fill("account");
      await page.locator('[name="content.0.EMAIL.subject"]').fill("Your order has shipped");
      await page.locator('[name="content.0.EMAIL.text"]').fill("Hi {{ name }}, your order is on its way.");
      await page.locator('[name="content.0.EMAIL.html"]').fill("<p>Hi <b>{{ name }}</b>, your order is on its way.</p>");
      await page.locator('[name="variables.0.name"]').fill("name");
      await Promise.all([page.waitForURL(`${console_.url}/templates/${KEY}`, WAIT), page.getByRole("button", { name: "Create template" }).click()]);
      await versionRow(page, 1, "DRAFT").waitFor();
      assert.equal(await page.getByTestId("published-version").textContent(), "never");

      // Edit the draft: the order number in the subject (a new NUMBER variable), SMS, a German locale.
      await page.locator('[name="content.0.EMAIL.subject"]').fill("Your order {{ order }} has shipped");
      await openChannel(page, 0, "SMS");
      await page.locator('[name="content.0.SMS.text"]').fill("Order {{ order }} shipped.");
      await page.locator('[name="variables.1.name"]').fill("order");
      await page.locator('select[name="variables.1.type"]').selectOption("NUMBER");
      await page.locator('[name="content.1.locale"]').fill("de");
      await openChannel(page, 1, "EMAIL");
      await page.locator('[name="content.1.EMAIL.subject"]').fill("Bestellung {{ order }} ist unterwegs");
      await page.locator('[name="content.1.EMAIL.text"]').fill("Hallo {{ name }}, Ihre Bestellung ist unterwegs.");
      await page.getByTestId("save-draft").click();
      await page.getByTestId("draft-editor").getByTestId("action-done").filter({ hasText: "Saved draft v1" }).waitFor(WAIT);
      assert.equal(await page.getByTestId("draft-editor").getByTestId("action-problem").count(), 0);
      const v1 = await stack.db.templateVersion.findFirstOrThrow({ where: { template: { key: KEY }, version: 1 } });
      assert.deepEqual(v1.variables, [
        { name: "name", type: "STRING", required: true },
        { name: "order", type: "NUMBER", required: true },
      ]);
      assert.equal((v1.content as Record<string, Record<string, { subject?: string; text?: string }>>).de!.EMAIL!.subject, "Bestellung {{ order }} ist unterwegs");
      assert.equal((v1.content as Record<string, Record<string, { text?: string }>>).en!.SMS!.text, "Order {{ order }} shipped.");

      // Preview without the required variable: the API's typed error, beside the preview form.
      const preview = page.getByTestId("preview-form");
      await preview.locator("#preview-data").fill('{"name": "Ada"}');
      await page.getByTestId("preview").click();
      const problem = preview.getByTestId("action-problem");
      await problem.waitFor(WAIT);
      assert.equal(await problem.getAttribute("data-reason"), "TEMPLATE_VARIABLES");
      assert.equal(await problem.getAttribute("data-field"), "data");
      assert.match((await problem.textContent())!, /order/);
      assert.match((await problem.textContent())!, /BAD_USER_INPUT/);
      assert.equal(await page.getByTestId("preview-result").count(), 0);
      await screenshot(page, "console-template-preview-error");

      // With the data: the rendered email, HTML-escaped in the HTML part.
      await preview.locator("#preview-data").fill('{"name": "Ada <3", "order": 42}');
      await page.getByTestId("preview").click();
      await page.locator("[data-testid=preview-result][data-channel=EMAIL]").waitFor(WAIT);
      assert.equal(await problem.count(), 0);
      assert.equal(await page.getByTestId("preview-subject").textContent(), "Your order 42 has shipped");
      assert.equal(await page.getByTestId("preview-body").textContent(), "Hi Ada <3, your order is on its way.");
      assert.equal(await page.getByTestId("preview-html").getAttribute("srcdoc"), "<p>Hi <b>Ada &lt;3</b>, your order is on its way.</p>");
      // As a mail client shows it: the escaped name is text, not markup.
      assert.equal(await page.frameLocator("[data-testid=preview-html]").locator("b").textContent(WAIT), "Ada <3");
      await screenshot(page, "console-template-preview");

      // The German locale, and SMS.
      await preview.locator("#preview-locale").fill("de");
      await page.getByTestId("preview").click();
      await page.locator("[data-testid=preview-result][data-locale=de]").waitFor(WAIT);
      assert.equal(await page.getByTestId("preview-subject").textContent(), "Bestellung 42 ist unterwegs");
      await preview.locator("#preview-locale").fill("");
      await preview.locator("#preview-channel").selectOption("SMS");
      await page.getByTestId("preview").click();
      await page.locator("[data-testid=preview-result][data-channel=SMS]").waitFor(WAIT);
      assert.equal(await page.getByTestId("preview-body").textContent(), "Order 42 shipped.");

      // Publish v1, then send it through the API: delivered, rendered from v1.
      await versionRow(page, 1).getByTestId("publish").click();
      await versionRow(page, 1, "PUBLISHED").waitFor(WAIT);
      assert.equal(await page.getByTestId("published-version").textContent(), "v1");
      const first = await sendTemplate({ name: "Ada", order: 42 });
      const sent = await delivered(first);
      assert.equal((sent.content as { subject: string }).subject, "Your order 42 has shipped");

      // No draft now: saving creates v2 from v1. Publish it; v1 is archived.
      await page.getByRole("heading", { name: "Edit (saving creates a draft from v1)" }).waitFor();
      await page.locator('[name="content.0.EMAIL.subject"]').fill("Shipped: order {{ order }}");
      await page.getByTestId("save-draft").click();
      await page.getByTestId("draft-editor").getByTestId("action-done").filter({ hasText: "Saved draft v2" }).waitFor(WAIT);
      await versionRow(page, 2, "DRAFT").getByTestId("publish").click();
      await versionRow(page, 2, "PUBLISHED").waitFor(WAIT);
      await versionRow(page, 1, "ARCHIVED").waitFor(WAIT);
      const second = await sendTemplate({ name: "Ada", order: 43 });
      assert.equal(((await delivered(second)).content as { subject: string }).subject, "Shipped: order 43");

      // Restore v1: a new draft v3 with v1's content, shown in the editor.
      await versionRow(page, 1).getByTestId("restore").click();
      await versionRow(page, 3, "DRAFT").waitFor(WAIT);
      await page.getByRole("heading", { name: "Edit draft v3" }).waitFor(WAIT);
      assert.equal(await page.getByTestId("draft-editor").getByTestId("action-done").count(), 0, "no stale 'Saved draft v2' beside draft v3");
      assert.equal(await page.locator('[name="content.0.EMAIL.subject"]').inputValue(), "Your order {{ order }} has shipped");
      assert.deepEqual(await page.getByTestId("version-state").allTextContents(), ["DRAFT", "PUBLISHED", "ARCHIVED"]);
      await screenshot(page, "console-template");

      // The list, and a second template with the same key refused beside the form.
      await page.goto(`${console_.url}/templates`);
      const row = page.locator(`[data-testid=template-row][data-template-key="${KEY}"]`);
      assert.equal(await row.getByTestId("template-published").textContent(), "v2");
      assert.equal(await row.getByTestId("template-draft").textContent(), "v3");
      await page.locator("#key").fill(KEY);
      await page.locator("#name").fill("Again");
      await page.locator('[name="content.0.EMAIL.subject"]').fill("Hello");
      await page.locator('[name="content.0.EMAIL.text"]').fill("Hello again");
      await page.getByRole("button", { name: "Create template" }).click();
      const taken = page.getByTestId("create-template-form").getByTestId("action-problem");
      await taken.waitFor(WAIT);
      assert.equal(await taken.getAttribute("data-reason"), "TEMPLATE_KEY_TAKEN");
      assert.equal(page.url(), `${console_.url}/templates`);
      assert.equal(await page.locator("#name").inputValue(), "Again", "the form keeps what was typed");
      assert.equal(await stack.db.template.count({ where: { key: KEY } }), 1);
      await screenshot(page, "console-templates");
    });
    await page.close();
  });

  test("live view: queue depth for every queued channel, a sent email's events as they happen, template stats with opens and clicks", async () => {
    const stats = await stack.graphql(key, STATS, { key: KEY });
    assert.equal(stats.errors, undefined, JSON.stringify(stats.errors));
    const before = stats.data!.templateStats as { total: number; opened: number; clicked: number; byStatus: { status: string; count: number }[] };
    const deliveredBefore = before.byStatus.find((b) => b.status === "DELIVERED")?.count ?? 0;

    const page = await context.newPage();
    await withDiagnostics(page, console_, "console-live", async () => {
      await page.goto(`${console_.url}/live`);
      await page.locator("[data-testid=stream-state][data-state=live]").waitFor(WAIT);
      await page.getByTestId("queue-row").first().waitFor(WAIT);
      assert.deepEqual((await page.getByTestId("queue-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-channel")))).sort(), [
        "ANDROID_PUSH",
        "EMAIL",
        "IOS_PUSH",
        "SMS",
        "WEB_PUSH",
      ]);
      const statsRow = page.locator(`[data-testid=stats-row][data-template-key="${KEY}"]`);
      await statsRow.getByTestId("stats-total").filter({ hasText: new RegExp(`^${before.total}$`) }).waitFor(WAIT);

      // The stream was live before the send, so every event of this notification comes through.
      const id = await sendTemplate({ name: "Ada", order: 44 });
      const events = page.locator(`[data-testid=live-event][data-notification-id="${id}"]`);
      await events.and(page.locator("[data-type=DELIVERED]")).waitFor(WAIT);
      // Newest first on screen; in order of occurrence ACCEPTED, then SENT, then DELIVERED.
      const types = (await events.evaluateAll((rows) => rows.map((r) => r.getAttribute("data-type")!))).reverse();
      const order = ["ACCEPTED", "SENT", "DELIVERED"].map((t) => types.indexOf(t));
      assert.ok(order.every((i, n) => i >= 0 && (n === 0 || i > order[n - 1]!)), `ACCEPTED → SENT → DELIVERED in ${types.join(", ")}`);
      assert.deepEqual(new Set(await events.getByTestId("live-event-channel").allTextContents()), new Set(["EMAIL"]));

      // Stats catch up by themselves: one more, delivered.
      await statsRow.getByTestId("stats-total").filter({ hasText: new RegExp(`^${before.total + 1}$`) }).waitFor(WAIT);
      await statsRow.locator(`[data-testid=stats-status][data-status=DELIVERED][data-count="${deliveredBefore + 1}"]`).waitFor(WAIT);

      // The reader opens the email and clicks its link (the Postmark simulator posts both webhooks).
      const attempt = await stack.db.deliveryAttempt.findFirstOrThrow({ where: { notificationId: id } });
      for (const body of [{ recordType: "Open" }, { recordType: "Click", link: "https://example.com/orders/44" }]) {
        const res = await stack.sandboxControl(`/postmark/webhooks`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ messageId: attempt.providerMessageId, ...body }),
        });
        assert.equal(res.status, 200, await res.text());
      }
      await events.and(page.locator("[data-type=OPENED]")).waitFor(WAIT);
      await events.and(page.locator("[data-type=CLICKED]")).waitFor(WAIT);
      await statsRow.getByTestId("stats-opened").filter({ hasText: new RegExp(`^${before.opened + 1}$`) }).waitFor(WAIT);
      await statsRow.getByTestId("stats-clicked").filter({ hasText: new RegExp(`^${before.clicked + 1}$`) }).waitFor(WAIT);
      await screenshot(page, "console-live");
      // The console relayed all of it without the browser ever holding a secret: it has no key pair at all.
      assert.ok(!(await page.content()).includes(key.appSecret), "the page does not contain the appSecret");

      // A filter for another recipient shows none of them.
      await page.getByLabel("Filter by recipient externalId").fill("someone-else");
      await page.getByRole("button", { name: "Filter" }).click();
      await page.locator("[data-testid=stream-state][data-state=live]").waitFor(WAIT);
      assert.equal(await page.getByTestId("live-event").count(), 0);
      await page.getByTestId("no-events").waitFor();
    });
    await page.close();
  });

  test("a console whose identity the API refuses says so on /templates and /live instead of showing empty data", async () => {
    // Signed with another secret than the API's: the session is good, the API refuses the identity.
    const refused = await startConsole(stack, { env: { CONSOLE_IDENTITY_SECRET: "a-different-secret-of-at-least-32-characters" } });
    const page = await context.newPage();
    try {
      await withDiagnostics(page, refused, "console-refused", async () => {
        await page.goto(`${refused.url}/templates`);
        const problem = page.getByTestId("api-problem");
        await problem.waitFor(WAIT);
        assert.match((await problem.textContent())!, /UNAUTHENTICATED/);
        assert.equal(await page.getByTestId("template-row").count(), 0);

        await page.goto(`${refused.url}/live`);
        // graphql-ws refuses the connection (4403), which the relay passes on as a problem event.
        await page.locator("[data-testid=stream-state][data-state=problem]").waitFor(WAIT);
        assert.match((await page.getByTestId("stream-problem").textContent())!, /4403/);
        await page.getByTestId("queue-depth").getByTestId("freshness").filter({ hasText: /UNAUTHENTICATED/ }).waitFor(WAIT);
        assert.equal(await page.getByTestId("queue-row").count(), 0);
        await screenshot(page, "console-live-refused");
      });
    } finally {
      await page.close();
      await refused.stop();
    }
  });
});
