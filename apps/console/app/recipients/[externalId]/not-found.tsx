import { RecipientSearch } from "../../../components/recipient-search";
import { MissingExternalId } from "../../../components/missing-external-id";

export default function RecipientNotFound() {
  return (
    <section className="card" data-testid="recipient-not-found">
      <h1>No such recipient</h1>
      <p>
        The platform has no recipient <MissingExternalId /> for the console&apos;s app. Check the id your service uses for this user (it is
        case-sensitive), or that they were ever sent anything.
      </p>
      <RecipientSearch />
    </section>
  );
}
