export default function Loading() {
  return (
    <>
      <h1>Users and roles</h1>
      <section className="card" aria-busy="true" data-testid="loading">
        <p className="muted">Loading members…</p>
      </section>
    </>
  );
}
