"use client";

import { useActionState } from "react";
import { ActionProblemNote, DoneNote } from "../../../components/action-problem";
import { submitWithoutReset } from "../../../components/submit-without-reset";
import type { ActionState, StoredContent, VariableRow } from "../../../lib/template-form";
import { ContentFields, VariableFields } from "../template-fields";

interface Props {
  save: (prev: ActionState, form: FormData) => Promise<ActionState>;
  content: StoredContent;
  variables: VariableRow[];
  defaultLocale: string;
  /** Changes whenever the version being edited does (restore, save), so the fields show it afresh. */
  revision: string;
}

export function DraftEditor({ save, content, variables, defaultLocale, revision }: Props) {
  const [state, dispatch, pending] = useActionState(save, {});
  return (
    <form onSubmit={submitWithoutReset(dispatch)} data-testid="draft-editor">
      <div key={revision}>
        <ContentFields content={content} defaultLocale={defaultLocale} />
        <VariableFields variables={variables} />
      </div>
      <div className="actions">
        <button type="submit" disabled={pending} data-testid="save-draft">
          {pending ? "Saving…" : "Save draft"}
        </button>
        <DoneNote done={state.done} />
      </div>
      <ActionProblemNote problem={state.problem} />
    </form>
  );
}
