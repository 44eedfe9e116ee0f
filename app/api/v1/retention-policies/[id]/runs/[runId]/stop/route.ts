import { withRole } from "@/lib/auth/guard";
import { stopRun } from "@/lib/services/retention";

export const POST = withRole<{ id: string; runId: string }>("ADMIN", async ({ actor, params }) => stopRun(actor, params.id, params.runId));
