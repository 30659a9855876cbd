"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { ApiRequestError, ApiUnreachableError, callApi } from "../../lib/api";
import { ConsoleConfigError } from "../../lib/env";
import { NoAppError, SignedOutError } from "../../lib/viewer";
import { contentFromForm, variablesFromForm, type ActionProblem, type ActionState } from "../../lib/template-form";
import { CREATE_TEMPLATE, PREVIEW, PUBLISH, RESTORE, UPDATE_DRAFT, type TemplatePreview } from "../../lib/templates";
import { sendTestToMe } from "../../lib/test-send";

/** Thrown for input the console itself can tell is wrong before calling the API. */
class FormError extends Error {}

/**
 * The failures a form can explain next to itself: the API's typed errors (with their reason and
 * field), the API being down, bad JSON typed into the form. Anything else is a console bug.
 */
function problemOf(err: unknown): ActionProblem {
  if (err instanceof ApiRequestError) {
    const { reason, field } = err.extensions as { reason?: string; field?: string };
    return { message: err.message, code: err.code, reason, field };
  }
  if (err instanceof ApiUnreachableError || err instanceof ConsoleConfigError || err instanceof FormError) return { message: err.message };
  // The session ended (expired, signed out elsewhere) while the page was open.
  if (err instanceof SignedOutError || err instanceof NoAppError) return { message: `${err.message}: reload the page`, code: "UNAUTHENTICATED" };
  throw err;
}

function text(form: FormData, name: string): string {
  const v = form.get(name);
  return typeof v === "string" ? v.trim() : "";
}

function parsed<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw new FormError(err instanceof SyntaxError ? `Push data is not valid JSON: ${err.message}` : (err as Error).message);
  }
}

export async function createTemplateAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const key = text(form, "key");
  try {
    const content = parsed(() => contentFromForm(form));
    await callApi(CREATE_TEMPLATE, {
      input: {
        key,
        name: text(form, "name"),
        category: text(form, "category"),
        // The first locale row is the one the form presents as the default.
        defaultLocale: (content[0]?.locale as string | undefined) ?? "en",
        content: content as never,
        variables: variablesFromForm(form) as never,
      },
    });
  } catch (err) {
    return { problem: problemOf(err) };
  }
  revalidatePath("/templates");
  redirect(`/templates/${encodeURIComponent(key)}`);
}

export async function saveDraftAction(key: string, _prev: ActionState, form: FormData): Promise<ActionState> {
  let version: number;
  try {
    const content = parsed(() => contentFromForm(form));
    ({
      updateTemplateDraft: { version },
    } = await callApi(UPDATE_DRAFT, { key, content: content as never, variables: variablesFromForm(form) as never }));
  } catch (err) {
    return { problem: problemOf(err) };
  }
  revalidatePath(`/templates/${encodeURIComponent(key)}`);
  return { done: `Saved draft v${version}`, version };
}

export async function publishAction(key: string, version: number, _prev: ActionState): Promise<ActionState> {
  try {
    await callApi(PUBLISH, { key, version });
  } catch (err) {
    return { problem: problemOf(err) };
  }
  revalidatePath(`/templates/${encodeURIComponent(key)}`);
  return { done: `Published v${version}` };
}

export async function restoreAction(key: string, version: number, _prev: ActionState): Promise<ActionState> {
  let draft: number;
  try {
    ({
      restoreTemplateVersion: { version: draft },
    } = await callApi(RESTORE, { key, version }));
  } catch (err) {
    return { problem: problemOf(err) };
  }
  revalidatePath(`/templates/${encodeURIComponent(key)}`);
  return { done: `Restored v${version} as draft v${draft}` };
}

function sampleDataOf(form: FormData): Record<string, unknown> | null {
  const raw = text(form, "data");
  if (!raw) return null;
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (err) {
    throw new FormError(`Sample data is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw new FormError("Sample data must be a JSON object");
  return data as Record<string, unknown>;
}

/** Sends the chosen version (draft included), rendered with the sample data, to the signed-in user's own email. */
export async function testSendAction(key: string, _prev: ActionState, form: FormData): Promise<ActionState> {
  try {
    const version = text(form, "version") ? Number(text(form, "version")) : null;
    const sent = await sendTestToMe(key, version, text(form, "locale") || null, sampleDataOf(form));
    return { done: `Sent ${version === null ? "the newest version" : `v${version}`} to ${sent.email}` };
  } catch (err) {
    return { problem: problemOf(err) };
  }
}

export async function previewAction(key: string, _prev: ActionState<TemplatePreview>, form: FormData): Promise<ActionState<TemplatePreview>> {
  try {
    const raw = text(form, "data");
    let data: Record<string, unknown> | null = null;
    if (raw) {
      try {
        data = JSON.parse(raw) as Record<string, unknown>;
      } catch (err) {
        throw new FormError(`Sample data is not valid JSON: ${(err as Error).message}`);
      }
      if (typeof data !== "object" || data === null || Array.isArray(data)) throw new FormError("Sample data must be a JSON object");
    }
    const version = text(form, "version");
    const { previewTemplate } = await callApi(PREVIEW, {
      key,
      version: version ? Number(version) : null,
      channel: text(form, "channel") as never,
      locale: text(form, "locale") || null,
      data,
    });
    return { result: previewTemplate };
  } catch (err) {
    return { problem: problemOf(err) };
  }
}
