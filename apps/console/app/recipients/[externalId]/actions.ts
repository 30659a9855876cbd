"use server";

import { redirect } from "next/navigation";
import { ApiRequestError, ApiUnreachableError, callApi } from "../../../lib/api";
import { ConsoleConfigError } from "../../../lib/env";
import { DELETE_RECIPIENT } from "../../../lib/recipient-lookup";
import type { ActionState } from "../../../lib/template-form";

/**
 * Erases the recipient (deleteRecipient; the API checks the caller may, RECIPIENTS_WRITE). The
 * form must repeat the externalId: a second, deliberate step before something irreversible.
 */
export async function deleteRecipientAction(externalId: string, _prev: ActionState, form: FormData): Promise<ActionState> {
  if (form.get("confirm") !== externalId) return { problem: { message: `Type ${externalId} to confirm the deletion` } };
  let erased: number;
  try {
    ({
      deleteRecipient: { notificationsErased: erased },
    } = await callApi(DELETE_RECIPIENT, { externalId }));
  } catch (err) {
    if (err instanceof ApiRequestError) {
      const { reason, field } = err.extensions as { reason?: string; field?: string };
      return { problem: { message: err.message, code: err.code, reason, field } };
    }
    if (err instanceof ApiUnreachableError || err instanceof ConsoleConfigError) return { problem: { message: err.message } };
    throw err;
  }
  redirect(`/recipients?deleted=${encodeURIComponent(externalId)}&erased=${erased}`);
}
