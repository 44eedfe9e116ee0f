"use client";
import { Time } from "@/components/time";
import { useState } from "react";
import type { TokenView } from "@/lib/schemas/user";
import { ErrorMessage } from "@/components/error-message";
import { useAllTokens, useTokenMutations, useTokens } from "@/components/hooks/use-tokens";

const SCOPE_LABEL: Record<TokenView["scope"], string> = { READ: "read only", WRITE: "read and write" };

function TokenRows({ tokens, owner, onRevoke, empty }: { tokens: TokenView[]; owner?: boolean; onRevoke: (t: TokenView) => void; empty: string }) {
  const cols = owner ? 8 : 7;
  return (
    <div className="card overflow-x-auto" tabIndex={0} role="region" aria-label={owner ? "Everyone's tokens (scrolls sideways on a narrow screen)" : "API tokens (scrolls sideways on a narrow screen)"}>
      <table className="w-full whitespace-nowrap text-left text-sm">
        <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
          <tr>
            {owner && <th className="px-4 py-2">Owner</th>}
            <th className="px-4 py-2">Name</th><th className="px-4 py-2">Token</th><th className="px-4 py-2">Scope</th><th className="px-4 py-2">Created</th>
            <th className="px-4 py-2">Last used</th><th className="px-4 py-2">Expires</th><th className="px-4 py-2" />
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {tokens.length === 0 && <tr><td colSpan={cols} className="px-4 py-6 text-center text-slate-500">{empty}</td></tr>}
          {tokens.map((t) => (
            <tr key={t.id}>
              {owner && <td className="px-4 py-2 text-xs">{t.owner?.email}</td>}
              <td className="px-4 py-2 font-medium">{t.name}</td>
              <td className="px-4 py-2 font-mono text-xs">{t.prefix}…</td>
              <td className="px-4 py-2 text-xs"><span className={t.scope === "WRITE" ? "rounded bg-amber-100 px-1.5 py-0.5 text-amber-900" : "rounded bg-slate-100 px-1.5 py-0.5"}>{SCOPE_LABEL[t.scope]}</span>{t.registryIds?.length ? <span className="ml-1 text-slate-600">· {t.registryIds.length === 1 ? "1 registry" : `${t.registryIds.length} registries`}</span> : null}</td>
              <td className="px-4 py-2 text-xs"><Time at={t.createdAt} /></td>
              <td className="px-4 py-2 text-xs">{t.lastUsedAt ? <Time at={t.lastUsedAt} /> : "never"}</td>
              <td className="px-4 py-2 text-xs">{t.expiresAt ? <Time at={t.expiresAt} /> : "never"}</td>
              <td className="px-4 py-2 text-right"><button className="btn-danger py-1" onClick={() => onRevoke(t)} aria-label={`Revoke ${t.name}${owner ? ` of ${t.owner?.email}` : ""}`}>Revoke</button></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function TokensSettings({ initial, all: allInitial, isAdmin, registries = [] }: { initial: TokenView[]; all?: TokenView[]; isAdmin?: boolean; registries?: { id: string; name: string }[] }) {
  const { data: tokens = [] } = useTokens(initial);
  const all = useAllTokens(allInitial, !!isAdmin);
  const m = useTokenMutations();
  const [fresh, setFresh] = useState<string | null>(null);

  function create(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const registryIds = f.getAll("registryIds").map(String).filter(Boolean);
    m.create.mutate({ name: String(f.get("name")), scope: String(f.get("scope")), expiresInDays: Number(f.get("days")), ...(registryIds.length ? { registryIds } : {}) }, {
      onSuccess: (t) => { setFresh(t.token); form.reset(); },
    });
  }
  const revoke = (t: TokenView) => m.revoke.mutate(t.id);

  return (
    <div className="space-y-4">
      <h1 className="text-lg font-semibold">API tokens</h1>
      <p className="text-sm text-slate-600">
        A token acts with your rights (your role and your teams' grants, as they are when it is used), limited to the registries you choose; a read-only token can only read. Send it as <code className="rounded bg-slate-100 px-1">Authorization: Bearer rgt_…</code> to <code className="rounded bg-slate-100 px-1">/api/v1</code>, for example from CI.
        Tokens end when they expire, when you revoke them, and when your password is reset or your role is lowered.
      </p>
      <form onSubmit={create} className="card flex flex-wrap items-end gap-3 p-4" aria-label="Create token">
        <div className="min-w-48 flex-1"><label className="label" htmlFor="t-name">Name</label><input id="t-name" name="name" className="input" placeholder="e.g. github-actions" required maxLength={64} /></div>
        <div><label className="label" htmlFor="t-scope">Scope</label>
          <select id="t-scope" name="scope" className="input" defaultValue="READ"><option value="READ">read only</option><option value="WRITE">read and write</option></select></div>
        <div><label className="label" htmlFor="t-days">Expires</label>
          <select id="t-days" name="days" className="input" defaultValue="90"><option value="7">in 7 days</option><option value="30">in 30 days</option><option value="90">in 90 days</option><option value="365">in a year</option></select></div>
        {registries.length > 0 && (
          <div><label className="label" htmlFor="t-registries">Registries</label>
            <select id="t-registries" name="registryIds" className="input min-h-[2.25rem]" multiple size={Math.min(registries.length, 3)} title="none selected: every registry you may see">
              {registries.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
            </select>
            <p className="mt-0.5 text-xs text-slate-500">none selected: all you may see</p></div>
        )}
        <button className="btn-primary" type="submit" disabled={m.create.isPending}>Create token</button>
      </form>
      <ErrorMessage error={m.create.error ?? m.revoke.error} />
      {fresh && (
        <div className="card border-emerald-300 bg-emerald-50 p-4" role="status">
          <p className="text-sm font-medium text-emerald-900">Copy this token now: it is shown only once.</p>
          <div className="mt-2 flex flex-wrap gap-2">
            <code data-testid="new-token" className="min-w-0 flex-1 overflow-x-auto rounded bg-white px-2 py-1.5 font-mono text-xs">{fresh}</code>
            <button className="btn-secondary py-1" onClick={() => navigator.clipboard?.writeText(fresh)}>Copy</button>
            <button className="btn-secondary py-1" onClick={() => setFresh(null)}>Done</button>
          </div>
        </div>
      )}
      <TokenRows tokens={tokens} onRevoke={revoke} empty="No tokens." />
      {isAdmin && (
        <section aria-label="Everyone's tokens" className="space-y-2 pt-2">
          <h2 className="text-base font-semibold">Everyone&apos;s tokens</h2>
          <p className="text-sm text-slate-600">As an admin you can revoke anyone&apos;s token, for example when someone leaves or a token leaks.</p>
          <TokenRows tokens={all.data ?? []} owner onRevoke={revoke} empty="Nobody has a token." />
        </section>
      )}
    </div>
  );
}
