import { requireViewer } from "../../lib/viewer";
import { webPushDemoAvailable } from "../../lib/webpush-demo";
import { WebPushConsole } from "./web-push-console";

export const metadata = { title: "Web Push · Notify console" };

export default async function WebPushPage() {
  const viewer = await requireViewer();
  if (!webPushDemoAvailable(viewer)) {
    return (
      <section className="card" data-testid="webpush-unavailable">
        <h1>Web Push in this browser</h1>
        <p className="muted">This demo registers devices for any recipient: it works only in sandbox mode, for admins and support.</p>
      </section>
    );
  }
  return (
    <>
      <h1>Web Push in this browser</h1>
      <p className="muted">
        Subscribes this browser for a recipient and registers the subscription with the platform as a <code>WEB</code> device. Pushes the
        platform sends to that recipient arrive in this page&apos;s service worker, which shows them as notifications and lists them below.
      </p>
      <WebPushConsole />
    </>
  );
}
