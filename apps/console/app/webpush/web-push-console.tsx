"use client";

import Link from "next/link";
import { useCallback, useEffect, useRef, useState } from "react";
import { formatTime, shorten } from "../../lib/format";
import type {
  ErrorResponse,
  RegisterWebDeviceResponse,
  SandboxMessagesResponse,
  SandboxPushMessage,
  SandboxSubscriptionResponse,
  WebPushConfigResponse,
} from "../../lib/webpush-wire";

/**
 * Where the subscription comes from:
 * - "browser": pushManager.subscribe() at this browser's own push service (Google's for Chrome).
 *   That is the real thing, and needs the platform to run with real VAPID keys and the internet.
 *   Without Google's servers it cannot work: Chromium's subscribe() never settles (no answer in
 *   30 s, seen with Debian's chromium 156 and a normal profile), and private windows (which is
 *   what an automated browser's fresh context is) reject it with "permission denied".
 * - "sandbox": the platform runs in sandbox mode, its workers push to the sandbox push service,
 *   and only subscriptions minted there can receive. The subscription is bound to the API's VAPID
 *   key (webPushPublicKey), as pushManager.subscribe() binds one, so the sandbox refuses pushes
 *   signed with any other key. The sandbox keeps the subscription's private keys and decrypts
 *   each push, so no browser can receive from it directly. This page therefore
 *   plays the part of the browser's connection to its push service: it polls what the sandbox
 *   push service received for the subscription and hands each payload to the service worker,
 *   whose one delivery function also serves real `push` events. The relay can be switched off,
 *   e.g. to drive the worker's `push` event through DevTools instead (the browser test does:
 *   CDP ServiceWorker.deliverPushMessage with the sandbox's decrypted payload, which fires the
 *   very `push` handler a real push service would).
 */
type Mode = "sandbox" | "browser";

interface ActiveSubscription {
  mode: Mode;
  externalId: string;
  endpoint: string;
  deviceId: string;
  /** The sandbox push service's id, in sandbox mode. */
  sandboxId?: string;
}

interface ReceivedPush {
  key: string;
  via: "push" | "sandbox-relay";
  title: string;
  body: string;
  notificationId?: string;
  shown: boolean;
  error?: string;
  receivedAt: string;
}

interface ShownNotification {
  title: string;
  body: string;
  notificationId?: string;
}

const STORAGE_KEY = "notify-console.webpush";
const POLL_MS = 1000;
const SUBSCRIBE_TIMEOUT_MS = 15_000;

async function callRoute<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, { ...init, headers: { "content-type": "application/json", ...init?.headers }, cache: "no-store" });
  const body = (await res.json().catch(() => ({ error: `${path} answered ${res.status}` }))) as T | ErrorResponse;
  if (!res.ok) {
    const problem = body as ErrorResponse;
    throw new Error(problem.code ? `${problem.error} (${problem.code})` : problem.error);
  }
  return body as T;
}

function base64UrlToBytes(value: string): Uint8Array<ArrayBuffer> {
  const base64 = value.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(value.length / 4) * 4, "=");
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(message)), ms))]);
}

function loadStored(): ActiveSubscription | null {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null") as ActiveSubscription | null;
  } catch {
    return null;
  }
}

