import { requireRole } from "@/lib/auth/guard";
import { listRegistries } from "@/lib/services/registries";
import { listTeams } from "@/lib/services/teams";
import { listUsers } from "@/lib/services/users";
import { TeamsSettings } from "@/components/teams-settings";

export const metadata = { title: "Teams" };

export default async function TeamsPage() {
  const actor = await requireRole("ADMIN");
  const [teams, users, registries] = await Promise.all([listTeams(actor), listUsers(), listRegistries()]);
  return (
    <TeamsSettings
      initial={teams}
      users={users.map((u) => ({ id: u.id, label: u.email }))}
      registries={registries.map((r) => ({ id: r.id, label: r.name }))}
    />
  );
}
