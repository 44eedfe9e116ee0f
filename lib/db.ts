// The one Prisma client, shared across hot reloads and route modules.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { processWide } from "@/lib/process-wide";

function create() {
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL }),
    // secrets are never read by accident: ask for them by name where they are needed
    omit: {
      user: { passwordHash: true },
      apiToken: { tokenHash: true },
      registry: { credentialsCiphertext: true, credentialsNonce: true, webhookSecretHash: true },
    },
  });
}

export const db = processWide("prisma", create);
export type Db = typeof db;
