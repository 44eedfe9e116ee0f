"use client";
import type { PromotionView } from "@/lib/schemas/promotion";
import { formatBytes, shortDigest } from "@/components/format";

const tone: Record<PromotionView["state"], string> = {
  queued: "bg-slate-100 text-slate-700",
  running: "bg-sky-100 text-sky-800",
  succeeded: "bg-emerald-100 text-emerald-800",
  failed: "bg-red-100 text-red-800",
};

export function PromotionState({ p }: { p: PromotionView }) {
  return <span data-testid="promotion-state" className={`rounded px-1.5 py-0.5 text-xs font-medium ${tone[p.state]}`}>{p.state}</span>;
}

export function PromotionProgress({ p }: { p: PromotionView }) {
  const pct = p.bytesTotal > 0 ? Math.round((100 * p.bytesDone) / p.bytesTotal) : p.state === "succeeded" ? 100 : 0;
  return (
    <div className="space-y-1 text-xs" data-testid="promotion-progress">
      <div className="flex flex-wrap items-center gap-x-2">
        <PromotionState p={p} />
        <span className="text-slate-600">
          {p.blobsTotal > 0 ? `${p.blobsDone}/${p.blobsTotal} blobs · ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}` : p.state === "queued" ? "waiting for a worker" : ""}
        </span>
        {p.digest && p.state === "succeeded" && <code className="font-mono text-slate-500">{shortDigest(p.digest)}</code>}
      </div>
      {(p.state === "running" || p.state === "queued") && (
        <div className="h-1.5 w-full overflow-hidden rounded bg-slate-200"><div className="h-full bg-sky-600 transition-all" style={{ width: `${pct}%` }} /></div>
      )}
      {p.error && <p className="break-words text-red-700">{p.error}</p>}
    </div>
  );
}
