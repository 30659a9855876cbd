"use client";

import { createContext, useActionState, useContext, useState, useTransition, type FormEvent, type ReactNode } from "react";
import { ActionProblemNote, DoneNote } from "../../components/action-problem";
import type { ActionState } from "../../lib/template-form";
import { createKeyAction, revokeKeyAction, rotateKeyAction, type NewSecret } from "./actions";

/**
 * The last secret created or rotated, held above the table: a rotated key's row loses its rotate
 * form when the list refreshes, and the secret must not vanish with it before it was copied.
 */
const SecretContext = createContext<(secret: NewSecret) => void>(() => undefined);

export function SecretProvider({ children }: { children: ReactNode }) {
  const [secret, setSecret] = useState<NewSecret | undefined>();
  return (
    <SecretContext.Provider value={setSecret}>
      <SecretOnce secret={secret} onDismiss={() => setSecret(undefined)} />
      {children}
    </SecretContext.Provider>
  );
}

/**
 * Runs a create/rotate action and hands its secret to the provider directly (not through an
 * effect of this form: a rotated row's form is gone by the time its effects would run).
 */
function useSecretAction(action: (prev: ActionState<NewSecret>, form: FormData) => Promise<ActionState<NewSecret>>) {
  const show = useContext(SecretContext);
  const [pending, start] = useTransition();
  const [state, setState] = useState<ActionState<NewSecret>>({});
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    start(async () => {
      const next = await action({}, form);
      if (next.result) show(next.result);
      setState(next);
    });
  };
  return { state, pending, onSubmit };
}

/** The scopes come from the server page (lib/access.ts), so this file imports no server module. */
export function CreateKeyForm({ scopes }: { scopes: readonly { scope: string; help: string }[] }) {
  const { state, pending, onSubmit } = useSecretAction(createKeyAction);
  return (
    <form onSubmit={onSubmit} data-testid="create-key-form">
      <div className="field">
        <label htmlFor="label">Label</label>
        <input id="label" name="label" type="text" maxLength={100} placeholder="billing-service" />
      </div>
      <fieldset>
        <legend>Scopes</legend>
        {scopes.map(({ scope, help }) => (
          <label key={scope} className="option">
            <input type="checkbox" name="scopes" value={scope} defaultChecked={scope === "SEND"} data-testid={`scope-${scope}`} /> <strong>{scope}</strong>{" "}
            <span className="muted small">{help}</span>
          </label>
        ))}
      </fieldset>
      <div className="actions">
        <button type="submit" disabled={pending}>
          {pending ? "Creating…" : "Create key"}
        </button>
      </div>
      <ActionProblemNote problem={state.problem} />
      {state.result && <p className="small ok">Created {state.result.appKey}: its secret is shown at the top of the page.</p>}
    </form>
  );
}

/** The new secret, shown in this answer only: the API stores its hash and cannot show it again. */
function SecretOnce({ secret, onDismiss }: { secret?: NewSecret; onDismiss: () => void }) {
  if (!secret) return null;
  return (
    <div className="card" role="status" data-testid="new-secret">
      <p>
        <strong>Copy the secret now; it is not shown again.</strong>
      </p>
      <table className="kv">
        <tbody>
          <tr>
            <th>X-App-Key</th>
            <td className="mono" data-testid="new-app-key">
              {secret.appKey}
            </td>
          </tr>
          <tr>
            <th>X-App-Secret</th>
            <td className="mono" data-testid="new-app-secret">
              {secret.appSecret}
            </td>
          </tr>
        </tbody>
      </table>
      {secret.note && <p className="small">{secret.note}</p>}
      <div className="actions">
        <button type="button" className="secondary" onClick={onDismiss} data-testid="dismiss-secret">
          I have stored it
        </button>
      </div>
    </div>
  );
}

export function RevokeKeyButton({ id, appKey }: { id: string; appKey: string }) {
  const [state, dispatch, pending] = useActionState<ActionState>(revokeKeyAction.bind(null, id), {});
  return (
    <form
      className="inline"
      onSubmit={(e) => {
        e.preventDefault();
        if (window.confirm(`Revoke ${appKey}? Every call with it is refused within a second.`)) dispatch();
      }}
    >
      <button type="submit" className="secondary" disabled={pending} data-testid="revoke-key">
        {pending ? "Revoking…" : "Revoke"}
      </button>
      <ActionProblemNote problem={state.problem} />
      <DoneNote done={state.done} />
    </form>
  );
}

export function RotateKeyForm({ id }: { id: string }) {
  const { state, pending, onSubmit } = useSecretAction(rotateKeyAction.bind(null, id));
  return (
    <form className="inline" onSubmit={onSubmit}>
      <select name="overlapSeconds" defaultValue="3600" aria-label="Old key keeps working for">
        <option value="0">old key stops now</option>
        <option value="300">overlap 5 minutes</option>
        <option value="3600">overlap 1 hour</option>
        <option value="86400">overlap 1 day</option>
      </select>
      <button type="submit" className="secondary" disabled={pending} data-testid="rotate-key">
        {pending ? "Rotating…" : "Rotate"}
      </button>
      <ActionProblemNote problem={state.problem} />
      {state.result && <p className="small ok">Created {state.result.appKey}: its secret is shown at the top of the page.</p>}
    </form>
  );
}
