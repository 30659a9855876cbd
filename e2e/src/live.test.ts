import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { Stack, type KeyPair } from "./harness/stack.js";

const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { notifications { id } } }`;
const EVENTS = `subscription ($externalId: String) { deliveryEvents(externalId: $externalId) { type source notificationId channel externalId templateKey } }`;

interface LiveEvent {
  type: string;
  source: string;
  notificationId: string;
  channel: string;
  externalId: string;
  templateKey: string | null;
}

describe("live views: delivery events over graphql-ws, queue depth, template stats", () => {
  let stack: Stack;
  let key: KeyPair;
  const clients: Client[] = [];

  function connect(params: Record<string, string>): Client {
    const client = createClient({ url: `${stack.apiUrl.replace("http", "ws")}/graphql`, webSocketImpl: WebSocket, connectionParams: params, retryAttempts: 0, lazy: true });
    clients.push(client);
    return client;
  }

  /** Collects events from a subscription until `done` says enough. */
  function collect(client: Client, variables: Record<string, unknown>, done: (events: LiveEvent[]) => boolean, timeoutMs = 30_000) {
    const events: LiveEvent[] = [];
    let ready!: () => void;
    const connected = new Promise<void>((r) => (ready = r));
    const finished = new Promise<LiveEvent[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out with ${JSON.stringify(events)}`)), timeoutMs);
      const dispose = client.subscribe<{ deliveryEvents: LiveEvent }>(
        { query: EVENTS, variables },
        {
          next: (msg) => {
            if (msg.errors) return reject(new Error(JSON.stringify(msg.errors)));
            events.push(msg.data!.deliveryEvents);
            if (done(events)) {
              clearTimeout(timer);
              dispose();
              resolve(events);
            }
          },
          error: (err) => {
            clearTimeout(timer);
            // A refused connection arrives as the socket's CloseEvent (with its code), not an Error.
            reject(err);
          },
          complete: () => undefined,
        },
      );
    });
    client.on("connected", () => ready());
    return { connected, finished };
  }

  before(async () => {
    stack = await Stack.start({ workers: 1 });
    key = stack.createKeyPair();
    for (const externalId of ["watched", "other"])
      await stack.graphql(key, `mutation ($id: String!) { upsertRecipient(input: { externalId: $id, email: "x@example.com" }) { id } }`, { id: externalId });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await stack?.stop();
  });

  test("a subscriber sees one recipient's notification go ACCEPTED → SENT → DELIVERED, and nothing of other recipients", async () => {
    const client = connect({ "X-App-Key": key.appKey, "X-App-Secret": key.appSecret });
    const { connected, finished } = collect(client, { externalId: "watched" }, (events) => events.some((e) => e.type === "DELIVERED"));
    await connected;

    const other = await stack.graphql(key, SEND, { input: { externalId: "other", channels: ["EMAIL"], content: { subject: "not for you", body: "b" } } });
    assert.equal(other.errors, undefined);
    const sent = await stack.graphql(key, SEND, { input: { externalId: "watched", channels: ["EMAIL"], content: { subject: "live", body: "b" } } });
    assert.equal(sent.errors, undefined, JSON.stringify(sent.errors));
    const id = sent.data!.sendNotification.notifications[0].id;

    const events = await finished;
    assert.ok(events.every((e) => e.externalId === "watched" && e.notificationId === id), JSON.stringify(events));
    assert.deepEqual(
      events.map((e) => e.type),
      ["ACCEPTED", "SENT", "DELIVERED"],
    );
    assert.equal(events[2]!.source, "postmark");
    assert.equal(events[0]!.channel, "EMAIL");
  });

  test("a socket with a wrong secret is refused and gets no events", async () => {
    const client = connect({ "X-App-Key": key.appKey, "X-App-Secret": "as_wrong" });
    const { finished } = collect(client, {}, () => true, 10_000);
    await assert.rejects(finished, (err: unknown) => {
      // graphql-ws closes with 4403 Forbidden when onConnect refuses.
      const code = (err as { code?: number }).code;
      assert.equal(code, 4403, String(err));
      return true;
    });
  });

  test("queueDepth lists every channel queue; templateStats counts a template's notifications by status", async () => {
    const depth = await stack.graphql(key, `{ queueDepth { channel waiting active delayed failed } }`);
    assert.equal(depth.errors, undefined, JSON.stringify(depth.errors));
    assert.deepEqual(depth.data!.queueDepth.map((q: { channel: string }) => q.channel).sort(), ["ANDROID_PUSH", "EMAIL", "IOS_PUSH", "SMS", "WEB_PUSH"]);

    await stack.graphql(key, `mutation ($input: CreateTemplateInput!) { createTemplate(input: $input) { key } }`, {
      input: { key: "stats", name: "Stats", category: "account", content: [{ locale: "en", email: { subject: "s", text: "t" } }] },
    });
    await stack.graphql(key, `mutation { publishTemplate(key: "stats") { version } }`);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await stack.graphql(key, SEND, { input: { externalId: "other", channels: ["EMAIL"], template: { key: "stats" } } });
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      ids.push(r.data!.sendNotification.notifications[0].id);
    }
    await stack.eventually(
      () => stack.db.notification.count({ where: { id: { in: ids }, status: "DELIVERED" } }),
      (n) => n === 3,
      30_000,
    );
    const stats = await stack.graphql(key, `{ templateStats(key: "stats") { key total byStatus { status count } opened clicked } }`);
    assert.equal(stats.errors, undefined, JSON.stringify(stats.errors));
    assert.deepEqual(stats.data!.templateStats, { key: "stats", total: 3, byStatus: [{ status: "DELIVERED", count: 3 }], opened: 0, clicked: 0 });

    const missing = await stack.graphql(key, `{ templateStats(key: "nope") { total } }`);
    assert.equal(missing.errors?.[0]?.extensions?.code, "NOT_FOUND");
  });
});
