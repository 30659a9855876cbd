"use server";

import { revalidatePath } from "next/cache";
import { ApiRequestError, ApiUnreachableError } from "../../../lib/api";
import { CHANNEL_SCOPES, setPreference, type ChannelScope } from "../../../lib/recipient-lookup";
import { NoAppError, SignedOutError } from "../../../lib/viewer";
import type { ActionState } from "../../../lib/template-form";

export async function setPreferenceAction(externalId: string, _prev: ActionState, form: FormData): Promise<ActionState> {
  const category = String(form.get("category") ?? "").trim() || "*";
  const channel = String(form.get("channel") ?? "") as ChannelScope;
  const enabled = form.get("enabled") === "on";
  if (!CHANNEL_SCOPES.includes(channel)) return { problem: { message: `Unknown channel ${JSON.stringify(channel)}` } };
  try {
    await setPreference(externalId, category, channel, enabled);
  } catch (err) {
    if (err instanceof ApiRequestError) return { problem: { message: err.message, code: err.code } };
    if (err instanceof ApiUnreachableError) return { problem: { message: err.message } };
    if (err instanceof SignedOutError || err instanceof NoAppError) return { problem: { message: `${err.message}: reload the page`, code: "UNAUTHENTICATED" } };
    throw err;
  }
  revalidatePath(`/recipients/${encodeURIComponent(externalId)}`);
  return { done: `${category === "*" ? "Every category" : category} on ${channel === "ALL" ? "every channel" : channel}: ${enabled ? "on" : "off"}` };
}
