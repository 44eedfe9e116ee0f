import { z } from "zod";
import { withRole } from "@/lib/auth/guard";
import { lastPush } from "@/lib/services/audit";

// PostgreSQL compares no text with a NUL in it: refused here rather than failed there
const text = (max: number) => z.string().min(1).max(max).refine((s) => !s.includes("\u0000"), "may not contain NUL");
const query = z.object({ registryId: z.string().uuid("registryId must be a registry id"), repository: text(512), tag: text(128) });

// "who pushed this": viewers see the tag pages, so they may see who last pushed a tag
export const GET = withRole("VIEWER", async ({ req }) => {
  const q = query.parse(Object.fromEntries(new URL(req.url).searchParams));
  return { push: await lastPush(q.registryId, q.repository, q.tag) };
});
