import { requireRole } from "@/lib/auth/guard";
import { listTokens } from "@/lib/services/tokens";
import { TokensSettings } from "@/components/tokens-settings";

export const metadata = { title: "API tokens" };

export default async function TokensPage() {
  const actor = await requireRole("VIEWER");
  return <TokensSettings initial={await listTokens(actor)} />;
}
