"use client";
import { useState } from "react";
import { ROLES } from "@/lib/schemas/roles";
import type { TeamView } from "@/lib/schemas/team";
import { ErrorMessage } from "@/components/error-message";
import { fieldError } from "@/components/field-error";
import { useTeamMutations, useTeams } from "@/components/hooks/use-teams";
import { ConfirmButton } from "./confirm-button";

type Option = { id: string; label: string };
const ROLE_HELP = "viewer sees; operator also promotes into and deletes; admin also reads the registry's audit events";

function TeamCard({ team, users, registries }: { team: TeamView; users: Option[]; registries: Option[] }) {
  const m = useTeamMutations();
  const [renaming, setRenaming] = useState(false);
  const others = users.filter((u) => !team.members.some((x) => x.userId === u.id));

  function rename(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    m.update.mutate({ id: team.id, body: { name: String(f.get("name")), oidcGroup: String(f.get("oidcGroup") || "") || null } }, { onSuccess: () => setRenaming(false) });
  }
  function addGrant(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    m.addGrant.mutate(
      { id: team.id, body: { registryId: String(f.get("registryId")), repositoryGlob: String(f.get("repositoryGlob") || "*"), role: String(f.get("role")), mayPublish: f.get("mayPublish") === "on" } },
      { onSuccess: () => form.reset() },
    );
  }
  const globErr = fieldError(m.addGrant.error, "repositoryGlob");

  return (
    <section className="card space-y-4 p-4" aria-label={`Team ${team.name}`} data-testid="team-card">
      <div className="flex flex-wrap items-center justify-between gap-2">
        {renaming ? (
          <form onSubmit={rename} className="flex flex-wrap items-end gap-2" aria-label={`Rename ${team.name}`}>
            <div><label className="label" htmlFor={`n-${team.id}`}>Name</label><input id={`n-${team.id}`} name="name" className="input" defaultValue={team.name} required maxLength={64} /></div>
            <div><label className="label" htmlFor={`g-${team.id}`}>OIDC group</label><input id={`g-${team.id}`} name="oidcGroup" className="input" defaultValue={team.oidcGroup ?? ""} placeholder="none" /></div>
            <button className="btn-primary py-1" type="submit">Save</button>
            <button className="btn-secondary py-1" type="button" onClick={() => setRenaming(false)}>Cancel</button>
          </form>
        ) : (
          <div className="min-w-0">
            <h2 className="break-all font-medium">{team.name}</h2>
            <p className="text-xs text-slate-600">{team.oidcGroup ? <>members of the identity provider's group <code className="rounded bg-slate-100 px-1">{team.oidcGroup}</code> join at sign-in</> : "no OIDC group: members are added here"}</p>
          </div>
        )}
        {!renaming && (
          <div className="flex gap-2">
            <button className="btn-secondary py-1" onClick={() => setRenaming(true)}>Edit</button>
            <ConfirmButton question={`Delete team ${team.name}? Its members lose the rights its grants gave.`} onConfirm={() => m.remove.mutate(team.id)}>Delete</ConfirmButton>
          </div>
        )}
      </div>
      <ErrorMessage error={m.update.error ?? m.remove.error ?? m.addMember.error ?? m.removeMember.error ?? m.removeGrant.error} />

      <div className="grid gap-4 lg:grid-cols-2">
        <div>
          <h3 className="mb-2 text-sm font-medium">Members</h3>
          <ul className="divide-y divide-slate-100 rounded border border-slate-200 text-sm dark:border-slate-700">
            {team.members.length === 0 && <li className="px-3 py-2 text-slate-500">No members yet.</li>}
            {team.members.map((u) => (
              <li key={u.userId} className="flex items-center justify-between gap-2 px-3 py-1.5">
                <span className="min-w-0 break-all">{u.email}{u.fromOidc && <span className="ml-2 text-xs text-slate-500">from OIDC group</span>}</span>
                <button className="btn-secondary py-0.5 text-xs" aria-label={`Remove ${u.email} from ${team.name}`} onClick={() => m.removeMember.mutate({ id: team.id, userId: u.userId })}>Remove</button>
              </li>
            ))}
          </ul>
          {others.length > 0 && (
            <form className="mt-2 flex gap-2" aria-label={`Add a member to ${team.name}`}
              onSubmit={(e) => { e.preventDefault(); const v = String(new FormData(e.currentTarget).get("userId")); if (v) m.addMember.mutate({ id: team.id, userId: v }); }}>
              <label className="sr-only" htmlFor={`m-${team.id}`}>Person</label>
              <select id={`m-${team.id}`} name="userId" className="input min-w-0 flex-1">{others.map((u) => <option key={u.id} value={u.id}>{u.label}</option>)}</select>
              <button className="btn-secondary" type="submit">Add</button>
            </form>
          )}
        </div>

        <div>
          <h3 className="mb-2 text-sm font-medium">Grants</h3>
          <ul className="divide-y divide-slate-100 rounded border border-slate-200 text-sm dark:border-slate-700">
            {team.grants.length === 0 && <li className="px-3 py-2 text-slate-500">No grants: members see nothing through this team.</li>}
            {team.grants.map((g) => (
              <li key={g.id} className="flex items-center justify-between gap-2 px-3 py-1.5" data-testid="grant-row">
                <span className="min-w-0 break-all">
                  <strong>{g.role.toLowerCase()}</strong> on {g.registryName} <code className="rounded bg-slate-100 px-1 text-xs">{g.repositoryGlob}</code>
                  {g.mayPublish && <span className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-xs text-amber-900">may publish</span>}
                </span>
                <button className="btn-secondary py-0.5 text-xs" aria-label={`Remove the grant on ${g.registryName} ${g.repositoryGlob}`} onClick={() => m.removeGrant.mutate({ id: team.id, grantId: g.id })}>Remove</button>
              </li>
            ))}
          </ul>
          <form onSubmit={addGrant} className="mt-2 grid gap-2 sm:grid-cols-2" aria-label={`Add a grant to ${team.name}`}>
            <div><label className="label" htmlFor={`r-${team.id}`}>Registry</label>
              <select id={`r-${team.id}`} name="registryId" className="input" required>{registries.map((r) => <option key={r.id} value={r.id}>{r.label}</option>)}</select></div>
            <div><label className="label" htmlFor={`gl-${team.id}`}>Repositories (glob)</label><input id={`gl-${team.id}`} name="repositoryGlob" className="input" defaultValue="*" />{globErr && <p className="mt-1 text-xs text-red-700">{globErr}</p>}</div>
            <div><label className="label" htmlFor={`ro-${team.id}`}>Role</label>
              <select id={`ro-${team.id}`} name="role" className="input" defaultValue="VIEWER" title={ROLE_HELP}>{ROLES.map((r) => <option key={r} value={r}>{r === "ADMIN" ? "registry admin" : r.toLowerCase()}</option>)}</select></div>
            <label className="flex items-center gap-2 self-end pb-2 text-sm"><input type="checkbox" name="mayPublish" /> may publish (private → public)</label>
            <div className="sm:col-span-2"><button className="btn-secondary" type="submit" disabled={!registries.length || m.addGrant.isPending}>Add grant</button></div>
          </form>
          {!globErr && <ErrorMessage error={m.addGrant.error} />}
        </div>
      </div>
    </section>
  );
}

export function TeamsSettings({ initial, users, registries }: { initial: TeamView[]; users: Option[]; registries: Option[] }) {
  const { data: teams = [] } = useTeams(initial);
  const m = useTeamMutations();
  const [adding, setAdding] = useState(false);

  function add(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    m.create.mutate({ name: String(f.get("name")), oidcGroup: String(f.get("oidcGroup") || "") || null }, { onSuccess: () => setAdding(false) });
  }

  return (
    <div className="space-y-4">
      <div className="flex items-center justify-between">
        <h1 className="text-lg font-semibold">Teams</h1>
        {!adding && <button className="btn-primary" onClick={() => { m.create.reset(); setAdding(true); }}>Add team</button>}
      </div>
      <p className="text-sm text-slate-600">
        A team's grants give its members a role on a registry, optionally only on the repositories a glob matches ({ROLE_HELP}).
        A person's rights are their global role plus the union of their teams' grants; people with the global role “none” see only what their teams grant.
      </p>
      {adding && (
        <form onSubmit={add} className="card grid gap-4 p-5 sm:grid-cols-3" aria-label="Add team">
          <div><label className="label" htmlFor="t-name">Name</label><input id="t-name" name="name" className="input" required maxLength={64} />
            {fieldError(m.create.error, "name") && <p className="mt-1 text-xs text-red-700">{fieldError(m.create.error, "name")}</p>}</div>
          <div><label className="label" htmlFor="t-group">OIDC group (optional)</label><input id="t-group" name="oidcGroup" className="input" placeholder="e.g. platform-engineers" /></div>
          <div className="flex items-end gap-2">
            <button className="btn-primary" type="submit" disabled={m.create.isPending}>Add team</button>
            <button className="btn-secondary" type="button" onClick={() => setAdding(false)}>Cancel</button>
          </div>
          <div className="sm:col-span-3"><ErrorMessage error={m.create.error} /></div>
        </form>
      )}
      {teams.length === 0 && !adding && <p className="card p-6 text-center text-sm text-slate-500">No teams yet. Until there are, every person's global role is all that counts.</p>}
      {teams.map((t) => <TeamCard key={t.id} team={t} users={users} registries={registries} />)}
    </div>
  );
}
