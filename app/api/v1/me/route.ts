import { withRole } from "@/lib/auth/guard";

export const GET = withRole("VIEWER", async ({ actor }) => ({ id: actor.id, email: actor.email, name: actor.name, role: actor.role }));
