"use client";

import { useActionState } from "react";
import { ActionProblemNote, DoneNote } from "../../components/action-problem";
import type { ActionState } from "../../lib/template-form";

export function ReplayOne({ action }: { action: (prev: ActionState) => Promise<ActionState> }) {
  const [state, dispatch, pending] = useActionState(action, {});
  return (
    <form action={dispatch} className="inline">
      <button type="submit" className="secondary" disabled={pending || !!state.done} data-testid="replay-one">
        {pending ? "…" : state.done ? "Replayed" : "Replay"}
      </button>
      <ActionProblemNote problem={state.problem} />
    </form>
  );
}

/** Replays everything the current filter matches; the filter travels as hidden fields. */
export function ReplayMatching({ action, filter, count }: { action: (prev: ActionState, form: FormData) => Promise<ActionState>; filter: Record<string, string>; count: number }) {
  const [state, dispatch, pending] = useActionState(action, {});
  return (
    <form action={dispatch} className="inline">
      {Object.entries(filter).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <button type="submit" disabled={pending} data-testid="replay-matching">
        {pending ? "Replaying…" : count >= 50 ? "Replay all matching" : `Replay all ${count}`}
      </button>
      <DoneNote done={state.done} />
      <ActionProblemNote problem={state.problem} />
    </form>
  );
}
