import type { Db, Device } from "@notify/db";
import type { EgressPolicy } from "@notify/egress";
import type { RecipientService } from "../recipients/recipient.service.js";
import { assertValidDeviceToken } from "./device-token.js";
import { NotFoundError } from "../errors.js";
import type { RegisterDeviceInput, UnregisterDeviceInput } from "./device.input.js";

export class DeviceService {
  constructor(
    private readonly db: Db,
    private readonly recipients: RecipientService,
    /** Web Push endpoints are addresses the workers will connect to: only push services pass. */
    private readonly webPushEgress: EgressPolicy,
  ) {}

  /**
   * Registering a token again (app reinstall, user switch) moves it to this recipient and
   * reactivates it: within one app, a token belongs to whoever registered it last. Tokens are
   * unique per app only, so another app registering the same token gets its own row and never
   * moves this app's device (a cross-tenant takeover otherwise).
   */
  async register(appId: string, input: RegisterDeviceInput): Promise<Device> {
    assertValidDeviceToken(input, this.webPushEgress);
    const recipient = await this.recipients.get(appId, input.externalId);
    const data = {
      recipientId: recipient.id,
      webPushKeys: input.webPushKeys ? { p256dh: input.webPushKeys.p256dh, auth: input.webPushKeys.auth } : undefined,
      appBundleId: input.appBundleId,
      state: "ACTIVE" as const,
      invalidAt: null,
      invalidReason: null,
      lastSeenAt: new Date(),
    };
    return this.db.device.upsert({
      where: { appId_platform_token: { appId, platform: input.platform, token: input.token } },
      create: { appId, platform: input.platform, token: input.token, ...data },
      update: data,
    });
  }

  /**
   * Marks the recipient's device INVALID (kept, so its delivery attempts stay linked). Only a
   * device of this recipient: a token now registered to someone else is theirs, NOT_FOUND here.
   */
  async unregister(appId: string, input: UnregisterDeviceInput): Promise<Device> {
    const recipient = await this.recipients.get(appId, input.externalId);
    const device = await this.db.device.findUnique({ where: { appId_platform_token: { appId, platform: input.platform, token: input.token } } });
    if (!device || device.recipientId !== recipient.id) throw new NotFoundError("Device", `${input.platform} ${input.token.slice(0, 16)}…`);
    if (device.state === "INVALID") return device;
    return this.db.device.update({ where: { id: device.id }, data: { state: "INVALID", invalidAt: new Date(), invalidReason: "unregistered" } });
  }

  list(recipientId: string): Promise<Device[]> {
    return this.db.device.findMany({ where: { recipientId }, orderBy: { createdAt: "asc" } });
  }
}
