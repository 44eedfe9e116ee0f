import { withRole } from "@/lib/auth/guard";
import { getPromotionRoute } from "../handler";

// the handler is shared with the server of `npm start` (../handler.ts, ../../machine-routes.ts)
export const GET = withRole<{ id: string }>("VIEWER", getPromotionRoute);
