"use client";
// The promote dialog's "what changes": the diff of what the target tag holds now against what the
// promotion would put there, read only when opened (two manifests and configs).
import { useState } from "react";
import { DiffResult } from "@/components/compare-view";
import { ErrorMessage } from "@/components/error-message";
import { shortDigest } from "@/components/format";
import { useDiff } from "@/components/hooks/use-diff";
import { formatDiffReference } from "@/lib/schemas/diff";

export function PlanDiff({ source, target, current, next }: { source: { registryId: string; repository: string }; target: { registryId: string; repository: string }; current: string; next: string }) {
  const [open, setOpen] = useState(false);
  const from = open ? formatDiffReference({ registryId: target.registryId, repository: target.repository, reference: current }) : "";
  const to = open ? formatDiffReference({ registryId: source.registryId, repository: source.repository, reference: next }) : "";
  const diff = useDiff(from, to);
  return (
    <details className="mt-2" data-testid="plan-diff" onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary className="cursor-pointer font-medium">What changes: the target now ({shortDigest(current)}) against this version</summary>
      <div className="mt-2">
        {diff.isLoading && <p className="text-xs text-slate-500">Reading both manifests…</p>}
        {diff.error && <ErrorMessage error={diff.error} />}
        {diff.data && <DiffResult d={diff.data} />}
      </div>
    </details>
  );
}
