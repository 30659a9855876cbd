import { redirect } from "next/navigation";
import { RecipientSearch } from "../../components/recipient-search";

export const dynamic = "force-dynamic";

type Params = { externalId?: string | string[]; deleted?: string | string[]; erased?: string | string[] };
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.trim();

export default async function RecipientsPage({ searchParams }: { searchParams: Promise<Params> }) {
  const params = await searchParams;
  const externalId = one(params.externalId);
  if (externalId) redirect(`/recipients/${encodeURIComponent(externalId)}`);
  const deleted = one(params.deleted);
  return (
    <>
      <h1>Recipients</h1>
      {deleted && (
        <div className="note ok-note" role="status" data-testid="recipient-deleted">
          Recipient <code>{deleted}</code> was deleted; the content of {one(params.erased) ?? "their"} notifications was erased.
        </div>
      )}
      <section className="card">
        <h2>Look up a user</h2>
        <p className="muted">
          By the user id your service gave the platform (the recipient&apos;s <code>externalId</code>).
        </p>
        <RecipientSearch />
      </section>
    </>
  );
}
