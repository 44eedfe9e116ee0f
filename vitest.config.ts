import { defineConfig } from "vitest/config";
import path from "node:path";
import { integrationWorkers } from "./test/support/workers";

const alias = {
  "@": path.resolve(import.meta.dirname),
  // the marker package throws outside React's server build
  "server-only": path.resolve(import.meta.dirname, "test/support/empty.ts"),
};

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["lib/**/*.test.ts", "scripts/**/*.test.ts", "components/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          // next-auth imports "next/server" without an extension, which Node's ESM resolver refuses
          server: { deps: { inline: ["next-auth", "@auth/core"] } },
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/support/db-setup.ts"],
          setupFiles: ["test/support/env.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // files run integrationWorkers() at a time, each worker on a database of its own (test/support/db-setup.ts)
          maxWorkers: integrationWorkers(),
        },
      },
    ],
  },
});
