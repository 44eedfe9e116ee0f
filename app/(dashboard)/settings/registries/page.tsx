import { requireRole } from "@/lib/auth/guard";
import { listRegistries } from "@/lib/services/registries";
import { RegistriesSettings } from "@/components/registries-settings";

export const metadata = { title: "Registries" };

export default async function RegistriesPage({ searchParams }: { searchParams: Promise<{ add?: string }> }) {
  await requireRole("ADMIN");
  const { add } = await searchParams;
  return <RegistriesSettings initial={await listRegistries()} startAdding={add === "1"} />;
}
