"use client";
import { useState } from "react";
import type { TokenView } from "@/lib/schemas/user";
import { ErrorBanner } from "@/components/field-error";
import { useTokenMutations, useTokens } from "@/components/hooks/use-tokens";

export function TokensSettings({ initial }: { initial: TokenView[] }) {
  const { data: tokens = [] } = useTokens(initial);
  const m = useTokenMutations();
  const [fresh, setFresh] = useState<string | null>(null);

  function create(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const days = Number(f.get("days"));
    m.create.mutate({ name: String(f.get("name")), ...(days ? { expiresInDays: days } : {}) }, {
      onSuccess: (t) => { setFresh(t.token); form.reset(); },
    });
  }

  return (
    <div className="space-y-4">
      <h1 className="text-lg font-semibold">API tokens</h1>
      <p className="text-sm text-slate-600">
        A token acts with your role. Send it as <code className="rounded bg-slate-100 px-1">Authorization: Bearer rgt_…</code> to <code className="rounded bg-slate-100 px-1">/api/v1</code>, for example from CI.
      </p>
      <form onSubmit={create} className="card flex flex-wrap items-end gap-3 p-4" aria-label="Create token">
        <div className="min-w-64 flex-1"><label className="label" htmlFor="t-name">Name</label><input id="t-name" name="name" className="input" placeholder="e.g. github-actions" required maxLength={64} /></div>
        <div><label className="label" htmlFor="t-days">Expires</label>
          <select id="t-days" name="days" className="input" defaultValue="90"><option value="30">in 30 days</option><option value="90">in 90 days</option><option value="365">in a year</option><option value="">never</option></select></div>
        <button className="btn-primary" type="submit" disabled={m.create.isPending}>Create token</button>
      </form>
      <ErrorBanner error={m.create.error ?? m.revoke.error} />
      {fresh && (
        <div className="card border-emerald-300 bg-emerald-50 p-4" role="status">
          <p className="text-sm font-medium text-emerald-900">Copy this token now: it is shown only once.</p>
          <div className="mt-2 flex gap-2">
            <code data-testid="new-token" className="flex-1 overflow-x-auto rounded bg-white px-2 py-1.5 font-mono text-xs">{fresh}</code>
            <button className="btn-secondary py-1" onClick={() => navigator.clipboard?.writeText(fresh)}>Copy</button>
            <button className="btn-secondary py-1" onClick={() => setFresh(null)}>Done</button>
          </div>
        </div>
      )}
      <div className="card overflow-x-auto" tabIndex={0} role="region" aria-label="API tokens (scrolls sideways on a narrow screen)">
        <table className="w-full text-left text-sm">
          <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
            <tr><th className="px-4 py-2">Name</th><th className="px-4 py-2">Token</th><th className="px-4 py-2">Created</th><th className="px-4 py-2">Last used</th><th className="px-4 py-2">Expires</th><th className="px-4 py-2" /></tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {tokens.length === 0 && <tr><td colSpan={6} className="px-4 py-6 text-center text-slate-500">No tokens.</td></tr>}
            {tokens.map((t) => (
              <tr key={t.id}>
                <td className="px-4 py-2 font-medium">{t.name}</td>
                <td className="px-4 py-2 font-mono text-xs">{t.prefix}…</td>
                <td className="px-4 py-2 text-xs">{new Date(t.createdAt).toLocaleDateString()}</td>
                <td className="px-4 py-2 text-xs">{t.lastUsedAt ? new Date(t.lastUsedAt).toLocaleString() : "never"}</td>
                <td className="px-4 py-2 text-xs">{t.expiresAt ? new Date(t.expiresAt).toLocaleDateString() : "never"}</td>
                <td className="px-4 py-2 text-right"><button className="btn-danger py-1" onClick={() => m.revoke.mutate(t.id)}>Revoke</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
