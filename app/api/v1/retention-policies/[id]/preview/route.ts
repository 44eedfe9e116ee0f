import { withRole } from "@/lib/auth/guard";
import { previewPolicy } from "@/lib/services/retention";

// a dry run changes nothing, but it lists every tag of the covered repositories: admin, like a run
export const POST = withRole<{ id: string }>("ADMIN", async ({ params }) => previewPolicy(params.id));
