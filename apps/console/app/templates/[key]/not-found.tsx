import Link from "next/link";

export default function TemplateNotFound() {
  return (
    <section className="card" data-testid="template-not-found">
      <h2>No such template</h2>
      <p>
        This app has no template with that key. <Link href="/templates">All templates</Link>
      </p>
    </section>
  );
}
