import type { Channel, Db, Recipient } from "@notify/db";
import { ApiError, InputError } from "../errors.js";
import { assertReachable } from "./reachability.js";

/** Every channel, in the order a send without `channels` lists them. */
const EVERY_CHANNEL: readonly Channel[] = ["EMAIL", "SMS", "IOS_PUSH", "ANDROID_PUSH", "WEB_PUSH", "IN_APP"];

/**
 * The channels a send that names none goes to: every channel the recipient can receive, i.e.
 * one with a live contact point (the same rule an explicit channel is checked against) for which
 * the send has content (`covers`). IN_APP is delivered by being stored and cannot wait for a
 * scheduled time, so a scheduled send leaves it out rather than failing. Opted-out channels
 * stay in: acceptance records them as SKIPPED with the reason, so nothing vanishes silently.
 */
export async function receivableChannels(
  db: Db,
  recipient: Recipient,
  covers: (channel: Channel) => boolean,
  { scheduled }: { scheduled: boolean },
): Promise<Channel[]> {
  const channels: Channel[] = [];
  for (const channel of EVERY_CHANNEL) {
    if (scheduled && channel === "IN_APP") continue;
    if (!covers(channel) || !(await reachable(db, recipient, channel))) continue;
    channels.push(channel);
  }
  if (channels.length === 0)
    throw new InputError(
      "NO_RECEIVABLE_CHANNEL",
      `Recipient ${JSON.stringify(recipient.externalId)} has no channel this content can go to (no live contact point with content for it); name channels to see why`,
      "channels",
    );
  return channels;
}

async function reachable(db: Db, recipient: Recipient, channel: Channel): Promise<boolean> {
  try {
    await assertReachable(db, recipient, channel);
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.extensions.code === "BAD_USER_INPUT") return false;
    throw err;
  }
}
