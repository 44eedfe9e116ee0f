import { requireRole } from "@/lib/auth/guard";
import { listUsers } from "@/lib/services/users";
import { UsersSettings } from "@/components/users-settings";

export const metadata = { title: "Users" };

export default async function UsersPage() {
  const actor = await requireRole("ADMIN");
  return <UsersSettings initial={await listUsers()} selfId={actor.id} />;
}
