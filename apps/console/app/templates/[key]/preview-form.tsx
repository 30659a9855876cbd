"use client";

import { startTransition, useActionState, useRef } from "react";
import { ActionProblemNote, DoneNote } from "../../../components/action-problem";
import { submitWithoutReset } from "../../../components/submit-without-reset";
import { CHANNEL_FORMS, type ActionState } from "../../../lib/template-form";
import type { TemplatePreview } from "../../../lib/templates";

interface Props {
  preview: (prev: ActionState<TemplatePreview>, form: FormData) => Promise<ActionState<TemplatePreview>>;
  versions: { version: number; state: string }[];
  locales: string[];
  sampleData: string;
  /** "Send a test to me", for roles that may (the API checks again). */
  testSend?: { action: (prev: ActionState, form: FormData) => Promise<ActionState>; email: string };
}

const noTestSend = async (): Promise<ActionState> => ({});

/** Renders any version for a channel and locale with sample data; nothing is sent or stored. */
export function PreviewForm({ preview, versions, locales, sampleData, testSend }: Props) {
  const [state, dispatch, pending] = useActionState(preview, {});
  const [sent, dispatchTest, sending] = useActionState(testSend?.action ?? noTestSend, {});
  const formRef = useRef<HTMLFormElement>(null);
  const result = state.result;
  return (
    <div className="preview">
      <form ref={formRef} onSubmit={submitWithoutReset(dispatch)} data-testid="preview-form">
        <div className="row-fields">
          <div className="field">
            <label htmlFor="preview-version">Version</label>
            <select id="preview-version" name="version" defaultValue={String(versions[0]?.version ?? "")}>
              {versions.map((v) => (
                <option key={v.version} value={v.version}>
                  v{v.version} ({v.state.toLowerCase()})
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="preview-channel">Channel</label>
            <select id="preview-channel" name="channel" defaultValue="EMAIL">
              {CHANNEL_FORMS.map((c) => (
                <option key={c.channel} value={c.channel}>
                  {c.label}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="preview-locale">Locale</label>
            <input id="preview-locale" name="locale" type="text" list="preview-locales" placeholder="default" />
            <datalist id="preview-locales">
              {locales.map((l) => (
                <option key={l} value={l} />
              ))}
            </datalist>
          </div>
        </div>
        <div className="field">
          <label htmlFor="preview-data">Sample data (JSON)</label>
          <textarea id="preview-data" name="data" className="mono" rows={4} defaultValue={sampleData} />
        </div>
        <div className="actions">
          <button type="submit" disabled={pending} data-testid="preview">
            {pending ? "Rendering…" : "Preview"}
          </button>
          {testSend && (
            <button
              type="button"
              className="secondary"
              disabled={sending}
              data-testid="test-send"
              title={`Renders the chosen version as an email to ${testSend.email}`}
              onClick={() => {
                const form = new FormData(formRef.current!);
                startTransition(() => dispatchTest(form));
              }}
            >
              {sending ? "Sending…" : "Send a test to me"}
            </button>
          )}
          <DoneNote done={sent.done} />
        </div>
        <ActionProblemNote problem={state.problem} />
        <ActionProblemNote problem={sent.problem} />
      </form>
      {result && !state.problem && (
        <section className="preview-result" data-testid="preview-result" data-channel={result.channel} data-version={result.version} data-locale={result.locale}>
          <h3>
            v{result.version} · {result.channel} · {result.locale}
          </h3>
          <table className="kv">
            <tbody>
              {Object.entries(result.content).map(([field, value]) => (
                <tr key={field}>
                  <th>{field}</th>
                  <td>
                    {field === "html" && typeof value === "string" ? (
                      // Rendered as the recipient's mail client would, with scripts off.
                      <iframe title="HTML preview" sandbox="" srcDoc={value} className="html-preview" data-testid="preview-html" />
                    ) : (
                      <pre data-testid={`preview-${field}`}>{typeof value === "string" ? value : JSON.stringify(value, null, 2)}</pre>
                    )}
                  </td>
                </tr>
              ))}
              {result.data && (
                <tr>
                  <th>data</th>
                  <td>
                    <pre data-testid="preview-data">{JSON.stringify(result.data, null, 2)}</pre>
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}
