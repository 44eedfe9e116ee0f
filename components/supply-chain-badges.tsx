"use client";
import { useSupplyChain } from "@/components/hooks/use-supply-chain";
import type { BadgeView } from "@/lib/schemas/signing";

const STYLE: Record<BadgeView["state"], string> = {
  verified: "bg-emerald-100 text-emerald-900",
  present: "bg-emerald-100 text-emerald-900",
  unverified: "bg-red-100 text-red-900",
  missing: "bg-slate-100 text-slate-700",
  error: "bg-amber-100 text-amber-900",
};

function Badge({ what, b, testId }: { what: string; b: BadgeView; testId: string }) {
  const text = b.state === "verified" ? `${what} verified · ${b.detail}`
    : b.state === "present" ? `${what} · ${b.detail}`
      : b.state === "unverified" ? `${what} not verified`
        : b.state === "error" ? `${what} unknown` : `no ${what.toLowerCase()}`;
  const icon = b.state === "verified" || b.state === "present" ? "✓" : b.state === "unverified" ? "✗" : b.state === "error" ? "!" : "–";
  return (
    <span data-testid={testId} data-state={b.state} title={b.reason ?? b.detail} className={`inline-flex max-w-full items-center gap-1 rounded px-2 py-0.5 text-xs ${STYLE[b.state]}`}>
      <span aria-hidden>{icon}</span><span className="truncate">{text}</span>
    </span>
  );
}

/** Signature (verified with which key / unverified, with why / missing) and SBOM badges of one manifest. */
export function SupplyChainBadges({ registryId, repository, reference }: { registryId: string; repository: string; reference: string }) {
  const q = useSupplyChain(registryId, repository, reference);
  // as tall as the badges it becomes: nothing below it moves when they come (a click aimed there lands)
  if (q.isPending) return <span className="flex items-center"><span className="inline-flex rounded px-2 py-0.5 text-xs text-slate-500">Checking signatures…</span></span>;
  if (q.error) return <span className="text-xs text-amber-800" data-testid="signature-badge" data-state="error">Signatures could not be checked: {q.error.message}</span>;
  const d = q.data;
  return (
    <span className="flex min-w-0 flex-wrap items-center gap-1" data-testid="supply-chain">
      <Badge what="Signature" b={d.signature} testId="signature-badge" />
      <Badge what="SBOM" b={d.sbom} testId="sbom-badge" />
      {d.signature.state === "unverified" && d.signature.reason && <span className="text-xs text-red-800">{d.signature.reason}</span>}
    </span>
  );
}
