import { withRole } from "@/lib/auth/guard";
import { testRegistry } from "@/lib/services/registry-test";

export const POST = withRole<{ id: string }>("VIEWER", async ({ params }) => testRegistry(params.id));
