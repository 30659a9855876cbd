export default function AuditLoading() {
  return (
    <>
      <h1>Audit log</h1>
      <section className="card" data-testid="audit-loading" aria-busy="true">
        <p className="muted">Loading the audit log…</p>
      </section>
    </>
  );
}
