import Link from "next/link";
import { requireRole } from "@/lib/auth/guard";
import { hasRole } from "@/lib/schemas/roles";
import { PipelineMatrix } from "@/components/pipeline-matrix";

export const metadata = { title: "Pipeline" };

export default async function PipelinePage() {
  const actor = await requireRole("VIEWER");
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-lg font-semibold">Pipeline</h1>
        {hasRole(actor.role, "ADMIN") && <Link className="btn-secondary py-1" href="/settings/pipeline">Stages and protection rules</Link>}
      </div>
      <p className="text-sm text-slate-600">Where each version stands: ✓ the same digest as the stage before, ≠ another digest, – not there. One click promotes a version to the next stage.</p>
      <PipelineMatrix canPromote={hasRole(actor.role, "OPERATOR")} />
    </div>
  );
}
