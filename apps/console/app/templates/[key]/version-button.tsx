"use client";

import { useActionState } from "react";
import { ActionProblemNote } from "../../../components/action-problem";
import type { ActionState } from "../../../lib/template-form";

/** Publish or restore one version; a refusal shows beside the button. */
export function VersionButton({ action, label, testId, secondary }: { action: (prev: ActionState) => Promise<ActionState>; label: string; testId: string; secondary?: boolean }) {
  const [state, dispatch, pending] = useActionState(action, {});
  return (
    <form action={dispatch} className="inline">
      <button type="submit" disabled={pending} data-testid={testId} className={secondary ? "secondary" : undefined}>
        {pending ? "…" : label}
      </button>
      <ActionProblemNote problem={state.problem} />
    </form>
  );
}
