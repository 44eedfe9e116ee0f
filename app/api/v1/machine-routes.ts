// The API routes machines call in bursts or wait on, which the server of `npm start`
// (scripts/lib/server.ts) answers without Next's per-request cost (~1–2 ms of CPU each, ~8 ms of a
// round trip here): registry webhooks; for API tokens (CI, scripts), the tag list and a promotion
// (its POST, and the GET that waits for it). The handlers live beside their routes; Next's route
// files use the same ones.
import { readJson } from "@/lib/api/json-body";
import { guarded, tokenActor } from "@/lib/auth/actor";
import { getPromotionRoute, requestPromotionRoute } from "./promotions/handler";
import { listTagsRoute } from "./registries/[id]/tags/handler";
import { webhookRoute } from "./webhooks/registry/[registryId]/handler";

const WEBHOOK_PATH = /^\/api\/v1\/webhooks\/registry\/([^/]+)$/;
const TAGS_PATH = /^\/api\/v1\/registries\/([^/]+)\/tags$/;
const PROMOTIONS_PATH = "/api/v1/promotions";
const PROMOTION_PATH = /^\/api\/v1\/promotions\/([^/]+)$/;
const tagsForTokens = guarded(tokenActor, "VIEWER", listTagsRoute);
const promotionForTokens = guarded(tokenActor, "VIEWER", getPromotionRoute);

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
 * list and promotions are served here for API tokens only; a browser's session cookie goes through Next.
 */
export function machineRoute(method: string, path: string, authorization: string | undefined): ((req: Request, body?: Buffer) => Promise<Response>) | undefined {
  let m: RegExpExecArray | null;
  if (method === "POST" && (m = WEBHOOK_PATH.exec(path))) {
    const id = segment(m[1]!);
    return id === undefined ? undefined : (req, body) => webhookRoute(req, id, body);
  }
  if (!authorization || !/^Bearer\s/i.test(authorization)) return undefined;
  if (method === "GET" && (m = TAGS_PATH.exec(path))) {
    const id = segment(m[1]!);
    return id === undefined ? undefined : (req) => tagsForTokens(req, { params: Promise.resolve({ id }) });
  }
  if (method === "POST" && path === PROMOTIONS_PATH) {
    return (req, body) => guarded(tokenActor, "OPERATOR", requestPromotionRoute((r) => readJson(r, body ?? new Uint8Array(0))))(req, { params: Promise.resolve({}) });
  }
  if (method === "GET" && (m = PROMOTION_PATH.exec(path))) {
    const id = segment(m[1]!);
    return id === undefined ? undefined : (req) => promotionForTokens(req, { params: Promise.resolve({ id }) });
  }
  return undefined;
}
