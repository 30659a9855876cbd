/** @type {import('next').NextConfig} */
const nextConfig = {
  // The console is served by `next start` next to the API; nothing here needs the network at build time.
  poweredByHeader: false,
  // Loaded by Node at run time rather than bundled: the Prisma client (generated, with its wasm
  // query compiler), pg, and argon2's native binary.
  serverExternalPackages: ["@notify/db", "@prisma/client", "@prisma/adapter-pg", "pg", "@node-rs/argon2"],
};
export default nextConfig;
