"use client";
import { Time } from "@/components/time";
import { useState } from "react";
import { GLOBAL_ROLES as ROLES, type GlobalRole as Role } from "@/lib/schemas/roles";
import type { UserView } from "@/lib/schemas/user";
import { ErrorMessage } from "@/components/error-message";
import { fieldError } from "@/components/field-error";
import { useUserMutations, useUsers } from "@/components/hooks/use-users";
import { ConfirmButton } from "./confirm-button";

export function UsersSettings({ initial, selfId }: { initial: UserView[]; selfId: string }) {
  const { data: users = [] } = useUsers(initial);
  const m = useUserMutations();
  const [adding, setAdding] = useState(false);

  function add(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    m.create.mutate(
      { email: String(f.get("email")), name: String(f.get("name") || "") || undefined, role: f.get("role"), password: String(f.get("password")) },
      { onSuccess: () => setAdding(false) },
    );
  }
  const err = (field: string) => {
    const msg = fieldError(m.create.error, field);
    return msg ? <p className="mt-1 text-xs text-red-700">{msg}</p> : null;
  };

  return (
    <div className="space-y-4">
      <div className="flex items-center justify-between">
        <h1 className="text-lg font-semibold">Users</h1>
        {!adding && <button className="btn-primary" onClick={() => { m.create.reset(); setAdding(true); }}>Add user</button>}
      </div>
      <p className="text-sm text-slate-600">Viewers browse; operators also retag, promote and roll back; admins also manage registries and users. “None” gives no global rights: such people see only what their teams grant (Settings → Teams).</p>
      {adding && (
        <form onSubmit={add} className="card grid gap-4 p-5 sm:grid-cols-4" aria-label="Add user">
          <div><label className="label" htmlFor="u-email">Email</label><input id="u-email" name="email" type="email" className="input" required />{err("email")}</div>
          <div><label className="label" htmlFor="u-name">Name</label><input id="u-name" name="name" className="input" /></div>
          <div><label className="label" htmlFor="u-role">Role</label>
            <select id="u-role" name="role" className="input" defaultValue="VIEWER">{ROLES.map((r) => <option key={r} value={r}>{r === "NONE" ? "none (teams only)" : r.toLowerCase()}</option>)}</select></div>
          <div><label className="label" htmlFor="u-password">Initial password</label><input id="u-password" name="password" type="password" className="input" autoComplete="new-password" required minLength={10} />{err("password")}</div>
          <div className="flex gap-2 sm:col-span-4">
            <button className="btn-primary" type="submit" disabled={m.create.isPending}>Add user</button>
            <button className="btn-secondary" type="button" onClick={() => setAdding(false)}>Cancel</button>
          </div>
          <div className="sm:col-span-4"><ErrorMessage error={m.create.error} /></div>
        </form>
      )}
      <ErrorMessage error={m.update.error ?? m.remove.error} />
      <div className="card overflow-x-auto" tabIndex={0} role="region" aria-label="Users (scrolls sideways on a narrow screen)">
        <table className="w-full text-left text-sm">
          <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
            <tr><th className="px-4 py-2">Email</th><th className="px-4 py-2">Name</th><th className="px-4 py-2">Role</th><th className="px-4 py-2">Last sign-in</th><th className="px-4 py-2" /></tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {users.map((u) => (
              <tr key={u.id}>
                <td className="px-4 py-2">{u.email}{u.external && <span className="ml-2 text-xs text-slate-500">SSO</span>}</td>
                <td className="px-4 py-2 text-slate-600">{u.name}</td>
                <td className="px-4 py-2">
                  <select aria-label={`Role of ${u.email}`} className="input w-32 py-1" value={u.role}
                    onChange={(e) => m.update.mutate({ id: u.id, body: { role: e.target.value as Role } })}>
                    {ROLES.map((r) => <option key={r} value={r}>{r === "NONE" ? "none (teams only)" : r.toLowerCase()}</option>)}
                  </select>
                </td>
                <td className="px-4 py-2 text-xs text-slate-500">{u.lastLoginAt ? <Time at={u.lastLoginAt} /> : "never"}</td>
                <td className="px-4 py-2 text-right">
                  {u.id !== selfId && (
                    <ConfirmButton question={`Remove ${u.email}? Their API tokens stop working.`} onConfirm={() => m.remove.mutate(u.id)} />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
