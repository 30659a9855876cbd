import type { Db, Device } from "@notify/db";
import type { RecipientService } from "../recipients/recipient.service.js";
import { assertValidDeviceToken } from "./device-token.js";
import { NotFoundError } from "../errors.js";
import type { RegisterDeviceInput, UnregisterDeviceInput } from "./device.input.js";

export class DeviceService {
  constructor(
    private readonly db: Db,
    private readonly recipients: RecipientService,
  ) {}

  /**
   * Registering a token again (app reinstall, user switch) moves it to this recipient and
   * reactivates it: a token belongs to whoever registered it last.
   */
  async register(appId: string, input: RegisterDeviceInput): Promise<Device> {
    assertValidDeviceToken(input);
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
      where: { platform_token: { platform: input.platform, token: input.token } },
      create: { platform: input.platform, token: input.token, ...data },
      update: data,
    });
  }

  /**
   * Marks the recipient's device INVALID (kept, so its delivery attempts stay linked). Only a
   * device of this recipient: a token now registered to someone else is theirs, NOT_FOUND here.
   */
  async unregister(appId: string, input: UnregisterDeviceInput): Promise<Device> {
    const recipient = await this.recipients.get(appId, input.externalId);
    const device = await this.db.device.findUnique({ where: { platform_token: { platform: input.platform, token: input.token } } });
    if (!device || device.recipientId !== recipient.id) throw new NotFoundError("Device", `${input.platform} ${input.token.slice(0, 16)}…`);
    if (device.state === "INVALID") return device;
    return this.db.device.update({ where: { id: device.id }, data: { state: "INVALID", invalidAt: new Date(), invalidReason: "unregistered" } });
  }

  list(recipientId: string): Promise<Device[]> {
    return this.db.device.findMany({ where: { recipientId }, orderBy: { createdAt: "asc" } });
  }
}
