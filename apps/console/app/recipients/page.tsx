import { redirect } from "next/navigation";
import { RecipientSearch } from "../../components/recipient-search";

export const dynamic = "force-dynamic";

export default async function RecipientsPage({ searchParams }: { searchParams: Promise<{ externalId?: string | string[] }> }) {
  const raw = (await searchParams).externalId;
  const externalId = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  if (externalId) redirect(`/recipients/${encodeURIComponent(externalId)}`);
  return (
    <>
      <h1>Recipients</h1>
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
