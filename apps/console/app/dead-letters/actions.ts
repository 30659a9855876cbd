"use server";

import { revalidatePath } from "next/cache";
import { ApiRequestError, ApiUnreachableError } from "../../lib/api";
import { filterFrom, replayDeadLetters } from "../../lib/dead-letters";
import { NoAppError, SignedOutError } from "../../lib/viewer";
import type { ActionState } from "../../lib/template-form";

function problemOf(err: unknown): ActionState["problem"] {
  if (err instanceof ApiRequestError) return { message: err.message, code: err.code };
  if (err instanceof ApiUnreachableError) return { message: err.message };
  if (err instanceof SignedOutError || err instanceof NoAppError) return { message: `${err.message}: reload the page`, code: "UNAUTHENTICATED" };
  throw err;
}

/** The API decides whether this user may replay (DEAD_LETTERS_REPLAY: support and admin). */
export async function replayOneAction(id: string, _prev: ActionState): Promise<ActionState> {
  try {
    await replayDeadLetters({ id });
  } catch (err) {
    return { problem: problemOf(err) };
  }
  revalidatePath("/dead-letters");
  return { done: "Replayed" };
}

export async function replayMatchingAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const filter = filterFrom((name) => {
    const v = form.get(name);
    return typeof v === "string" ? v : undefined;
  });
  try {
    const { replayed, remaining } = await replayDeadLetters({ filter });
    revalidatePath("/dead-letters");
    return { done: remaining > 0 ? `Replayed ${replayed}; ${remaining} more match: replay again` : `Replayed ${replayed}` };
  } catch (err) {
    return { problem: problemOf(err) };
  }
}
