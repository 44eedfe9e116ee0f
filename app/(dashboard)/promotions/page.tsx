import { requireRole } from "@/lib/auth/guard";
import { hasRole } from "@/lib/schemas/roles";
import { PromotionsList } from "@/components/promotions-list";

export const metadata = { title: "Promotions" };

export default async function PromotionsPage() {
  const actor = await requireRole("VIEWER");
  return <PromotionsList canRetry={hasRole(actor.role, "OPERATOR")} />;
}
