import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, BrowserContext } from "playwright-core";
import { createConsoleUser, launchChromium, screenshot, signIn, startConsole, withDiagnostics, type RunningConsole } from "./harness/console.js";
import { Stack, type KeyPair } from "./harness/stack.js";

const UPSERT = `mutation ($input: UpsertRecipientInput!) { upsertRecipient(input: $input) { id } }`;
const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { notifications { id status } } }`;

describe("console in a real browser: health, support lookup, Web Push into a service worker", () => {
  let stack: Stack;
  let key: KeyPair;
  let console_: RunningConsole;
  let browser: Browser;
  let context: BrowserContext;

  before(async () => {
    // The console needs the API up; the browser needs neither, so it starts alongside.
    const launching = launchChromium();
    stack = await Stack.start();
    key = stack.createKeyPair();
    console_ = await startConsole(stack);
    browser = await launching;
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // An admin of the test's app, signed in as a person would.
    await createConsoleUser(stack.db, { email: "admin@example.com", password: "correct horse battery", apps: { [key.appId]: "ADMIN" } });
    await signIn(context, console_, "admin@example.com", "correct horse battery");
  });
  after(async () => {
    await browser?.close();
    await console_?.stop();
    await stack?.stop();
  });

  async function send(input: Record<string, unknown>): Promise<string> {
    const res = await stack.graphql(key, SEND, { input });
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    return res.data!.sendNotification.notifications[0].id as string;
  }

  /**
   * Waits for a notification's final status in the sandbox: email goes on to DELIVERED (the
   * Postmark simulator posts its Delivery webhook back), Web Push stops at SENT (a push service
   * reports no delivery).
   */
  function settledRow(id: string, status: "SENT" | "DELIVERED") {
    return stack.eventually(
      () => stack.db.notification.findUniqueOrThrow({ where: { id }, include: { attempts: true } }),
      (n) => n.status === status,
      30_000,
    );
  }

  test("home page shows the API as healthy, with Postgres and Redis", async () => {
    const page = await context.newPage();
    const res = await page.goto(console_.url);
    assert.equal(res?.status(), 200);
    assert.equal(await page.getByTestId("api-status").textContent(), "healthy");
    assert.deepEqual(await page.locator("[data-testid=api-health] td").allTextContents(), ["ok", "ok"]);
    assert.equal(await page.locator("a[href='/recipients']").count(), 2, "nav link and card link");
    await screenshot(page, "console-home");
    await page.close();
  });

  test("support lookup: a recipient's contact points, devices and delivery history; unknown user is not found", async () => {
    const upsert = await stack.graphql(key, UPSERT, { input: { externalId: "support-user", email: "ada@example.com", phone: "+447700900123", timezone: "Europe/London" } });
    assert.equal(upsert.errors, undefined, JSON.stringify(upsert.errors));
    // A provider declared the phone number dead (as a Twilio status callback would).
    await stack.db.recipient.update({ where: { id: upsert.data!.upsertRecipient.id }, data: { phoneInvalidAt: new Date(), phoneInvalidReason: "21614: not a mobile number" } });
    const id = await send({ externalId: "support-user", channels: ["EMAIL"], content: { subject: "Your receipt", body: "Thanks for order #42." }, category: "account" });
    const row = await settledRow(id, "DELIVERED");

    const page = await context.newPage();
    await withDiagnostics(page, console_, "console-recipient", async () => {
      // Through the search box, as support staff would.
      await page.goto(`${console_.url}/recipients`);
      await page.getByRole("searchbox").fill("support-user");
      await Promise.all([page.waitForURL(`${console_.url}/recipients/support-user`), page.getByRole("button", { name: "Look up" }).click()]);

      assert.equal(await page.getByTestId("recipient-external-id").textContent(), "support-user");
      assert.equal(await page.getByTestId("email-state").textContent(), "deliverable");
      assert.equal(await page.getByTestId("phone-state").textContent(), "undeliverable: 21614: not a mobile number");
      assert.equal(await page.getByTestId("device-row").count(), 0);

      const rows = page.getByTestId("notification-row");
      assert.equal(await rows.count(), 1);
      const notification = rows.first();
      assert.equal(await notification.getAttribute("data-notification-id"), id);
      assert.equal(await notification.getByTestId("notification-channel").textContent(), "EMAIL");
      assert.equal(await notification.getByTestId("notification-status").textContent(), "DELIVERED");
      assert.match((await notification.textContent())!, /Your receipt/);
      const attempts = notification.getByTestId("attempt");
      assert.equal(await attempts.count(), 1);
      assert.equal(await attempts.getByTestId("attempt-provider").textContent(), "postmark");
      assert.equal(await attempts.getByTestId("attempt-target").getAttribute("title"), row.attempts[0]!.target);
      assert.equal(await attempts.getByTestId("attempt-status").textContent(), "SUCCEEDED");
      assert.equal(await attempts.getByTestId("attempt-error").count(), 0);
      assert.deepEqual(await notification.getByTestId("event-type").allTextContents(), ["ACCEPTED", "SENT", "DELIVERED"]);
      await screenshot(page, "console-recipient");

      const missing = await page.goto(`${console_.url}/recipients/nobody-here`);
      assert.equal(missing?.status(), 404);
      await page.getByTestId("recipient-not-found").waitFor();
      assert.equal(await page.getByTestId("missing-external-id").textContent(), "nobody-here");
      assert.equal(await page.getByTestId("notification-row").count(), 0);
      await screenshot(page, "console-recipient-not-found");
    });
    await page.close();
  });

  test("Web Push: subscribe on /webpush, send WEB_PUSH through the API, the service worker shows it", async () => {
    const upsert = await stack.graphql(key, UPSERT, { input: { externalId: "web-user" } });
    assert.equal(upsert.errors, undefined, JSON.stringify(upsert.errors));
    await context.grantPermissions(["notifications"], { origin: console_.url });

    const page = await context.newPage();
    await withDiagnostics(page, console_, "console-webpush", async () => {
      await page.goto(`${console_.url}/webpush`);
      await page.locator("input[name=mode][value=sandbox]:checked").waitFor();
      await page.getByLabel("Recipient externalId").fill("web-user");

      // This browser's own push service: pushManager.subscribe() with the API's VAPID key. A fresh
      // automated context is a private window, where Chromium refuses Web Push; the page says so
      // and registers nothing.
      await page.locator("input[name=mode][value=browser]").check();
      await page.getByTestId("subscribe").click();
      await page.getByTestId("webpush-error").filter({ hasText: /refused the subscription|did not answer/ }).waitFor();
      assert.equal(await stack.db.device.count({ where: { recipient: { externalId: "web-user" } } }), 0);
      assert.equal(await page.getByTestId("webpush-active").count(), 0);

      // The sandbox push service, which the platform's workers push to in sandbox mode.
      await page.locator("input[name=mode][value=sandbox]").check();
      await page.getByTestId("subscribe").click();
      await page.getByTestId("webpush-active").waitFor({ timeout: 30_000 });
      assert.equal(await page.getByTestId("webpush-error").count(), 0);

      // The platform has exactly this browser's subscription as the recipient's WEB device.
      const devices = await stack.db.device.findMany({ where: { recipient: { externalId: "web-user" } } });
      assert.equal(devices.length, 1);
      assert.equal(devices[0]!.platform, "WEB");
      assert.equal(devices[0]!.state, "ACTIVE");
      assert.equal(await page.getByTestId("active-device-id").textContent(), devices[0]!.id);
      const endpoint = devices[0]!.token;
      assert.equal(await page.getByTestId("active-endpoint").getAttribute("title"), endpoint);
      assert.ok(endpoint.startsWith(stack.sandbox.urls.webpush), `${endpoint} is at the sandbox push service`);
      const sandboxId = new URL(endpoint).pathname.split("/").pop()!;

      // 1. Through the service worker's real `push` event. The page's relay is off; the test plays
      // Chrome's push-service connection: it takes the payload the sandbox push service decrypted
      // with the subscription's keys and hands it to Chrome's own push delivery (DevTools protocol).
      await page.getByTestId("relay").uncheck();
      const first = await send({ externalId: "web-user", channels: ["WEB_PUSH"], content: { title: "Order shipped", body: "Parcel #42 is on its way", url: "/recipients/web-user" } });
      await settledRow(first, "SENT");
      const [pushed] = await sandboxMessages(sandboxId);
      assert.equal(JSON.parse(pushed!.payload!).notificationId, first);
      await page.getByTestId("inbox-count").filter({ hasText: /^1 / }).waitFor();

      const cdp = await context.newCDPSession(page);
      const registrationId = new Promise<string>((resolve) => {
        cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
          const ours = registrations.find((r) => r.scopeURL === `${console_.url}/` && !r.isDeleted);
          if (ours) resolve(ours.registrationId);
        });
      });
      await cdp.send("ServiceWorker.enable");
      await cdp.send("ServiceWorker.deliverPushMessage", { origin: console_.url, registrationId: await registrationId, data: pushed!.payload! });

      const viaPush = page.locator(`[data-testid=received-push][data-via=push][data-notification-id="${first}"]`);
      await viaPush.waitFor({ timeout: 20_000 });
      assert.equal(await viaPush.getByTestId("received-title").textContent(), "Order shipped");
      assert.equal(await viaPush.getByTestId("received-body").textContent(), "Parcel #42 is on its way");
      await page.locator(`[data-testid=shown-notification][data-notification-id="${first}"]`).waitFor();

      // 2. Through the page's sandbox relay, as a person using the console in sandbox mode gets it.
      await page.getByTestId("relay").check();
      const second = await send({ externalId: "web-user", channels: ["WEB_PUSH"], content: { title: "Delivered", body: "Parcel #42 was delivered" } });
      await settledRow(second, "SENT");
      await page.locator(`[data-testid=received-push][data-via=sandbox-relay][data-notification-id="${second}"]`).waitFor({ timeout: 20_000 });
      await page.locator(`[data-testid=shown-notification][data-notification-id="${second}"]`).waitFor();

      // Each push arrived once, and the service worker's notifications are exactly those two.
      assert.equal(await page.getByTestId("received-push").count(), 2);
      const notifications = await page.evaluate(async () => {
        const registration = await navigator.serviceWorker.getRegistration("/");
        return (await registration!.getNotifications()).map((n) => ({ title: n.title, body: n.body, id: (n.data as { notificationId: string }).notificationId }));
      });
      assert.deepEqual(
        notifications.sort((a, b) => a.title.localeCompare(b.title)),
        [
          { title: "Delivered", body: "Parcel #42 was delivered", id: second },
          { title: "Order shipped", body: "Parcel #42 is on its way", id: first },
        ],
      );
      assert.equal(stack.sandbox.recorder.list({ provider: "webpush", accepted: true }).length, 2);
      await screenshot(page, "console-webpush");

      // The support page shows the subscription as the recipient's device and both pushes.
      await page.goto(`${console_.url}/recipients/web-user`);
      assert.equal(await page.getByTestId("device-row").count(), 1);
      assert.deepEqual(await page.getByTestId("notification-status").allTextContents(), ["SENT", "SENT"]);
      assert.deepEqual(await page.getByTestId("attempt-provider").allTextContents(), ["webpush", "webpush"]);
      await screenshot(page, "console-recipient-webpush");
    });
    await page.close();

    async function sandboxMessages(id: string): Promise<{ id: string; payload: string | null }[]> {
      const res = await stack.sandboxControl(`/webpush/subscriptions/${id}/messages`);
      assert.equal(res.status, 200);
      return (await res.json()) as { id: string; payload: string | null }[];
    }
  });
});
