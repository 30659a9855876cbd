/** What a non-admin sees on an admin page: the API refused (FORBIDDEN), so say why instead of an error. */
export function AdminsOnly({ what }: { what: string }) {
  return (
    <section className="card" data-testid="admins-only">
      <h2>{what}: admins only</h2>
      <p className="muted">Your role in this app does not include administration. Ask an admin of this app if you need access.</p>
    </section>
  );
}
