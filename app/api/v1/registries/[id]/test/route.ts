import { withRole } from "@/lib/auth/guard";
import { testRegistry } from "@/lib/services/registry-test";

// every role may test; only an admin's test sends the push/delete probes
export const POST = withRole<{ id: string }>("VIEWER", async ({ params, actor }) => testRegistry(params.id, actor));
