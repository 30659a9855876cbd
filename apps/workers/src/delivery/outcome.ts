import type { Db, Device } from "@notify/db";
import { DeadTargetError, ProviderError, RetryableProviderError } from "../providers/errors.js";
import type { Target } from "./targets.js";

/** Stops using an address/token a provider declared dead, and records why. */
export async function deactivateTarget(db: Db, recipientId: string, channel: string, target: Target, err: DeadTargetError): Promise<void> {
  const reason = `${err.code}: ${err.message}`.slice(0, 500);
  const now = new Date();
  if (target.device) {
    await db.device.update({ where: { id: (target.device as Device).id }, data: { state: "INVALID", invalidAt: now, invalidReason: reason } });
  } else if (channel === "EMAIL") {
    await db.recipient.updateMany({ where: { id: recipientId, email: target.address }, data: { emailInvalidAt: now, emailInvalidReason: reason } });
  } else if (channel === "SMS") {
    await db.recipient.updateMany({ where: { id: recipientId, phone: target.address }, data: { phoneInvalidAt: now, phoneInvalidReason: reason } });
  }
}

export type TargetOutcome =
  | { target: Target; attemptId: string; ok: true; providerMessageId: string; detail?: Record<string, unknown> }
  | { target: Target; attemptId: string; ok: false; error: ProviderError };

/** Turns anything an adapter threw into a ProviderError; unknown failures are retried. */
export function asProviderError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new RetryableProviderError(`unexpected: ${message}`, "internal");
}
