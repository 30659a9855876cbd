import assert from "node:assert/strict";
import type { DeliveryAttempt, DeliveryEvent, Device, Notification } from "@notify/db";
import type { KeyPair, Stack } from "./stack.js";

/** Shared by the iOS and Android whole-stack suites: the GraphQL calls a backend makes, and waiting for the outcome. */

const UPSERT = `mutation ($input: UpsertRecipientInput!) { upsertRecipient(input: $input) { id } }`;
const REGISTER = `mutation ($input: RegisterDeviceInput!) { registerDevice(input: $input) { id token platform state invalidReason } }`;
const SEND = `mutation ($input: SendNotificationInput!) { sendNotification(input: $input) { notifications { id channel status } } }`;

export const TERMINAL = ["SENT", "DELIVERED", "FAILED", "DEAD", "SKIPPED", "CANCELED"] as const;

export type Settled = Notification & { attempts: DeliveryAttempt[]; events: DeliveryEvent[] };

export class PushClient {
  /** Every notification this suite created, to check that none is left unfinished. */
  readonly created: string[] = [];

  constructor(
    private readonly stack: Stack,
    readonly key: KeyPair,
    private readonly platform: "IOS" | "ANDROID",
    private readonly channel: "IOS_PUSH" | "ANDROID_PUSH",
  ) {}

  /** Creates the recipient and registers its devices through the API, as an app backend would. */
  async recipientWithDevices(externalId: string, tokens: string[]): Promise<Device[]> {
    const upsert = await this.stack.graphql(this.key, UPSERT, { input: { externalId } });
    assert.equal(upsert.errors, undefined, JSON.stringify(upsert.errors));
    const devices: Device[] = [];
    for (const token of tokens) {
      const res = await this.stack.graphql(this.key, REGISTER, { input: { externalId, platform: this.platform, token } });
      assert.equal(res.errors, undefined, JSON.stringify(res.errors));
      assert.equal(res.data!.registerDevice.state, "ACTIVE");
      devices.push(await this.stack.db.device.findUniqueOrThrow({ where: { id: res.data!.registerDevice.id } }));
    }
    return devices;
  }

  sendRaw(externalId: string, content: Record<string, unknown> = { title: "Hello", body: "World" }, data?: Record<string, unknown>) {
    return this.stack.graphql(this.key, SEND, { input: { externalId, channels: [this.channel], content, data } });
  }

  /** Sends through the API and returns the notification id. */
  async send(externalId: string, content?: Record<string, unknown>, data?: Record<string, unknown>): Promise<string> {
    const res = await this.sendRaw(externalId, content, data);
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    const [n] = res.data!.sendNotification.notifications;
    assert.equal(n.channel, this.channel);
    this.created.push(n.id);
    return n.id;
  }

  /** Waits for a terminal status and returns the notification with its attempts (in order) and events. */
  settle(id: string, timeoutMs = 15_000): Promise<Settled> {
    return this.stack.eventually(
      () =>
        this.stack.db.notification.findUniqueOrThrow({
          where: { id },
          include: { attempts: { orderBy: [{ attemptNumber: "asc" }, { startedAt: "asc" }] }, events: { orderBy: { occurredAt: "asc" } } },
        }),
      (n) => (TERMINAL as readonly string[]).includes(n.status),
      timeoutMs,
    );
  }

  /** Every notification created by this suite is in a terminal state, each with its attempts finished. */
  async assertNothingLost(): Promise<void> {
    const rows = await this.stack.db.notification.findMany({ where: { id: { in: this.created } }, include: { attempts: true } });
    assert.equal(rows.length, this.created.length);
    const unfinished = rows.filter((n) => !(TERMINAL as readonly string[]).includes(n.status) || n.attempts.some((a) => a.status === "SENDING"));
    assert.deepEqual(unfinished.map((n) => `${n.id} ${n.status}`), []);
  }
}

/** The sandbox's recorded requests for one notification (the platform puts its id in the push data). */
export function receivedFor<T extends { body: unknown }>(entries: T[], notificationId: string, dataOf: (body: any) => Record<string, unknown> | undefined): T[] {
  return entries.filter((e) => dataOf(e.body)?.notificationId === notificationId);
}
