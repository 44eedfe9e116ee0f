import { requireRole } from "@/lib/auth/guard";
import { RetentionSettings } from "@/components/retention-settings";

export const metadata = { title: "Retention" };

export default async function RetentionPage() {
  await requireRole("ADMIN");
  return <RetentionSettings />;
}
