import { requireRole } from "@/lib/auth/guard";
import { myAccess } from "@/lib/services/teams";

export const metadata = { title: "My access" };

const CAN: Record<string, string> = {
  NONE: "nothing by itself",
  VIEWER: "see repositories, tags and manifests",
  OPERATOR: "see, promote, retag, roll back and delete",
  ADMIN: "everything, including registries, users and teams",
};
const GRANT_CAN: Record<string, string> = {
  VIEWER: "see",
  OPERATOR: "see, promote into, retag and delete",
  ADMIN: "see, promote into, delete, and read the audit events",
};

/** What the signed-in person may see and do, and why: their global role and each team grant. */
export default async function AccessPage() {
  const actor = await requireRole("VIEWER");
  const me = await myAccess(actor);
  return (
    <div className="space-y-4">
      <h1 className="text-lg font-semibold">My access</h1>
      <section className="card p-4 text-sm" data-testid="global-role">
        <h2 className="font-medium">Global role: {me.role === "NONE" ? "none" : me.role.toLowerCase()}</h2>
        <p className="mt-1 text-slate-600">
          {me.role === "NONE" ? "You have no global rights: you see only the registries your teams grant." : `On every registry you may ${CAN[me.role]}.`}
        </p>
      </section>
      <section className="card overflow-x-auto" tabIndex={0} role="region" aria-label="Team grants (scrolls sideways on a narrow screen)">
        <table className="w-full text-left text-sm">
          <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
            <tr><th className="px-4 py-2">Registry</th><th className="px-4 py-2">Repositories</th><th className="px-4 py-2">You may</th><th className="px-4 py-2">Because of</th></tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {me.grants.length === 0 && <tr><td colSpan={4} className="px-4 py-6 text-center text-slate-500">{me.teams.length ? "Your teams have no grants." : "You are in no team."}</td></tr>}
            {me.grants.map((g) => (
              <tr key={g.id} data-testid="my-grant">
                <td className="px-4 py-2 font-medium">{g.registryName}</td>
                <td className="px-4 py-2"><code className="rounded bg-slate-100 px-1 text-xs">{g.repositoryGlob}</code></td>
                <td className="px-4 py-2">{GRANT_CAN[g.role]}{g.mayPublish ? "; publish into public repositories" : ""}</td>
                <td className="px-4 py-2 text-slate-600">team {g.teamName} ({g.role === "ADMIN" ? "registry admin" : g.role.toLowerCase()} grant)</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
