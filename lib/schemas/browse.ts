import { z } from "zod";

const repository = z.string({ error: "repository is required" }).min(1, "repository is required").max(255);

export const repositoriesQuery = z.object({ query: z.string().max(255).optional(), cursor: z.string().max(255).optional() });
export const tagsQuery = z.object({ repository });
export const manifestQuery = z.object({ repository, reference: z.string({ error: "reference is required" }).min(1, "reference is required").max(200) });

export function searchParams(req: Request): Record<string, string> {
  return Object.fromEntries(new URL(req.url).searchParams);
}
