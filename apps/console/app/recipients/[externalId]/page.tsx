import { notFound } from "next/navigation";
import { ApiProblem, isExplainable } from "../../../components/api-problem";
import { ContactPoints, Devices } from "../../../components/contact-points";
import { DeliveryHistory } from "../../../components/delivery-history";
import { RecipientSearch } from "../../../components/recipient-search";
import { ApiRequestError } from "../../../lib/api";
import { Preferences } from "../../../components/preferences";
import { lookUpRecipient, type RecipientLookup } from "../../../lib/recipient-lookup";
import { DeleteRecipient } from "./delete-recipient";
import { can, requirePageApp } from "../../../lib/viewer";
import { setPreferenceAction } from "./preference-actions";

// Support staff look at what is happening now; nothing here may be cached.
export const dynamic = "force-dynamic";

interface Props {
  params: Promise<{ externalId: string }>;
  searchParams: Promise<{ before?: string | string[] }>;
}

export default async function RecipientPage({ params, searchParams }: Props) {
  const { externalId } = await params;
  const viewer = await requirePageApp();
  const rawBefore = (await searchParams).before;
  const before = Array.isArray(rawBefore) ? rawBefore[0] : rawBefore;
  let data: RecipientLookup;
  try {
    data = await lookUpRecipient(externalId, before);
  } catch (err) {
    if (err instanceof ApiRequestError && err.code === "NOT_FOUND") notFound();
    if (isExplainable(err)) return <ApiProblem error={err} />;
    throw err;
  }
  return (
    <>
      <div className="card">
        <RecipientSearch defaultValue={externalId} />
      </div>
      <h1>
        Recipient <code data-testid="recipient-external-id">{data.recipient.externalId}</code>
      </h1>
      <div className="cards recipient-cards">
        <ContactPoints recipient={data.recipient} />
        <Devices devices={data.recipient.devices} />
      </div>
      <Preferences
        rules={data.recipient.preferences}
        categories={data.categories}
        editable={can.manageRecipients(viewer.app.role)}
        action={setPreferenceAction.bind(null, data.recipient.externalId)}
      />
      <DeliveryHistory externalId={data.recipient.externalId} items={data.deliveryHistory} before={before} />
      {/* Admin and support only; the API refuses the others anyway (RECIPIENTS_WRITE). */}
      {can.manageRecipients(viewer.app.role) && (
        <section className="card" data-testid="privacy">
          <h2>Privacy</h2>
          <DeleteRecipient externalId={data.recipient.externalId} />
        </section>
      )}
    </>
  );
}
