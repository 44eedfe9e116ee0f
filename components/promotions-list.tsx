"use client";
import { ErrorMessage } from "@/components/error-message";
import { usePromotionMutations, usePromotions } from "@/components/hooks/use-promotions";
import { useRegistries } from "@/components/hooks/use-registries";
import { PromotionProgress } from "@/components/promotion-progress";
import { shortDigest } from "@/components/format";
import type { PromotionView } from "@/lib/schemas/promotion";

/** The tag the person chose (with its pinned digest short beside it), else the reference as given. */
function sourceLabel(registry: string, s: PromotionView["source"]): string {
  const digest = s.reference.startsWith("sha256:");
  if (s.tag) return `${registry}/${s.repository}:${s.tag}${digest ? ` @${shortDigest(s.reference)}` : ""}`;
  return `${registry}/${s.repository}${digest ? `@${s.reference.slice(0, 19)}` : `:${s.reference}`}`;
}

export function PromotionsList({ canRetry }: { canRetry: boolean }) {
  const list = usePromotions();
  const { data: registries = [] } = useRegistries();
  const m = usePromotionMutations();
  const name = (id: string) => registries.find((r) => r.id === id)?.name ?? id.slice(0, 8);
  return (
    <div className="space-y-4">
      <h1 className="text-lg font-semibold">Promotions</h1>
      <ErrorMessage error={list.error} query={list} />
      <ErrorMessage error={m.retry.error} />
      <div className="card divide-y divide-slate-100" data-testid="promotions">
        {list.data?.length === 0 && <p className="px-4 py-6 text-center text-sm text-slate-500">No promotion yet. Open a tag and choose Promote.</p>}
        {list.data?.map((p) => (
          <div key={p.id} className="grid gap-2 px-4 py-3 text-sm sm:grid-cols-[1fr_1fr_16rem_auto]">
            <div><span className="text-xs uppercase text-slate-500">{p.kind}</span><div className="font-mono text-xs" data-testid="promotion-source" title={p.source.reference}>{sourceLabel(name(p.source.registryId), p.source)}</div></div>
            <div><span className="text-xs text-slate-500">to</span><div className="font-mono text-xs">{name(p.target.registryId)}/{p.target.repository}:{p.target.tag}</div></div>
            <div><PromotionProgress p={p} /><div className="mt-1 text-xs text-slate-500">{p.requestedBy} · {new Date(p.createdAt).toLocaleString()}</div></div>
            <div>{canRetry && p.state === "failed" && <button className="btn-secondary py-1" onClick={() => m.retry.mutate(p.id)}>Retry</button>}</div>
          </div>
        ))}
      </div>
    </div>
  );
}
