import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createConsoleUser, launchChromium, screenshot, signIn, startConsole, withDiagnostics, type RunningConsole } from "./harness/console.js";
import { startOidcProvider, type LocalOidcProvider } from "./harness/oidc.js";
import { freePort } from "./harness/processes.js";
import { Stack, type KeyPair } from "./harness/stack.js";

const CREATE = `mutation ($input: CreateTemplateInput!) { createTemplate(input: $input) { key versions { version state } } }`;
const WAIT = { timeout: 15_000 };
const ADMIN = { email: "ada@example.com", password: "correct horse battery staple" };

/** A raw HTTP request, so Host and Origin are exactly what an attacker would send. */
function raw(url: string, { method = "GET", headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    if (body) req.write(body);
    req.end();
  });
}

async function cookieHeader(context: BrowserContext): Promise<string> {
  return (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
}

describe("console sign-in in a real browser: sessions, throttling, SSO, Host/Origin checks", () => {
  let stack: Stack;
  let key: KeyPair;
  let other: KeyPair;
  let console_: RunningConsole;
  let oidc: LocalOidcProvider;
  let browser: Browser;
  let adminId: string;

  before(async () => {
    const launching = launchChromium();
    stack = await Stack.start({ workers: 0 });
    key = stack.createKeyPair("Shop");
    other = stack.createKeyPair("Billing");
    // The identity provider must know the console's redirect URI, so the console's port comes first.
    const port = await freePort();
    oidc = await startOidcProvider({ redirectUri: `http://127.0.0.1:${port}/api/auth/callback/corp`, unverified: ["unverified@corp.example"] });
    console_ = await startConsole(stack, {
      port,
      env: { CONSOLE_OIDC_ISSUER: oidc.issuer, CONSOLE_OIDC_CLIENT_ID: oidc.clientId, CONSOLE_OIDC_CLIENT_SECRET: oidc.clientSecret, CONSOLE_OIDC_ID: "corp", CONSOLE_OIDC_NAME: "Corp SSO" },
    });
    adminId = await createConsoleUser(stack.db, { ...ADMIN, apps: { [key.appId]: "ADMIN", [other.appId]: "VIEWER" } });
    browser = await launching;
  });
  after(async () => {
    await browser?.close();
    await console_?.stop();
    await oidc?.close();
    await stack?.stop();
  });

  async function fresh(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    return { context, page: await context.newPage() };
  }

  test("signed out, every page leads to the sign-in page, with security headers", async () => {
    const { context, page } = await fresh();
    await withDiagnostics(page, console_, "signed-out", async () => {
      for (const path of ["/", "/recipients/anyone", "/templates", "/live", "/webpush", "/dead-letters"]) {
        await page.goto(`${console_.url}${path}`);
        assert.equal(new URL(page.url()).pathname, "/sign-in", `${path} redirects`);
      }
      await page.getByTestId("sign-in").waitFor();
      assert.equal(await page.getByRole("button", { name: "Sign in with Corp SSO" }).count(), 1);
      await screenshot(page, "console-sign-in");

      const res = await raw(`${console_.url}/sign-in`, { headers: { host: new URL(console_.url).host } });
      const csp = String(res.headers["content-security-policy"]);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.match(csp, /script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
      assert.doesNotMatch(csp, /unsafe-inline/);
      assert.equal(res.headers["x-content-type-options"], "nosniff");
      assert.equal(res.headers["referrer-policy"], "same-origin");
      // Next's bootstrap scripts carry the nonce; none runs without it.
      const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
      const scripts = [...res.body.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      assert.ok(scripts.length > 0);
      for (const s of scripts) assert.ok(s.includes(`nonce="${nonce}"`), `script without the nonce: ${s}`);
    });
    await context.close();
  });

  test("password sign-in: pages work as the user, the header switches apps, sign-out ends the session", async () => {
    const { context, page } = await fresh();
    await withDiagnostics(page, console_, "password-sign-in", async () => {
      // Each app has its own template: what /templates lists says which app the API acted in.
      for (const [k, name] of [[key, "shop-welcome"], [other, "billing-invoice"]] as const) {
        const res = await stack.graphql(k, CREATE, { input: { key: name, name, category: "account", defaultLocale: "en", content: [{ locale: "en", sms: { text: "hi" } }] } });
        assert.equal(res.errors, undefined, JSON.stringify(res.errors));
      }
      await page.goto(`${console_.url}/templates`);
      assert.equal(new URL(page.url()).pathname, "/sign-in");
      assert.equal(new URL(page.url()).searchParams.get("next"), "/templates");
      await page.getByLabel("Email").fill(ADMIN.email);
      await page.getByLabel("Password").fill(ADMIN.password);
      await Promise.all([page.waitForURL(`${console_.url}/templates`, WAIT), page.getByTestId("sign-in-submit").click()]);
      assert.equal(await page.getByTestId("signed-in-as").textContent(), ADMIN.email);
      // The first app by name until one is chosen: Billing, where Ada is a viewer.
      assert.equal(await page.getByTestId("current-role").textContent(), "VIEWER");
      await page.getByText("billing-invoice").first().waitFor(WAIT);
      assert.equal(await page.getByText("shop-welcome").count(), 0);

      // The session cookie: HTTP-only, SameSite=Lax, 12 h.
      const session = (await context.cookies()).find((c) => c.name === "notify-console.session_token")!;
      assert.ok(session, "a session cookie");
      assert.equal(session.httpOnly, true);
      assert.equal(session.sameSite, "Lax");
      const hours = (session.expires - Date.now() / 1000) / 3600;
      assert.ok(hours > 11.9 && hours <= 12.01, `expires in ${hours} h`);

      // The switcher lists both apps; choosing Shop makes every page act in it, as ADMIN.
      const switcher = page.getByTestId("app-switcher");
      assert.deepEqual(await switcher.locator("option").allTextContents(), ["Billing", "Shop"]);
      await Promise.all([page.waitForURL(`${console_.url}/`, WAIT), switcher.selectOption({ label: "Shop" })]);
      assert.equal(await page.getByTestId("current-role").textContent(), "ADMIN");
      await screenshot(page, "console-header-app-switcher");
      await page.goto(`${console_.url}/templates`);
      await page.getByText("shop-welcome").first().waitFor(WAIT);
      assert.equal(await page.getByText("billing-invoice").count(), 0);
      assert.equal(await page.locator("nav a[href='/webpush']").count(), 1);

      await Promise.all([page.waitForURL(`${console_.url}/`, WAIT), switcher.selectOption({ label: "Billing" })]);
      assert.equal(await page.getByTestId("current-role").textContent(), "VIEWER");
      // A viewer sees no Web Push demo, and its routes refuse the viewer too.
      assert.equal(await page.locator("nav a[href='/webpush']").count(), 0);
      const demo = await page.evaluate(async () => (await fetch("/api/webpush/config")).status);
      assert.equal(demo, 403);

      // A cookie naming an app the user is not in (here: one that belongs to nobody) is not used:
      // the console falls back to the first of the user's own apps.
      const stranger = stack.createKeyPair("Stranger");
      await context.addCookies([{ name: "notify-console-app", value: stranger.appId, url: console_.url }]);
      await page.goto(`${console_.url}/templates`);
      await page.getByText("billing-invoice").first().waitFor(WAIT);
      assert.equal(await page.getByTestId("api-problem").count(), 0);

      const stolen = await cookieHeader(context);
      await Promise.all([page.waitForURL(`${console_.url}/sign-in`, WAIT), page.getByTestId("sign-out").click()]);
      await page.goto(`${console_.url}/templates`);
      assert.equal(new URL(page.url()).pathname, "/sign-in");
      // The old cookie is dead on the server too, not only deleted in this browser.
      const replay = await raw(`${console_.url}/api/live/queue-depth`, { headers: { host: new URL(console_.url).host, cookie: stolen } });
      assert.equal(replay.status, 401, replay.body);
    });
    await context.close();
    const actions = (await stack.db.auditLog.findMany({ where: { actorId: adminId }, orderBy: { id: "asc" } })).map((r) => r.action);
    assert.ok(actions.includes("auth.sign_in") && actions.includes("auth.sign_out"), actions.join(","));
  });

  test("a user who belongs to no app is told so on every page, and the API routes refuse them", async () => {
    await createConsoleUser(stack.db, { email: "lonely@example.com", password: "no apps for me 123" });
    const context = await browser.newContext();
    await signIn(context, console_, "lonely@example.com", "no apps for me 123");
    const page = await context.newPage();
    await withDiagnostics(page, console_, "no-app", async () => {
      await page.goto(`${console_.url}/templates`);
      await page.getByTestId("no-app").waitFor(WAIT);
      assert.equal(await page.getByTestId("templates").count(), 0);
      assert.equal(await page.getByTestId("app-switcher").count(), 0);
      assert.equal((await raw(`${console_.url}/api/live/queue-depth`, { headers: { host: new URL(console_.url).host, cookie: await cookieHeader(context) } })).status, 403);
    });
    await context.close();
  });

  test("wrong passwords are throttled per account: after 5 failures even the right password is refused", async () => {
    const email = "brute@example.com";
    const password = "the right password 123";
    await createConsoleUser(stack.db, { email, password, apps: { [key.appId]: "SUPPORT" } });
    const { context, page } = await fresh();
    await withDiagnostics(page, console_, "throttle", async () => {
      await page.goto(`${console_.url}/sign-in`);
      await page.getByLabel("Email").fill(email);
      for (let i = 0; i < 5; i++) {
        await page.getByLabel("Password").fill(`guess-${i}-wrong`);
        await page.getByTestId("sign-in-submit").click();
        await page.getByTestId("sign-in-problem").filter({ hasText: "Wrong email or password." }).waitFor(WAIT);
        await page.getByTestId("sign-in-submit").and(page.locator(":enabled")).waitFor(WAIT);
      }
      await page.getByLabel("Password").fill(password);
      await page.getByTestId("sign-in-submit").click();
      await page.getByTestId("sign-in-problem").filter({ hasText: /Too many failed sign-ins/ }).waitFor(WAIT);
      assert.equal(new URL(page.url()).pathname, "/sign-in");
      // From another address (a spoofed X-Forwarded-For) the account stays locked.
      const res = await raw(`${console_.url}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { host: new URL(console_.url).host, origin: console_.url, "content-type": "application/json", "x-forwarded-for": "203.0.113.9" },
        body: JSON.stringify({ email, password }),
      });
      assert.equal(res.status, 429, res.body);
      assert.equal((await context.cookies()).filter((c) => c.name.includes("session_token")).length, 0);
    });
    await context.close();
    assert.equal(await stack.db.auditLog.count({ where: { action: "auth.sign_in_failed", actorLabel: email } }), 5);
    assert.equal(await stack.db.auditLog.count({ where: { action: "auth.sign_in", actorLabel: email } }), 0);
  });

  test("OIDC sign-in round trip: an invited verified email gets in with the invited role; uninvited and unverified ones are refused", async () => {
    await stack.db.invitation.create({ data: { appId: key.appId, email: "grace@corp.example", role: "EDITOR", expiresAt: new Date(Date.now() + 86_400_000) } });
    // An invitation for the unverified address too: without the provider's verification it does not count.
    await stack.db.invitation.create({ data: { appId: key.appId, email: "unverified@corp.example", role: "ADMIN", expiresAt: new Date(Date.now() + 86_400_000) } });

    async function ssoAs(page: Page, login: string): Promise<void> {
      await page.goto(`${console_.url}/sign-in`);
      await Promise.all([page.waitForURL((u) => u.origin === oidc.issuer, WAIT), page.getByTestId("sso-sign-in").click()]);
      await page.locator("input[name=login]").fill(login);
      await page.locator("input[name=password]").fill("anything");
      await page.getByRole("button", { name: "Sign-in" }).click();
      await page.getByRole("button", { name: "Continue" }).click();
      await page.waitForURL((u) => u.origin === console_.url, WAIT);
      await page.waitForLoadState("load");
    }

    const invited = await fresh();
    await withDiagnostics(invited.page, console_, "oidc-invited", async () => {
      await ssoAs(invited.page, "grace@corp.example");
      assert.equal(new URL(invited.page.url()).pathname, "/");
      assert.equal(await invited.page.getByTestId("signed-in-as").textContent(), "grace@corp.example");
      assert.equal(await invited.page.getByTestId("current-role").textContent(), "EDITOR");
    });
    await invited.context.close();
    const grace = await stack.db.consoleUser.findUniqueOrThrow({ where: { email: "grace@corp.example" }, include: { memberships: true, accounts: true } });
    assert.deepEqual(grace.memberships.map((m) => [m.appId, m.role]), [[key.appId, "EDITOR"]]);
    assert.deepEqual(grace.accounts.map((a) => a.providerId), ["corp"]);
    assert.ok(await stack.db.invitation.findFirst({ where: { email: "grace@corp.example", acceptedAt: { not: null } } }));

    for (const login of ["mallory@corp.example", "unverified@corp.example"]) {
      const refused = await fresh();
      await withDiagnostics(refused.page, console_, `oidc-refused-${login.split("@")[0]}`, async () => {
        await ssoAs(refused.page, login);
        assert.equal(new URL(refused.page.url()).pathname, "/sign-in");
        assert.equal(await refused.page.getByTestId("sign-in-error").getAttribute("data-error"), "not_invited");
        assert.equal((await refused.context.cookies()).filter((c) => c.name.includes("session_token")).length, 0);
      });
      await refused.context.close();
      assert.equal(await stack.db.consoleUser.count({ where: { email: login } }), 0, `no user for ${login}`);
    }

    // An allowed domain lets any verified address of it in, with the domain's role.
    await stack.db.allowedDomain.create({ data: { appId: other.appId, domain: "corp.example", role: "SUPPORT" } });
    const viaDomain = await fresh();
    await withDiagnostics(viaDomain.page, console_, "oidc-domain", async () => {
      await ssoAs(viaDomain.page, "mallory@corp.example");
      assert.equal(await viaDomain.page.getByTestId("current-role").textContent(), "SUPPORT");
    });
    await viaDomain.context.close();
  });

  test("DNS rebinding: a Host of another name is refused, for pages, routes and sign-in", async () => {
    for (const [method, path] of [["GET", "/sign-in"], ["GET", "/api/live/queue-depth"], ["POST", "/api/auth/sign-in/email"]] as const) {
      const res = await raw(`${console_.url}${path}`, {
        method,
        headers: { host: `evil.example:${new URL(console_.url).port}`, origin: `http://evil.example:${new URL(console_.url).port}`, "content-type": "application/json" },
        body: method === "POST" ? JSON.stringify(ADMIN) : undefined,
      });
      assert.equal(res.status, 421, `${method} ${path}: ${res.body}`);
    }
  });

  test("CSRF: a server action replayed from another origin with the victim's cookie is refused; from the console it works", async () => {
    const res = await stack.graphql(key, CREATE, { input: { key: "csrf-target", name: "CSRF", category: "account", defaultLocale: "en", content: [{ locale: "en", sms: { text: "v1" } }] } });
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    const context = await browser.newContext();
    await signIn(context, console_, ADMIN.email, ADMIN.password);
    // Acting in Shop, where Ada is an admin.
    await context.addCookies([{ name: "notify-console-app", value: key.appId, url: console_.url }]);
    const page = await context.newPage();
    let captured: { url: string; headers: Record<string, string>; body: string } | undefined;
    await withDiagnostics(page, console_, "csrf", async () => {
      await page.goto(`${console_.url}/templates/csrf-target`);
      // Capture the real Publish action call (its id is public: it is in the page's scripts)…
      await page.route("**/templates/csrf-target", async (route) => {
        const req = route.request();
        if (req.method() === "POST" && req.headers()["next-action"]) captured = { url: req.url(), headers: req.headers(), body: req.postData() ?? "" };
        await route.abort();
      });
      await page.getByTestId("publish").click();
      await new Promise<void>((resolve) => {
        const t = setInterval(() => captured && (clearInterval(t), resolve()), 50);
      });
    });
    const cookie = await cookieHeader(context);
    await context.close();
    assert.ok(captured, "the publish action was called");
    const { "next-action": action, "content-type": contentType, "next-router-state-tree": tree } = captured!.headers;
    const replay = (origin: string) =>
      raw(captured!.url, {
        method: "POST",
        headers: { host: new URL(console_.url).host, origin, cookie, "next-action": action!, "content-type": contentType!, ...(tree ? { "next-router-state-tree": tree } : {}) },
        body: captured!.body,
      });
    // …and replay it from a page on another site, with the victim's cookie (as a browser would send it, were it not SameSite).
    const attack = await replay("http://evil.example");
    assert.equal(attack.status, 403, attack.body);
    const state = async () => (await stack.db.templateVersion.findMany({ where: { template: { key: "csrf-target", appId: key.appId } } })).map((v) => v.state);
    assert.deepEqual(await state(), ["DRAFT"], "still unpublished");
    // The same request from the console's own origin publishes: the refusal was the Origin alone.
    const own = await replay(console_.url);
    assert.equal(own.status, 200, own.body.slice(0, 500));
    assert.deepEqual(await state(), ["PUBLISHED"]);
  });

  test("the old attack: registering a Web Push device without a session is refused (401), and nothing is written", async () => {
    const devices = await stack.db.device.count();
    const body = JSON.stringify({ externalId: "victim", subscription: { endpoint: "https://fcm.googleapis.com/fcm/send/x", keys: { p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM", auth: "tBHItJI5svbpez7KI4CCXg" } } });
    const headers = { host: new URL(console_.url).host, origin: console_.url, "content-type": "application/json" };
    const none = await raw(`${console_.url}/api/webpush/devices`, { method: "POST", headers, body });
    assert.equal(none.status, 401, none.body);
    // A made-up session cookie gets past the proxy's quick look and is refused by the route itself.
    const forged = await raw(`${console_.url}/api/webpush/devices`, { method: "POST", headers: { ...headers, cookie: "notify-console.session_token=forged.value" }, body });
    assert.equal(forged.status, 401, forged.body);
    // A page with that cookie is checked against Postgres in the root layout and leads to sign-in.
    const page = await raw(`${console_.url}/recipients/victim`, { headers: { host: new URL(console_.url).host, cookie: "notify-console.session_token=forged.value" } });
    assert.equal(page.status, 307);
    assert.match(String(page.headers.location), /\/sign-in/);
    for (const path of ["/api/webpush/config", "/api/live/events", "/api/webpush/sandbox/subscriptions/x/messages"]) {
      assert.equal((await raw(`${console_.url}${path}`, { headers })).status, 401, path);
    }
    assert.equal(await stack.db.device.count(), devices);
  });

  test("in production mode the Web Push demo refuses even an admin, in its route handlers", async () => {
    const production = await startConsole(stack, { env: { NOTIFY_MODE: "production" } });
    try {
      const context = await browser.newContext();
      // Sessions are shared by the consoles of one database (cookies ignore ports).
      await signIn(context, console_, ADMIN.email, ADMIN.password);
      await context.addCookies([{ name: "notify-console-app", value: key.appId, url: production.url }]);
      const cookie = await cookieHeader(context);
      await context.close();
      const headers = { host: new URL(production.url).host, origin: production.url, cookie, "content-type": "application/json" };
      const page = await raw(`${production.url}/`, { headers });
      assert.equal(page.status, 200);
      assert.match(page.body, /data-testid="current-role">ADMIN/);
      assert.doesNotMatch(page.body, /href="\/webpush"/);
      const devices = await stack.db.device.count();
      const register = await raw(`${production.url}/api/webpush/devices`, {
        method: "POST",
        headers,
        body: JSON.stringify({ externalId: "victim", subscription: { endpoint: "https://fcm.googleapis.com/fcm/send/x", keys: { p256dh: "x", auth: "y" } } }),
      });
      assert.equal(register.status, 403, register.body);
      assert.match(register.body, /only in sandbox mode/);
      assert.equal((await raw(`${production.url}/api/webpush/sandbox/subscriptions/x/messages`, { headers })).status, 403);
      assert.equal(await stack.db.device.count(), devices);
      // The same admin on the sandbox-mode console may use it.
      assert.equal((await raw(`${console_.url}/api/webpush/config`, { headers: { ...headers, host: new URL(console_.url).host, origin: console_.url } })).status, 200);
    } finally {
      await production.stop();
    }
  });
});
