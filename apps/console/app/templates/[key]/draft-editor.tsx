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
  /** The version being edited (a draft, or the newest version a save would copy). */
  version: number;
  /** Changes whenever the version being edited does (restore, save), so the fields show it afresh. */
  revision: string;
}

export function DraftEditor({ save, content, variables, defaultLocale, version, revision }: Props) {
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
        {/* "Saved draft v2" would mislead once a restore puts draft v3 in the editor. */}
        {state.version === version && <DoneNote done={state.done} />}
      </div>
      <ActionProblemNote problem={state.problem} />
    </form>
  );
}
