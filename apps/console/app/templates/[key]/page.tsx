import Link from "next/link";
import { notFound } from "next/navigation";
import { ApiProblem, isExplainable } from "../../../components/api-problem";
import { ApiRequestError } from "../../../lib/api";
import { formatTime } from "../../../lib/format";
import type { StoredContent, VariableRow } from "../../../lib/template-form";
import { getTemplate, type TemplateDetail } from "../../../lib/templates";
import { can, requirePageApp } from "../../../lib/viewer";
import { previewAction, publishAction, restoreAction, saveDraftAction, testSendAction } from "../actions";
import { DraftEditor } from "./draft-editor";
import { PreviewForm } from "./preview-form";
import { VersionButton } from "./version-button";

export const dynamic = "force-dynamic";

const SAMPLE: Record<string, unknown> = { STRING: "Ada", NUMBER: 42, BOOLEAN: true, DATE: "2026-01-31", EMAIL: "ada@example.com", URL: "https://example.com/" };

/** Sample data with a plausible value for every declared variable, to preview with at once. */
function sampleData(variables: VariableRow[]): string {
  return JSON.stringify(Object.fromEntries(variables.map((v) => [v.name, SAMPLE[v.type] ?? "sample"])), null, 2);
}

/** A short fingerprint of a version's content, so the editor remounts when it changes under it. */
function hash(s: string): string {
  let h = 5381;
  for (let i = 0; i < s.length; i++) h = (h * 33) ^ s.charCodeAt(i);
  return (h >>> 0).toString(36);
}

const STATE_BADGE: Record<string, string> = { PUBLISHED: "badge ok", DRAFT: "badge warn", ARCHIVED: "badge" };

export default async function TemplatePage({ params }: { params: Promise<{ key: string }> }) {
  const { key } = await params;
  const viewer = await requirePageApp();
  const role = viewer.app.role;
  const mayEdit = can.editTemplates(role);
  let t: TemplateDetail;
  try {
    t = await getTemplate(key);
  } catch (err) {
    if (err instanceof ApiRequestError && err.code === "NOT_FOUND") notFound();
    if (isExplainable(err)) return <ApiProblem error={err} />;
    throw err;
  }
  const draft = t.versions.find((v) => v.state === "DRAFT");
  // With no draft the editor starts from the newest version; saving makes that a new draft.
  const editing = draft ?? t.versions[0]!;
  const content = editing.content as StoredContent;
  const variables = editing.variables as VariableRow[];
  const revision = `${editing.id}:${hash(JSON.stringify([editing.content, editing.variables]))}`;
  return (
    <>
      <p className="small">
        <Link href="/templates">← Templates</Link>
      </p>
      <h1>
        {t.name} <code data-testid="template-key">{t.key}</code>
      </h1>
      <div className="cards template-cards">
        <section className="card">
          <h2>Template</h2>
          <table className="kv">
            <tbody>
              <tr>
                <th>Category</th>
                <td>{t.category}</td>
              </tr>
              <tr>
                <th>Default locale</th>
                <td>{t.defaultLocale}</td>
              </tr>
              <tr>
                <th>Published</th>
                <td data-testid="published-version">{t.publishedVersion ? `v${t.publishedVersion.version}` : "never"}</td>
              </tr>
              <tr>
                <th>Updated</th>
                <td>{formatTime(t.updatedAt)}</td>
              </tr>
            </tbody>
          </table>
        </section>
        <section className="card scroll-x">
          <h2>Versions</h2>
          <table data-testid="versions">
            <thead>
              <tr>
                <th>Version</th>
                <th>State</th>
                <th>Created</th>
                <th>Published</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {t.versions.map((v) => (
                <tr key={v.id} data-testid="version-row" data-version={v.version} data-state={v.state}>
                  <td>v{v.version}</td>
                  <td>
                    <span className={STATE_BADGE[v.state]} data-testid="version-state">
                      {v.state}
                    </span>
                  </td>
                  {/* Day and time may wrap apart: with Publish/Restore buttons the table is wider than its card. */}
                  <td className="small">{formatTime(v.createdAt)}</td>
                  <td className="small">{formatTime(v.publishedAt)}</td>
                  <td>
                    {!mayEdit ? null : v.state === "DRAFT" ? (
                      <VersionButton action={publishAction.bind(null, t.key, v.version)} label="Publish" testId="publish" />
                    ) : v.state === "ARCHIVED" ? (
                      <VersionButton action={restoreAction.bind(null, t.key, v.version)} label="Restore" testId="restore" secondary />
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
      {mayEdit && (
        <section className="card">
          <h2>{draft ? `Edit draft v${draft.version}` : `Edit (saving creates a draft from v${editing.version})`}</h2>
          <DraftEditor
            save={saveDraftAction.bind(null, t.key)}
            content={content}
            variables={variables}
            defaultLocale={t.defaultLocale}
            version={editing.version}
            revision={revision}
          />
        </section>
      )}
      <section className="card">
        <h2>Preview</h2>
        <PreviewForm
          key={revision}
          preview={previewAction.bind(null, t.key)}
          versions={t.versions.map((v) => ({ version: v.version, state: v.state }))}
          locales={Object.keys(content)}
          sampleData={sampleData(variables)}
          testSend={can.testSend(role) ? { action: testSendAction.bind(null, t.key), email: viewer.user.email } : undefined}
        />
      </section>
    </>
  );
}
