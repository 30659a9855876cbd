export default function Loading() {
  return (
    <>
      <h1>API keys</h1>
      <section className="card" aria-busy="true" data-testid="loading">
        <p className="muted">Loading keys…</p>
      </section>
    </>
  );
}
