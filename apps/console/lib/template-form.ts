/**
 * How the template editor's form maps to the API's TemplateLocaleContentInput and back. Shared by
 * the client form (which renders these fields) and the server actions (which parse them), so a
 * field name is written once.
 */

export const CHANNELS = ["EMAIL", "SMS", "IOS_PUSH", "ANDROID_PUSH", "WEB_PUSH", "IN_APP"] as const;
export type ChannelName = (typeof CHANNELS)[number];

export const VARIABLE_TYPES = ["STRING", "NUMBER", "BOOLEAN", "DATE", "EMAIL", "URL"] as const;

interface FieldSpec {
  name: string;
  label: string;
  multiline?: boolean;
  /** The API requires this field whenever the channel is present. */
  required?: boolean;
}

interface ChannelSpec {
  channel: ChannelName;
  /** The TemplateLocaleContentInput field. */
  input: "email" | "sms" | "iosPush" | "androidPush" | "webPush" | "inApp";
  label: string;
  fields: FieldSpec[];
}

export const CHANNEL_FORMS: ChannelSpec[] = [
  {
    channel: "EMAIL",
    input: "email",
    label: "Email",
    fields: [
      { name: "subject", label: "Subject", required: true },
      { name: "text", label: "Plain text", multiline: true },
      { name: "html", label: "HTML", multiline: true },
    ],
  },
  { channel: "SMS", input: "sms", label: "SMS", fields: [{ name: "text", label: "Text", multiline: true, required: true }] },
  { channel: "IOS_PUSH", input: "iosPush", label: "iOS push", fields: [{ name: "title", label: "Title" }, { name: "body", label: "Body", multiline: true }] },
  { channel: "ANDROID_PUSH", input: "androidPush", label: "Android push", fields: [{ name: "title", label: "Title" }, { name: "body", label: "Body", multiline: true }] },
  {
    channel: "WEB_PUSH",
    input: "webPush",
    label: "Web Push",
    fields: [{ name: "title", label: "Title" }, { name: "body", label: "Body", multiline: true }, { name: "url", label: "URL" }],
  },
  { channel: "IN_APP", input: "inApp", label: "In-app", fields: [{ name: "title", label: "Title" }, { name: "body", label: "Body", multiline: true }, { name: "url", label: "URL" }] },
];

/** A stored version's content: { [locale]: { EMAIL: {subject, …}, SMS: {text}, … } }. */
export type StoredContent = Record<string, Partial<Record<ChannelName, Record<string, unknown>>>>;

export interface VariableRow {
  name: string;
  type: string;
  required: boolean;
}

export const fieldName = (row: number, channel: ChannelName, field: string) => `content.${row}.${channel}.${field}`;
export const localeName = (row: number) => `content.${row}.locale`;

function text(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}

/** Form rows that were rendered (the editor posts how many, plus one blank for a new locale). */
function rowCount(form: FormData, name: string): number {
  const n = Number(text(form, name));
  return Number.isInteger(n) && n >= 0 && n <= 100 ? n : 0;
}

/**
 * TemplateLocaleContentInput[] from the form. A locale row with no name is the unused "add a
 * locale" row; a channel whose fields are all blank is left out (the template does not support
 * it). Anything else goes to the API as typed, so its validation speaks (e.g. a missing subject).
 */
export function contentFromForm(form: FormData): Record<string, unknown>[] {
  const content: Record<string, unknown>[] = [];
  for (let row = 0; row < rowCount(form, "content.rows"); row++) {
    const locale = text(form, localeName(row)).trim();
    if (!locale) continue;
    const entry: Record<string, unknown> = { locale };
    for (const spec of CHANNEL_FORMS) {
      const values: Record<string, unknown> = {};
      let any = false;
      for (const f of spec.fields) {
        const v = text(form, fieldName(row, spec.channel, f.name));
        if (v !== "") any = true;
        if (v !== "" || f.required) values[f.name] = v;
      }
      // Push data is not edited here but must survive a save (updateTemplateDraft replaces content).
      const data = text(form, fieldName(row, spec.channel, "data"));
      if (data && (spec.input === "iosPush" || spec.input === "androidPush")) {
        values.data = JSON.parse(data) as unknown;
        any = true;
      }
      if (any) entry[spec.input] = values;
    }
    content.push(entry);
  }
  return content;
}

/** TemplateVariableInput[]; a row without a name is the blank "add a variable" row. */
export function variablesFromForm(form: FormData): VariableRow[] {
  const variables: VariableRow[] = [];
  for (let row = 0; row < rowCount(form, "variables.rows"); row++) {
    const name = text(form, `variables.${row}.name`).trim();
    if (!name) continue;
    variables.push({ name, type: text(form, `variables.${row}.type`) || "STRING", required: form.get(`variables.${row}.required`) === "on" });
  }
  return variables;
}

/** Why an action failed, as the API said it (code, reason, field) or as the console saw it. */
export interface ActionProblem {
  message: string;
  code?: string;
  reason?: string;
  field?: string;
}

export interface ActionState<T = undefined> {
  problem?: ActionProblem;
  done?: string;
  /** The version the action produced, so a note about it can hide once another version is shown. */
  version?: number;
  result?: T;
}
