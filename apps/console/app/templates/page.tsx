import Link from "next/link";
import { ApiProblem, isExplainable } from "../../components/api-problem";
import { formatTime } from "../../lib/format";
import { listTemplates, type TemplateSummary } from "../../lib/templates";
import { can, requirePageApp } from "../../lib/viewer";
import { CreateTemplateForm } from "./create-template-form";

// Product teams expect to see the edit they just made.
export const dynamic = "force-dynamic";

export default async function TemplatesPage() {
  const viewer = await requirePageApp();
  const mayEdit = can.editTemplates(viewer.app.role);
  let templates: TemplateSummary[];
  try {
    templates = await listTemplates();
  } catch (err) {
    if (isExplainable(err)) return <ApiProblem error={err} />;
    throw err;
  }
  return (
    <>
      <h1>Templates</h1>
      <section className="card scroll-x">
        {templates.length === 0 ? (
          <p className="muted" data-testid="no-templates">
            {mayEdit ? "No templates yet. Create one below." : "No templates yet."}
          </p>
        ) : (
          <table data-testid="templates">
            <thead>
              <tr>
                <th>Key</th>
                <th>Name</th>
                <th>Category</th>
                <th>Default locale</th>
                <th>Published</th>
                <th>Draft</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {templates.map((t) => {
                const draft = t.versions.find((v) => v.state === "DRAFT");
                return (
                  <tr key={t.id} data-testid="template-row" data-template-key={t.key}>
                    <td>
                      <Link href={`/templates/${encodeURIComponent(t.key)}`} className="mono">
                        {t.key}
                      </Link>
                    </td>
                    <td>{t.name}</td>
                    <td>{t.category}</td>
                    <td>{t.defaultLocale}</td>
                    <td data-testid="template-published">{t.publishedVersion ? `v${t.publishedVersion.version}` : <span className="muted">never</span>}</td>
                    <td data-testid="template-draft">{draft ? `v${draft.version}` : <span className="muted">none</span>}</td>
                    <td className="nowrap small">{formatTime(t.updatedAt)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
      {mayEdit && (
        <section className="card">
          <h2>New template</h2>
          <CreateTemplateForm />
        </section>
      )}
    </>
  );
}
