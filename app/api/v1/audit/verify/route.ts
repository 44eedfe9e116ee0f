import { withRole } from "@/lib/auth/guard";
import { auditChainStatus } from "@/lib/services/audit";

export const GET = withRole("ADMIN", async () => auditChainStatus());
