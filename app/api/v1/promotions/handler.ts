// POST /api/v1/promotions and GET /api/v1/promotions/{id}, framework-free: Next's routes (./route.ts,
// ./[id]/route.ts) serve them, and so does the server of `npm start` for API tokens
// (../machine-routes.ts, scripts/lib/server.ts): CI's promotion, a POST and then a GET ?wait= until
// it has finished, without Next's per-request cost on either. Same code, same answers either way.
import { requireSeeOr404 } from "@/lib/auth/access";
import type { Handler } from "@/lib/auth/actor";
import { searchParams } from "@/lib/schemas/browse";
import { promotionFinished, promotionQuerySchema } from "@/lib/schemas/promotion";
import { getPromotion, requestPromotion, waitForPromotion } from "@/lib/services/promotions";

/**
 * A dry run's plan (200), a promotion done at once (200) or one started (202). `body`: the request's
 * JSON. ?wait=<seconds> (at most 30), as on the GET: a started promotion is answered once it has
 * finished (200), or as it is then (202): CI's promotion in one request.
 */
export const requestPromotionRoute = (body: (req: Request) => Promise<unknown>): Handler<Record<string, string>> => async ({ req, actor }) => {
  const { wait } = promotionQuerySchema.parse(searchParams(req));
  const answer = await requestPromotion(actor, await body(req));
  if (answer.outcome === "planned") return Response.json({ plan: answer.plan });
  if (answer.outcome === "queued" && wait) {
    const p = await waitForPromotion(answer.promotion.id, wait * 1000, req.signal);
    return Response.json(p, { status: promotionFinished(p.state) ? 200 : 202 });
  }
  return Response.json(answer.promotion, { status: answer.outcome === "queued" ? 202 : 200 });
};

/** ?wait=<seconds> (at most 30): answers when the promotion has finished, so a caller need not poll. */
export const getPromotionRoute: Handler<{ id: string }> = async ({ req, params, actor }) => {
  const p = await getPromotion(params.id);
  await requireSeeOr404(actor, `promotion ${params.id}`, p.source.registryId, p.source.repository);
  await requireSeeOr404(actor, `promotion ${params.id}`, p.target.registryId, p.target.repository);
  const { wait } = promotionQuerySchema.parse(searchParams(req));
  return wait ? waitForPromotion(params.id, wait * 1000, req.signal) : p;
};
