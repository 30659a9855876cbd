"use client";

import { useActionState, useState } from "react";
import { ActionProblemNote } from "../../../components/action-problem";
import { submitWithoutReset } from "../../../components/submit-without-reset";
import type { ActionState } from "../../../lib/template-form";
import { deleteRecipientAction } from "./actions";

/**
 * "Delete recipient" (a privacy request): opens a confirmation that names what is erased and asks
 * for the externalId to be typed again; the button stays disabled until it matches.
 */
export function DeleteRecipient({ externalId }: { externalId: string }) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const [state, dispatch, pending] = useActionState<ActionState, FormData>(deleteRecipientAction.bind(null, externalId), {});
  if (!open)
    return (
      <button type="button" className="secondary danger" onClick={() => setOpen(true)} data-testid="delete-recipient">
        Delete recipient…
      </button>
    );
  return (
    <form onSubmit={submitWithoutReset(dispatch)} className="card error" data-testid="delete-recipient-confirm" role="alertdialog" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete {externalId}?</h2>
      <p className="small">
        This erases their email, phone, devices, preferences, quiet hours, topic subscriptions and recurring schedules, and the content of every
        notification sent to them; scheduled ones are canceled. Counts in the stats stay, anonymous. It cannot be undone, and it is recorded in
        the audit log.
      </p>
      <div className="field">
        <label htmlFor="confirm">Type the externalId to confirm</label>
        <input id="confirm" name="confirm" type="text" autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} />
      </div>
      <div className="actions">
        <button type="submit" disabled={pending || typed !== externalId} data-testid="delete-recipient-submit">
          {pending ? "Deleting…" : "Delete permanently"}
        </button>{" "}
        <button type="button" className="secondary" onClick={() => setOpen(false)} disabled={pending}>
          Cancel
        </button>
      </div>
      <ActionProblemNote problem={state.problem} />
    </form>
  );
}
