/** A plain GET form, so the lookup works without JavaScript and its URL can be shared. */
export function RecipientSearch({ defaultValue = "" }: { defaultValue?: string }) {
  return (
    <form action="/recipients" method="get" className="inline" role="search">
      <input type="search" name="externalId" aria-label="externalId" placeholder="externalId, e.g. user-42" defaultValue={defaultValue} required />
      <button type="submit">Look up</button>
    </form>
  );
}
