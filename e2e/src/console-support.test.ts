import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, BrowserContext } from "playwright-core";
import { createConsoleUser, launchChromium, screenshot, signIn, startConsole, withDiagnostics, type RunningConsole } from "./harness/console.js";
import { ok } from "./harness/gql.js";
import { Stack, type KeyPair } from "./harness/stack.js";

const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { notifications { id } } }`;
const CREATE = `mutation ($input: CreateTemplateInput!) { createTemplate(input: $input) { key } }`;
const WAIT = { timeout: 20_000 };
const PASSWORD = "support staff password";

describe("console pages for support: dead letters with replay, preferences, an editor's test send to oneself; invitations emailed from the Users page and password resets", () => {
  let stack: Stack;
  let key: KeyPair;
  let console_: RunningConsole;
  let browser: Browser;
  const dead: string[] = [];

  before(async () => {
    const launching = launchChromium();
    // Two attempts and fast backoff, so dead letters appear in seconds.
    stack = await Stack.start({ workers: 1, env: { DELIVERY_BACKOFF_BASE_MS: "20", RETRY_MAX_ATTEMPTS: "EMAIL=2" } });
    key = stack.createKeyPair("Shop");
    // The console's own mail-only app, for invitations and password resets.
    console_ = await startConsole(stack, { mailKey: stack.createKeyPair("console mail") });
    for (const [email, role] of [["ada@example.com", "ADMIN"], ["sam@example.com", "SUPPORT"], ["vic@example.com", "VIEWER"], ["eddie@example.com", "EDITOR"]] as const) {
      await createConsoleUser(stack.db, { email, password: PASSWORD, apps: { [key.appId]: role } });
    }
    ok(await stack.graphql(key, `mutation { upsertRecipient(input: { externalId: "bounced", email: "bounced@example.com" }) { id } }`));
    stack.sandbox.faults.add({ provider: "postmark", kind: "server_error", target: "bounced@example.com" });
    for (let i = 0; i < 2; i++) {
      dead.push(ok(await stack.graphql(key, SEND, { input: { externalId: "bounced", channels: ["EMAIL"], content: { subject: `s${i}`, body: "b" } } })).sendNotification.notifications[0].id);
    }
    await stack.eventually(() => stack.db.notification.findMany({ where: { id: { in: dead } } }), (rows) => rows.every((r) => r.status === "DEAD"), 30_000);
    browser = await launching;
  });
  after(async () => {
    await browser?.close();
    await console_?.stop();
    await stack?.stop();
  });

  async function as(email: string): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await signIn(context, console_, email, PASSWORD);
    return context;
  }

  test("support lists dead letters, filters them and replays one; a viewer sees them without replay", async () => {
    const viewer = await as("vic@example.com");
    const vpage = await viewer.newPage();
    await withDiagnostics(vpage, console_, "dead-letters-viewer", async () => {
      // The nav hides the page from a viewer; opened directly, it lists without replay buttons.
      assert.equal(await vpage.locator("nav a[href='/dead-letters']").count(), 0);
      await vpage.goto(`${console_.url}/dead-letters`);
      await vpage.getByTestId("dead-letter-row").first().waitFor(WAIT);
      assert.equal(await vpage.getByTestId("replay-one").count(), 0);
      assert.equal(await vpage.getByTestId("replay-matching").count(), 0);
    });
    await viewer.close();

    const support = await as("sam@example.com");
    const page = await support.newPage();
    await withDiagnostics(page, console_, "dead-letters-support", async () => {
      await page.goto(`${console_.url}/`);
      await Promise.all([page.waitForURL(`${console_.url}/dead-letters`, WAIT), page.locator("nav a[href='/dead-letters']").click()]);
      const rows = page.getByTestId("dead-letter-row");
      await rows.first().waitFor(WAIT);
      assert.deepEqual((await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-id")))).sort(), [...dead].sort());
      assert.match((await rows.first().textContent())!, /500/);
      await screenshot(page, "console-dead-letters");

      // A filter that matches nothing says so.
      await page.getByLabel("Recipient externalId").fill("nobody");
      await page.getByRole("button", { name: "Filter" }).click();
      await page.getByTestId("no-dead-letters").waitFor(WAIT);
      await page.goto(`${console_.url}/dead-letters`);

      stack.sandbox.faults.clear();
      const target = page.locator(`[data-testid=dead-letter-row][data-id="${dead[0]}"]`);
      await target.getByTestId("replay-one").click();
      await page.locator(`[data-testid=dead-letter-row][data-id="${dead[0]}"]`).waitFor({ state: "detached", ...WAIT });
    });
    await support.close();
    const replayed = await stack.eventually(() => stack.db.notification.findUniqueOrThrow({ where: { id: dead[0] } }), (n) => n.status === "SENT" || n.status === "DELIVERED", 30_000);
    assert.ok(replayed.replayedAt);
    assert.equal((await stack.db.notification.findUniqueOrThrow({ where: { id: dead[1] } })).status, "DEAD");
  });

  test("support edits a recipient's preferences on the recipient page; a viewer sees them read-only", async () => {
    const support = await as("sam@example.com");
    const page = await support.newPage();
    await withDiagnostics(page, console_, "preferences-support", async () => {
      await page.goto(`${console_.url}/recipients/bounced`);
      await page.getByTestId("no-preferences").waitFor(WAIT);
      const form = page.getByTestId("set-preference");
      await form.getByLabel("Channel").selectOption("SMS");
      await form.getByLabel("receive").uncheck();
      await form.getByTestId("save-preference").click();
      await page.locator("[data-testid=preference-row][data-channel=SMS][data-enabled=false]").waitFor(WAIT);
    });
    await support.close();
    const rule = await stack.db.preference.findFirstOrThrow({ where: { recipient: { externalId: "bounced", appId: key.appId } } });
    assert.equal(rule.enabled, false);

    const viewer = await as("vic@example.com");
    const vpage = await viewer.newPage();
    await withDiagnostics(vpage, console_, "preferences-viewer", async () => {
      await vpage.goto(`${console_.url}/recipients/bounced`);
      await vpage.locator("[data-testid=preference-row][data-channel=SMS]").waitFor(WAIT);
      assert.equal(await vpage.getByTestId("set-preference").count(), 0);
    });
    await viewer.close();
  });

  test("an editor sends a draft to their own email from the template editor; support has no such button", async () => {
    ok(
      await stack.graphql(key, CREATE, {
        input: { key: "welcome", name: "Welcome", category: "account", defaultLocale: "en", content: [{ locale: "en", email: { subject: "Welcome, {{ name }}", text: "Hi {{ name }}!" } }], variables: [{ name: "name", type: "STRING", required: true }] },
      }),
    );
    const editor = await as("eddie@example.com");
    const page = await editor.newPage();
    await withDiagnostics(page, console_, "test-send", async () => {
      await page.goto(`${console_.url}/templates/welcome`);
      await page.getByTestId("test-send").click();
      await page.getByTestId("action-done").filter({ hasText: "Sent v1 to eddie@example.com" }).waitFor(WAIT);
    });
    await editor.close();
    // An editor has TEST_SEND but not SEND: the console calls sendTestToMe, which sends only to
    // the signed-in user's own address. The draft, rendered with the page's sample data, reached
    // the Postmark simulator.
    const mail = await stack.eventually(
      async () => stack.sandbox.recorder.list({ provider: "postmark", accepted: true }).find((r) => (r.body as { To?: string }).To === "eddie@example.com"),
      (m) => m !== undefined,
      30_000,
    );
    const { Subject, TextBody } = mail!.body as { Subject: string; TextBody: string };
    assert.equal(Subject, "Welcome, Ada");
    assert.equal(TextBody, "Hi Ada!");
    const sent = await stack.db.notification.findFirstOrThrow({ where: { appId: key.appId, recipient: { externalId: "console:eddie@example.com" } }, include: { recipient: true } });
    assert.equal(sent.recipient.email, "eddie@example.com");
    assert.equal(sent.templateVersionId, null, "sent as inline content: not counted in the template's stats");
    const audit = await stack.db.auditLog.findFirstOrThrow({ where: { appId: key.appId, action: "test_send" } });
    assert.equal(audit.actorType, "user");
    assert.equal(audit.actorLabel, "eddie@example.com");
    assert.equal(audit.targetId, "welcome");
    assert.deepEqual(audit.summary, { version: 1, locale: "en", to: "eddie@example.com" });

    const support = await as("sam@example.com");
    const spage = await support.newPage();
    await withDiagnostics(spage, console_, "test-send-support", async () => {
      await spage.goto(`${console_.url}/templates/welcome`);
      await spage.getByTestId("preview").waitFor(WAIT);
      assert.equal(await spage.getByTestId("test-send").count(), 0);
      assert.equal(await spage.getByTestId("publish").count(), 0, "support cannot publish");
    });
    await support.close();
  });

  test("an admin invites on the Users page, the email brings the link, the invited person accepts with a password; a forgotten password is reset through the emailed link", async () => {
    const admin = await as("ada@example.com");
    const apage = await admin.newPage();
    await withDiagnostics(apage, console_, "invite-send", async () => {
      await apage.goto(`${console_.url}/users`);
      const invite = apage.getByTestId("invite-form");
      await invite.getByLabel("Email").fill("newbie@example.com");
      await invite.getByLabel("Role").selectOption("SUPPORT");
      await invite.getByRole("button", { name: "Invite" }).click();
      await invite.getByTestId("action-done").filter({ hasText: "Invited newbie@example.com as SUPPORT; the invitation email is on its way" }).waitFor(WAIT);
      assert.equal(await invite.getByTestId("action-problem").count(), 0);
      await apage.locator(`[data-testid=invitation-row][data-email="newbie@example.com"]`).waitFor(WAIT);
    });
    await admin.close();
    const invitation = await stack.db.invitation.findFirstOrThrow({ where: { appId: key.appId, email: "newbie@example.com" } });
    // The email went out through the platform's own email channel (the sandbox's Postmark received it).
    const invited = await stack.eventually(
      async () => stack.sandbox.recorder.list({ provider: "postmark", accepted: true }).find((r) => (r.body as { To?: string }).To === "newbie@example.com"),
      (m) => m !== undefined,
      30_000,
    );
    const { Subject, TextBody } = invited!.body as { Subject: string; TextBody: string };
    assert.equal(Subject, "You are invited to Shop on the Notify console");
    const link = /(http:\/\/\S+\/invite\/\S+)/.exec(TextBody)![1]!;
    assert.equal(link, `${console_.url}/invite/${invitation.id}`);

    const context = await browser.newContext();
    const page = await context.newPage();
    await withDiagnostics(page, console_, "invitation", async () => {
      await page.goto(link);
      await page.getByTestId("invitation").waitFor(WAIT);
      await page.getByLabel(/Choose a password/).fill("first password 1");
      await Promise.all([page.waitForURL(`${console_.url}/`, WAIT), page.getByRole("button", { name: "Accept and sign in" }).click()]);
      assert.equal(await page.getByTestId("signed-in-as").textContent(), "newbie@example.com");
      assert.equal(await page.getByTestId("current-role").textContent(), "SUPPORT");
      // Used once: the link now says so.
      await page.goto(`${console_.url}/invite/${invitation.id}`);
      await page.getByTestId("invitation-invalid").waitFor(WAIT);
    });
    await context.close();

    const signedOut = await browser.newContext();
    const reset = await signedOut.newPage();
    await withDiagnostics(reset, console_, "password-reset", async () => {
      await reset.goto(`${console_.url}/forgot-password`);
      await reset.getByLabel("Email").fill("newbie@example.com");
      await reset.getByRole("button", { name: "Email me a reset link" }).click();
      await reset.getByTestId("reset-requested").waitFor(WAIT);
      // The email went out through the platform itself (the sandbox's Postmark received it).
      const mail = await stack.eventually(
        async () => stack.sandbox.recorder.list({ provider: "postmark", accepted: true }).find((r) => (r.body as { To?: string; TextBody?: string }).To === "newbie@example.com" && /reset-password/.test((r.body as { TextBody?: string }).TextBody ?? "")),
        (m) => m !== undefined,
        30_000,
      );
      const link = /(http:\/\/\S+reset-password\S+)/.exec((mail!.body as { TextBody: string }).TextBody)![1]!;
      assert.ok(link.startsWith(console_.url), link);
      await reset.goto(link);
      await reset.getByLabel(/New password/).fill("second password 2");
      await Promise.all([reset.waitForURL(`${console_.url}/sign-in`, WAIT), reset.getByRole("button", { name: "Set password" }).click()]);
    });
    await signedOut.close();
    await signIn(await browser.newContext(), console_, "newbie@example.com", "second password 2");
    const old = await fetch(`${console_.url}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { origin: console_.url, "content-type": "application/json" },
      body: JSON.stringify({ email: "newbie@example.com", password: "first password 1" }),
    });
    assert.equal(old.status, 401);
  });
});