export function WebPushConsole() {
  const [config, setConfig] = useState<WebPushConfigResponse | null>(null);
  const [configError, setConfigError] = useState<string | null>(null);
  const [mode, setMode] = useState<Mode>("sandbox");
  const [externalId, setExternalId] = useState("");
  const [busy, setBusy] = useState(false);
  const [steps, setSteps] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [active, setActive] = useState<ActiveSubscription | null>(null);
  const [relay, setRelay] = useState(true);
  const [received, setReceived] = useState<ReceivedPush[]>([]);
  const [shown, setShown] = useState<ShownNotification[]>([]);
  const [inbox, setInbox] = useState<SandboxPushMessage[]>([]);
  const relayRef = useRef(relay);
  relayRef.current = relay;

  const refreshShown = useCallback(async () => {
    const registration = await navigator.serviceWorker?.getRegistration("/");
    const list = (await registration?.getNotifications()) ?? [];
    setShown(
      list.map((n) => ({
        title: n.title,
        body: n.body,
        notificationId: (n.data as { notificationId?: string } | null)?.notificationId,
      })),
    );
  }, []);

  useEffect(() => {
    callRoute<WebPushConfigResponse>("/api/webpush/config")
      .then((c) => {
        setConfig(c);
        const stored = loadStored();
        setMode(stored?.mode ?? (c.sandbox ? "sandbox" : "browser"));
        if (stored) {
          setActive(stored);
          setExternalId(stored.externalId);
        }
      })
      .catch((err: Error) => setConfigError(err.message));
  }, []);

  // What the service worker delivered, from either way in (see public/sw.js).
  useEffect(() => {
    const container = navigator.serviceWorker;
    if (!container) return;
    const onMessage = (event: MessageEvent) => {
      const m = event.data as { type?: string; via: ReceivedPush["via"]; messageId?: string; title: string; body: string; payload: { notificationId?: string }; shown: boolean; error?: string; receivedAt: string };
      if (m?.type !== "push-received") return;
      setReceived((list) => [
        { key: `${m.receivedAt}-${list.length}`, via: m.via, title: m.title, body: m.body, notificationId: m.payload?.notificationId, shown: m.shown, error: m.error, receivedAt: m.receivedAt },
        ...list,
      ]);
      void refreshShown();
    };
    container.addEventListener("message", onMessage);
    container.startMessages();
    void refreshShown();
    return () => container.removeEventListener("message", onMessage);
  }, [refreshShown]);

  // Sandbox mode: poll the sandbox push service for this subscription (see the comment on Mode).
  useEffect(() => {
    const sandboxId = active?.mode === "sandbox" ? active.sandboxId : undefined;
    if (!sandboxId) return;
    let after: string | null = null;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    setInbox([]);
    const poll = async () => {
      try {
        const query: string = after ? `?after=${encodeURIComponent(after)}` : "";
        const { messages } = await callRoute<SandboxMessagesResponse>(`/api/webpush/sandbox/subscriptions/${encodeURIComponent(sandboxId)}/messages${query}`);
        if (stopped || messages.length === 0) return;
        after = messages[messages.length - 1]!.id;
        setInbox((list) => [...messages.slice().reverse(), ...list]);
        if (relayRef.current) {
          const worker = (await navigator.serviceWorker.ready).active;
          for (const m of messages) worker?.postMessage({ type: "sandbox-push", messageId: m.id, payload: m.payload });
        }
      } catch (err) {
        if (!stopped) setError(`Polling the sandbox push service: ${(err as Error).message}`);
      } finally {
        if (!stopped) timer = setTimeout(poll, POLL_MS);
      }
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [active]);

  async function subscribe(event: React.FormEvent) {
    event.preventDefault();
    if (!config) return;
    setBusy(true);
    setError(null);
    const log: string[] = [];
    const progress = (line: string) => {
      log.push(line);
      setSteps([...log]);
    };
    try {
      if (!("serviceWorker" in navigator) || !("PushManager" in window)) throw new Error("This browser has no Push API (or the page is not on https or localhost).");
      const permission = await Notification.requestPermission();
      progress(`Notification permission: ${permission}`);
      const registration = await navigator.serviceWorker.register("/sw.js");
      await navigator.serviceWorker.ready;
      progress(`Service worker registered for ${registration.scope}`);

      let subscription: PushSubscriptionJSON;
      let sandboxId: string | undefined;
      if (mode === "browser") {
        const subscribing = registration.pushManager
          .subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlToBytes(config.publicKey) })
          .catch((err: Error) => {
            // The browser's own words (e.g. "AbortError: Registration failed - permission denied"), and what to do about them.
            throw new Error(
              `This browser's push service refused the subscription (${err.name}: ${err.message}). Private windows cannot use Web Push; without the internet, use the sandbox push service.`,
            );
          });
        const pushSubscription = await withTimeout(
          subscribing,
          SUBSCRIBE_TIMEOUT_MS,
          "This browser's push service did not answer; without the internet, use the sandbox push service.",
        );
        subscription = pushSubscription.toJSON();
        progress(`Subscribed at this browser's push service: ${shorten(subscription.endpoint ?? "", 32)}`);
      } else {
        const made = await callRoute<SandboxSubscriptionResponse>("/api/webpush/sandbox/subscriptions", {
          method: "POST",
          body: JSON.stringify({ applicationServerKey: config.publicKey }),
        });
        subscription = made.subscription;
        sandboxId = made.id;
        progress(`Subscribed at the sandbox push service: ${shorten(subscription.endpoint ?? "", 32)}`);
      }

      const id = externalId.trim();
      const { device } = await callRoute<RegisterWebDeviceResponse>("/api/webpush/devices", {
        method: "POST",
        body: JSON.stringify({ externalId: id, subscription }),
      });
      progress(`Registered as WEB device ${device.id} (${device.state}) of ${id}`);
      const next: ActiveSubscription = { mode, externalId: id, endpoint: subscription.endpoint ?? "", deviceId: device.id, sandboxId };
      localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
      setActive(next);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function forget() {
    const registration = await navigator.serviceWorker?.getRegistration("/");
    await (await registration?.pushManager.getSubscription())?.unsubscribe();
    localStorage.removeItem(STORAGE_KEY);
    setActive(null);
    setSteps([]);
    setInbox([]);
  }

  if (configError) {
    return (
      <section className="card error" data-testid="webpush-config-error">
        <h2>Web Push is not available</h2>
        <p>{configError}</p>
      </section>
    );
  }

  return (
    <>
      <section className="card" data-testid="webpush-subscribe">
        <h2>Subscribe this browser</h2>
        <form onSubmit={subscribe}>
          <p className="inline-field">
            <label htmlFor="externalId">Recipient externalId</label>{" "}
            <input
              id="externalId"
              type="text"
              value={externalId}
              onChange={(e) => setExternalId(e.target.value)}
              placeholder="user-42"
              required
              disabled={busy || !config}
            />
          </p>
          <fieldset disabled={busy || !config}>
            <legend>Push service</legend>
            <label className="option">
              <input type="radio" name="mode" value="sandbox" checked={mode === "sandbox"} onChange={() => setMode("sandbox")} disabled={!config?.sandbox} /> Sandbox
              push service{" "}
              <span className="muted small">
                {config?.sandbox ? `(at ${config.sandbox.controlUrl}; for a platform in sandbox mode)` : "(no sandbox is running next to this console)"}
              </span>
            </label>
            <label className="option">
              <input type="radio" name="mode" value="browser" checked={mode === "browser"} onChange={() => setMode("browser")} /> This browser&apos;s
              push service <span className="muted small">(needs the internet and a platform with real VAPID keys)</span>
            </label>
          </fieldset>
          <p>
            <button type="submit" disabled={busy || !config} data-testid="subscribe">
              {busy ? "Subscribing…" : active ? "Subscribe again" : "Subscribe"}
            </button>{" "}
            {config && (
              <span className="muted small">
                VAPID key <code title={config.publicKey}>{shorten(config.publicKey, 12)}</code>
              </span>
            )}
          </p>
        </form>
        {steps.length > 0 && (
          <ol className="small" data-testid="subscribe-steps">
            {steps.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ol>
        )}
        {error && (
          <p className="bad" data-testid="webpush-error">
            {error}
          </p>
        )}
      </section>

      {active && (
        <section className="card" data-testid="webpush-active">
          <h2>Subscribed</h2>
          <table className="kv">
            <tbody>
              <tr>
                <th>Recipient</th>
                <td>
                  <Link href={`/recipients/${encodeURIComponent(active.externalId)}`} data-testid="active-external-id">
                    {active.externalId}
                  </Link>
                </td>
              </tr>
              <tr>
                <th>Device</th>
                <td>
                  <code data-testid="active-device-id">{active.deviceId}</code>
                </td>
              </tr>
              <tr>
                <th>Endpoint</th>
                <td>
                  <code title={active.endpoint} data-testid="active-endpoint">
                    {shorten(active.endpoint, 36)}
                  </code>{" "}
                  <span className="muted small">({active.mode === "sandbox" ? "sandbox push service" : "this browser's push service"})</span>
                </td>
              </tr>
              {active.mode === "sandbox" && (
                <tr>
                  <th>Delivery</th>
                  <td>
                    <label className="option">
                      <input type="checkbox" checked={relay} onChange={(e) => setRelay(e.target.checked)} data-testid="relay" /> Hand what the sandbox push
                      service receives to the service worker
                    </label>
                    <span className="muted small" data-testid="inbox-count">
                      {inbox.length} received by the sandbox push service for this subscription
                    </span>
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          <p>
            <button type="button" className="secondary" onClick={forget}>
              Forget this subscription
            </button>
          </p>
        </section>
      )}

      <div className="cards">
        <section className="card" data-testid="received">
          <h2>Received by the service worker ({received.length})</h2>
          {received.length === 0 ? (
            <p className="muted">Nothing yet. Send this recipient a WEB_PUSH notification.</p>
          ) : (
            <ul className="plain">
              {received.map((r) => (
                <li key={r.key} data-testid="received-push" data-notification-id={r.notificationId} data-via={r.via}>
                  <strong data-testid="received-title">{r.title}</strong> — <span data-testid="received-body">{r.body}</span>
                  <div className="muted small">
                    {formatTime(r.receivedAt)} · via {r.via === "push" ? "push event" : "sandbox relay"}
                    {r.notificationId && (
                      <>
                        {" "}
                        · <code title={r.notificationId}>{shorten(r.notificationId, 8)}</code>
                      </>
                    )}
                    {!r.shown && <span className="bad"> · not shown: {r.error}</span>}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="card" data-testid="shown">
          <h2>Notifications on screen ({shown.length})</h2>
          {shown.length === 0 ? (
            <p className="muted">None showing (registration.getNotifications()).</p>
          ) : (
            <ul className="plain">
              {shown.map((n, i) => (
                <li key={`${n.notificationId ?? ""}-${i}`} data-testid="shown-notification" data-notification-id={n.notificationId}>
                  <strong>{n.title}</strong> — {n.body}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </>
  );
}
