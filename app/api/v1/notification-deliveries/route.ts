import { withRole } from "@/lib/auth/guard";
import { listDeliveries } from "@/lib/services/notifications";

export const GET = withRole("ADMIN", async ({ req }) => ({ deliveries: await listDeliveries(Object.fromEntries(new URL(req.url).searchParams)) }));
