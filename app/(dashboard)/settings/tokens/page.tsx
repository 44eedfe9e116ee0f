import { requireRole } from "@/lib/auth/guard";
import { hasRole } from "@/lib/schemas/roles";
import { visibleRegistryIds } from "@/lib/auth/access";
import { listRegistries } from "@/lib/services/registries";
import { listAllTokens, listTokens } from "@/lib/services/tokens";
import { TokensSettings } from "@/components/tokens-settings";

export const metadata = { title: "API tokens" };

export default async function TokensPage() {
  const actor = await requireRole("VIEWER");
  const isAdmin = hasRole(actor.role, "ADMIN");
  return <TokensSettings initial={await listTokens(actor)} all={isAdmin ? await listAllTokens(actor) : undefined} isAdmin={isAdmin}
    registries={(await listRegistries(await visibleRegistryIds(actor))).map((r) => ({ id: r.id, name: r.name }))} />;
}
