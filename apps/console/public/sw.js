// The console's service worker: shows what the platform pushes and tells open console pages.
// The platform's payload (apps/workers/src/delivery/messages.ts) is JSON:
//   {title, body, url, data, notificationId}
//
// Two ways in, one handler:
// - `push`: the browser's push service delivered a message (real Web Push; in the browser test,
//   Chrome's own delivery entry point fed with what the sandbox push service decrypted).
// - `message` {type: "sandbox-push"}: in sandbox mode the page stands in for the browser's
//   connection to its push service (see app/webpush/web-push-console.tsx), since the sandbox
//   push service holds the subscription's keys and no browser can receive from it directly.

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  event.waitUntil(deliver(event.data ? event.data.text() : null, "push"));
});

self.addEventListener("message", (event) => {
  const message = event.data;
  if (message && message.type === "sandbox-push") event.waitUntil(deliver(message.payload, "sandbox-relay", message.messageId));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = event.notification.data && event.notification.data.url;
  if (typeof url === "string" && url) event.waitUntil(self.clients.openWindow(url));
});

function parse(text) {
  if (text == null) return {};
  try {
    const value = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? value : { body: String(value) };
  } catch {
    return { body: text };
  }
}

async function deliver(text, via, messageId) {
  const payload = parse(text);
  const title = typeof payload.title === "string" && payload.title ? payload.title : "Notification";
  const body = typeof payload.body === "string" ? payload.body : "";
  let shown = true;
  let error;
  try {
    await self.registration.showNotification(title, { body, data: payload });
  } catch (err) {
    // No notification permission: the page still hears about the push, and says why nothing showed.
    shown = false;
    error = String((err && err.message) || err);
  }
  const pages = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const receivedAt = new Date().toISOString();
  for (const page of pages) page.postMessage({ type: "push-received", via, messageId, title, body, payload, shown, error, receivedAt });
}
