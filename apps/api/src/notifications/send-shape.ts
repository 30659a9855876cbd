import type { Channel } from "@notify/db";
import { InputError } from "../errors.js";
import { assertDataSize } from "./channel-content.js";

interface SendShape {
  channels: Channel[];
  content?: unknown;
  template?: unknown;
  data?: Record<string, unknown>;
}

/**
 * The checks every kind of send (single, bulk, broadcast) makes before touching the database:
 * distinct channels, push data within bounds, and exactly one of content or template.
 */
export function checkSendShape(input: SendShape): Channel[] {
  const channels = [...new Set(input.channels)];
  if (channels.length !== input.channels.length) throw new InputError("DUPLICATE_CHANNEL", "channels lists a channel twice", "channels");
  assertDataSize(input.data);
  if (!input.content && !input.template) throw new InputError("MISSING_CONTENT", "Give content or template", "content");
  if (input.content && input.template) throw new InputError("CONTENT_AND_TEMPLATE", "Give content or template, not both", "template");
  return channels;
}
