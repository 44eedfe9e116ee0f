import { visibleFilter, visibleRegistryIds } from "@/lib/auth/access";
import { readJson, withRole } from "@/lib/auth/guard";
import { listPromotions } from "@/lib/services/promotions";
import { requestPromotionRoute } from "./handler";

export const GET = withRole("VIEWER", async ({ actor }) => ({ promotions: await listPromotions(50, await visibleRegistryIds(actor), await visibleFilter(actor)) }));

// the handler is shared with the server of `npm start` (./handler.ts, ../machine-routes.ts)
export const POST = withRole("OPERATOR", requestPromotionRoute((req) => readJson(req)));
