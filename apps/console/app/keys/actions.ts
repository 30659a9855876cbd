"use server";

import { revalidatePath } from "next/cache";
import { callApi } from "../../lib/api";
import { CREATE_API_KEY, REVOKE_API_KEY, ROTATE_API_KEY, SCOPES, type ScopeName } from "../../lib/access";
import { problemOf } from "../../lib/action-problem";
import type { ActionState } from "../../lib/template-form";

/** A secret the page shows once: it lives only in this action's answer, never in a page render. */
export interface NewSecret {
  appKey: string;
  appSecret: string;
  note?: string;
}

const KNOWN = new Set<string>(SCOPES.map((s) => s.scope));

export async function createKeyAction(_prev: ActionState<NewSecret>, form: FormData): Promise<ActionState<NewSecret>> {
  const scopes = form.getAll("scopes").filter((s): s is ScopeName => typeof s === "string" && KNOWN.has(s));
  if (!scopes.length) return { problem: { message: "Pick at least one scope", field: "scopes" } };
  const label = String(form.get("label") ?? "").trim() || null;
  try {
    const { createApiKey } = await callApi(CREATE_API_KEY, { input: { label, scopes } });
    revalidatePath("/keys");
    return { result: { appKey: createApiKey.key.appKey, appSecret: createApiKey.appSecret } };
  } catch (err) {
    return { problem: problemOf(err) };
  }
}

export async function revokeKeyAction(id: string, _prev: ActionState): Promise<ActionState> {
  try {
    const { revokeApiKey } = await callApi(REVOKE_API_KEY, { id });
    revalidatePath("/keys");
    return { done: `Revoked ${revokeApiKey.appKey}` };
  } catch (err) {
    return { problem: problemOf(err) };
  }
}

export async function rotateKeyAction(id: string, _prev: ActionState<NewSecret>, form: FormData): Promise<ActionState<NewSecret>> {
  const overlapSeconds = Number(form.get("overlapSeconds") ?? 3600);
  try {
    const { rotateApiKey } = await callApi(ROTATE_API_KEY, { id, overlapSeconds });
    revalidatePath("/keys");
    const until = rotateApiKey.previous.expiresAt;
    return {
      result: {
        appKey: rotateApiKey.created.key.appKey,
        appSecret: rotateApiKey.created.appSecret,
        note: `${rotateApiKey.previous.appKey} keeps working until ${until ?? "now"}.`,
      },
    };
  } catch (err) {
    return { problem: problemOf(err) };
  }
}
