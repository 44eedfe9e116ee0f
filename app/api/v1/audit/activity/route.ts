import { withRole } from "@/lib/auth/guard";
import { dailyActivity } from "@/lib/services/audit";

export const GET = withRole("ADMIN", async () => ({ days: await dailyActivity(30) }));
