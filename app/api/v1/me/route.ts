import { withRole } from "@/lib/auth/guard";
import { myAccess } from "@/lib/services/teams";

// who I am, and what I may see and do and why: my global role, my teams and their grants
export const GET = withRole("VIEWER", async ({ actor }) => ({ id: actor.id, email: actor.email, name: actor.name, role: actor.role, access: await myAccess(actor) }));
