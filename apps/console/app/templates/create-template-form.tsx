"use client";

import { useActionState } from "react";
import { ActionProblemNote } from "../../components/action-problem";
import { submitWithoutReset } from "../../components/submit-without-reset";
import type { ActionState } from "../../lib/template-form";
import { createTemplateAction } from "./actions";
import { ContentFields, VariableFields } from "./template-fields";

/** A new template: version 1 as a draft (publish it on its page). Success goes to that page. */
export function CreateTemplateForm() {
  const [state, dispatch, pending] = useActionState<ActionState, FormData>(createTemplateAction, {});
  return (
    <form onSubmit={submitWithoutReset(dispatch)} data-testid="create-template-form">
      <div className="row-fields">
        <div className="field">
          <label htmlFor="key">Key</label>
          <input id="key" name="key" type="text" required placeholder="order-shipped" />
        </div>
        <div className="field">
          <label htmlFor="name">Name</label>
          <input id="name" name="name" type="text" required placeholder="Order shipped" />
        </div>
        <div className="field">
          <label htmlFor="category">Category</label>
          <input id="category" name="category" type="text" required defaultValue="account" />
        </div>
      </div>
      <p className="small muted">The first locale is the template&apos;s default, used when a recipient&apos;s locale has no content.</p>
      <ContentFields content={{ en: { EMAIL: {} } }} defaultLocale="en" />
      <VariableFields variables={[]} blank={3} />
      <div className="actions">
        <button type="submit" disabled={pending}>
          {pending ? "Creating…" : "Create template"}
        </button>
      </div>
      <ActionProblemNote problem={state.problem} />
    </form>
  );
}
