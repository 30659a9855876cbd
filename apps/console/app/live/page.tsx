import { LiveDashboard } from "./live-dashboard";

export const dynamic = "force-dynamic";
export const metadata = { title: "Live · Notify console" };

/** Everything here is fetched by the browser from the console's own routes, which hold the key pair. */
export default function LivePage() {
  return (
    <>
      <h1>Live</h1>
      <LiveDashboard />
    </>
  );
}
