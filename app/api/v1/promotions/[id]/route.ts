import { withRole } from "@/lib/auth/guard";
import { getPromotion } from "@/lib/services/promotions";

export const GET = withRole<{ id: string }>("VIEWER", async ({ params }) => getPromotion(params.id));
