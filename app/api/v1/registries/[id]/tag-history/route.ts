import { z } from "zod";
import { notFound } from "@/lib/api/errors";
import { withRole } from "@/lib/auth/guard";
import { searchParams } from "@/lib/schemas/browse";
import { tagHistory } from "@/lib/services/tag-history";

// PostgreSQL compares no text with a NUL in it: refused here, not failed there
const noNul = (s: string) => !s.includes("\u0000");
const query = z.object({
  repository: z.string().min(1, "repository is required").max(255).refine(noNul, "repository may not contain NUL"),
  tag: z.string().min(1, "tag is required").max(128).refine(noNul, "tag may not contain NUL"),
});

export const GET = withRole<{ id: string }>("VIEWER", async ({ req, params }) => {
  if (!z.guid().safeParse(params.id).success) throw notFound(`registry ${params.id}`);
  const q = query.parse(searchParams(req));
  return { changes: await tagHistory(params.id, q.repository, q.tag) };
});
