import type { Db, Device } from "@notify/db";
import type { RecipientService } from "../recipients/recipient.service.js";
import { assertValidDeviceToken } from "./device-token.js";
import type { RegisterDeviceInput } from "./device.input.js";

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

  list(recipientId: string): Promise<Device[]> {
    return this.db.device.findMany({ where: { recipientId }, orderBy: { createdAt: "asc" } });
  }
}
