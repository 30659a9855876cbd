/** @type {import('next').NextConfig} */
const nextConfig = {
  // The console is served by `next start` next to the API; nothing here needs the network at build time.
  poweredByHeader: false,
};
export default nextConfig;
