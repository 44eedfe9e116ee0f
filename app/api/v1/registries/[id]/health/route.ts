import { withRole } from "@/lib/auth/guard";
import { registryHealth } from "@/lib/services/browse";

export const GET = withRole<{ id: string }>("VIEWER", async ({ params }) => registryHealth(params.id));
