"use client";

import { useActionState } from "react";
import type { ActionState } from "../lib/template-form";
import { ActionProblemNote, DoneNote } from "./action-problem";

interface Rule {
  category: string;
  channel: string;
  enabled: boolean;
  updatedAt: string;
}

const SCOPES = ["ALL", "EMAIL", "SMS", "IOS_PUSH", "ANDROID_PUSH", "WEB_PUSH", "IN_APP"];

/**
 * A recipient's opt-in/out rules (no rule means opted in). Support edits them here (say, for a
 * user who asked by phone); viewers and editors see them read-only.
 */
export function Preferences({
  rules,
  categories,
  editable,
  action,
}: {
  rules: Rule[];
  categories: { key: string; required: boolean }[];
  editable: boolean;
  action: (prev: ActionState, form: FormData) => Promise<ActionState>;
}) {
  const [state, dispatch, pending] = useActionState(action, {});
  return (
    <section className="card" data-testid="preferences">
      <h2>Preferences</h2>
      {rules.length === 0 ? (
        <p className="muted" data-testid="no-preferences">
          No rules: opted in to everything.
        </p>
      ) : (
        <table className="compact">
          <thead>
            <tr>
              <th>Category</th>
              <th>Channel</th>
              <th>State</th>
            </tr>
          </thead>
          <tbody>
            {rules.map((r) => (
              <tr key={`${r.category}:${r.channel}`} data-testid="preference-row" data-category={r.category} data-channel={r.channel} data-enabled={String(r.enabled)}>
                <td>{r.category === "*" ? <span className="muted">every category</span> : <code>{r.category}</code>}</td>
                <td>{r.channel === "ALL" ? <span className="muted">every channel</span> : r.channel}</td>
                <td>
                  <span className={r.enabled ? "badge ok" : "badge bad"}>{r.enabled ? "on" : "off"}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editable && (
        <form action={dispatch} className="inline" data-testid="set-preference">
          <select name="category" aria-label="Category" defaultValue="*">
            <option value="*">Every category</option>
            {categories.map((c) => (
              <option key={c.key} value={c.key} disabled={c.required}>
                {c.key}
                {c.required ? " (required)" : ""}
              </option>
            ))}
          </select>
          <select name="channel" aria-label="Channel" defaultValue="ALL">
            {SCOPES.map((s) => (
              <option key={s} value={s}>
                {s === "ALL" ? "Every channel" : s}
              </option>
            ))}
          </select>
          <label className="option">
            <input type="checkbox" name="enabled" defaultChecked /> receive
          </label>
          <button type="submit" disabled={pending} data-testid="save-preference">
            {pending ? "…" : "Save rule"}
          </button>
          <DoneNote done={state.done} />
          <ActionProblemNote problem={state.problem} />
        </form>
      )}
    </section>
  );
}
