import { CHANNEL_FORMS, fieldName, localeName, VARIABLE_TYPES, type StoredContent, type VariableRow } from "../../lib/template-form";

/**
 * Per-locale content inputs: one fieldset per locale with a section per channel (open when the
 * locale has content for it), then a blank locale row to add one. Uncontrolled: the server action
 * reads the posted form.
 */
export function ContentFields({ content, defaultLocale }: { content: StoredContent; defaultLocale: string }) {
  // The default locale first: the create form takes the first row as the default.
  const locales = Object.keys(content).sort((a, b) => Number(b === defaultLocale) - Number(a === defaultLocale) || a.localeCompare(b));
  const rows = [...locales.map((locale) => ({ locale, channels: content[locale]! })), { locale: "", channels: {} }];
  return (
    <>
      <input type="hidden" name="content.rows" value={rows.length} />
      {rows.map((row, i) => {
        const blank = row.locale === "";
        return (
          <fieldset key={i} className="locale" data-testid="locale-fields" data-locale={row.locale}>
            <legend>
              {blank ? "Add a locale" : "Locale"}{" "}
              <input
                type="text"
                className="locale-input"
                name={localeName(i)}
                aria-label={blank ? "New locale" : `Locale ${row.locale}`}
                defaultValue={row.locale}
                placeholder={blank ? "e.g. de" : undefined}
              />
              {row.locale === defaultLocale && <span className="badge">default</span>}
            </legend>
            <div className="channel-grid">
              {CHANNEL_FORMS.map((spec) => {
                const values = (row.channels[spec.channel] ?? {}) as Record<string, unknown>;
                return (
                  <details key={spec.channel} open={row.channels[spec.channel] !== undefined} data-testid="channel-fields" data-channel={spec.channel}>
                    <summary>{spec.label}</summary>
                    {spec.fields.map((f) => {
                      const name = fieldName(i, spec.channel, f.name);
                      const value = typeof values[f.name] === "string" ? (values[f.name] as string) : "";
                      return (
                        <div key={f.name} className="field">
                          <label htmlFor={name}>{f.label}</label>
                          {f.multiline ? (
                            <textarea id={name} name={name} defaultValue={value} rows={f.name === "html" ? 4 : 2} className="mono" />
                          ) : (
                            <input id={name} name={name} type="text" defaultValue={value} className="wide" />
                          )}
                        </div>
                      );
                    })}
                    {values.data !== undefined && <input type="hidden" name={fieldName(i, spec.channel, "data")} value={JSON.stringify(values.data)} />}
                  </details>
                );
              })}
            </div>
          </fieldset>
        );
      })}
    </>
  );
}

/** The declared variables, one row each, plus blank rows to add some; clearing a name removes one. */
export function VariableFields({ variables, blank = 1 }: { variables: VariableRow[]; blank?: number }) {
  const rows = [...variables, ...Array.from({ length: blank }, () => ({ name: "", type: "STRING", required: true }))];
  return (
    <fieldset>
      <legend>Variables</legend>
      <input type="hidden" name="variables.rows" value={rows.length} />
      <table className="variables">
        <thead>
          <tr>
            <th>Name</th>
            <th>Type</th>
            <th>Required</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((v, i) => (
            <tr key={i} data-testid="variable-row">
              <td>
                <input type="text" name={`variables.${i}.name`} aria-label={v.name ? `Variable ${v.name}` : "New variable name"} defaultValue={v.name} placeholder={v.name ? undefined : "add a variable"} />
              </td>
              <td>
                <select name={`variables.${i}.type`} aria-label={`Type of variable ${i + 1}`} defaultValue={v.type}>
                  {VARIABLE_TYPES.map((t) => (
                    <option key={t}>{t}</option>
                  ))}
                </select>
              </td>
              <td>
                <input type="checkbox" name={`variables.${i}.required`} aria-label={`Variable ${i + 1} required`} defaultChecked={v.required} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="small muted">Use them in content as Liquid, e.g. <code>{"{{ name }}"}</code>. Clear a name to remove the variable.</p>
    </fieldset>
  );
}
