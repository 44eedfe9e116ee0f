import { requireRole } from "@/lib/auth/guard";
import { NotificationsSettings } from "@/components/notifications-settings";

export const metadata = { title: "Notifications" };

export default async function NotificationsPage() {
  await requireRole("ADMIN");
  return <NotificationsSettings />;
}
