// The API routes machines call in bursts, which the server of `npm start` (scripts/lib/server.ts)
// answers without Next's per-request cost (~1–2 ms of CPU each): registry webhooks, and the tag
// list for API tokens (CI, scripts). The handlers live beside their routes; Next's route files use
// the same ones.
import { guarded, tokenActor } from "@/lib/auth/actor";
import { listTagsRoute } from "./registries/[id]/tags/handler";
import { webhookRoute } from "./webhooks/registry/[registryId]/handler";

const WEBHOOK_PATH = /^\/api\/v1\/webhooks\/registry\/([^/]+)$/;
const TAGS_PATH = /^\/api\/v1\/registries\/([^/]+)\/tags$/;
const tagsForTokens = guarded(tokenActor, "VIEWER", listTagsRoute);

function segment(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/**
 * The handler of a request the server answers itself, or undefined (Next answers). The server
 * reads the body itself and passes it beside a bodiless Request (no stream to read again). The tag
 * list is served here for API tokens only; a browser's session cookie goes through Next.
 */
export function machineRoute(method: string, path: string, authorization: string | undefined): ((req: Request, body?: Buffer) => Promise<Response>) | undefined {
  let m: RegExpExecArray | null;
  if (method === "POST" && (m = WEBHOOK_PATH.exec(path))) {
    const id = segment(m[1]!);
    return id === undefined ? undefined : (req, body) => webhookRoute(req, id, body);
  }
  if (method === "GET" && authorization && /^Bearer\s/i.test(authorization) && (m = TAGS_PATH.exec(path))) {
    const id = segment(m[1]!);
    return id === undefined ? undefined : (req) => tagsForTokens(req, { params: Promise.resolve({ id }) });
  }
  return undefined;
}
