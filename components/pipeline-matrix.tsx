"use client";
// The pipeline as a matrix: versions (tags of the first stage, newest first) × stages. Each cell
// says whether the version is there (the same digest as the stage before, or another one); one
// click promotes it to the next stage. Stages with protection rules are marked.
import Link from "next/link";
import { useEffect, useMemo, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { ErrorMessage } from "@/components/error-message";
import { manifestHref, shortDigest } from "@/components/format";
import { usePromotion, usePromotionMutations } from "@/components/hooks/use-promotions";
import { promotionFinished } from "@/lib/schemas/promotion";
import { useRegistries } from "@/components/hooks/use-registries";
import { useStageList } from "@/components/hooks/use-stage-list";
import { stagesKey, useStagesOf, type StageCell } from "@/components/hooks/use-stages";
import { useTags } from "@/components/hooks/use-tags";
import type { StageRow, RuleRow } from "@/components/hooks/use-pipeline";
import { PromotionState } from "@/components/promotion-progress";
import { compareTagNames } from "@/lib/tag-sort";
import { globMatch } from "@/lib/glob-match";

const PAGE = 12;

function rulesFor(rules: RuleRow[], stage: Pick<StageRow, "registryId" | "repository">, tag?: string): RuleRow[] {
  return rules.filter((r) => (!r.registryId || r.registryId === stage.registryId) && safeMatch(r.repositoryGlob, stage.repository) && (tag === undefined || safeMatch(r.tagGlob, tag)));
}

function safeMatch(glob: string, value: string): boolean {
  try {
    return globMatch(glob, value);
  } catch {
    return true; // an unreadable rule protects everything (as the server does)
  }
}

const ruleText = (r: RuleRow) => r.reason || `${r.repositoryGlob}:${r.tagGlob} ${r.immutable ? "is immutable" : `needs ${r.minRole.toLowerCase()}`}`;

export function PipelineMatrix({ canPromote }: { canPromote: boolean }) {
  const { stages, rules } = useStageList();
  const { data: registries = [] } = useRegistries();
  const list = stages.data ?? [];
  const first = list[0];
  const tags = useTags(first?.registryId ?? "", first?.repository ?? "", !!first);
  const [shown, setShown] = useState(PAGE);
  const all = useMemo(() => (tags.data?.tags ?? []).map((t) => t.name).sort((a, b) => compareTagNames(b, a)), [tags.data]);
  const versions = all.slice(0, shown);
  const rows = useStagesOf(versions);
  const registryName = (id: string) => registries.find((r) => r.id === id)?.name ?? id.slice(0, 8);

  if (stages.isPending) return <p className="text-sm text-slate-500">Loading the pipeline…</p>;
  if (!list.length) {
    return (
      <p className="card p-4 text-sm text-slate-600" data-testid="pipeline-empty">
        No stages yet. An admin adds them (dev → staging → prod, each one repository) in <Link className="text-sky-800 underline" href="/settings/pipeline">Settings → Pipeline</Link>.
      </p>
    );
  }
  return (
    <div className="space-y-3">
      <ErrorMessage error={stages.error ?? rules.error} query={stages.error ? stages : rules} />
      <ErrorMessage error={tags.error} query={tags} />
      <div className="card overflow-x-auto">
        <table className="w-full text-left text-sm" data-testid="pipeline-matrix">
          <caption className="sr-only">Versions of {first!.repository} in each stage</caption>
          <thead className="border-b border-slate-200 bg-slate-50 text-xs text-slate-600">
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">Version</th>
              {list.map((s) => {
                const guard = rulesFor(rules.data ?? [], s);
                return (
                  <th key={s.id} scope="col" className="px-3 py-2 font-medium" data-testid="stage-header">
                    <span className="text-slate-800">{s.name}</span>
                    {guard.length > 0 && (
                      <span className="ml-1 rounded bg-amber-50 px-1 text-[11px] text-amber-900" title={guard.map(ruleText).join("; ")} data-testid="stage-protected">
                        protected
                      </span>
                    )}
                    <span className="block max-w-[12rem] truncate font-normal text-slate-500" title={`${registryName(s.registryId)}/${s.repository}`}>{registryName(s.registryId)}/{s.repository}</span>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {tags.isPending && <tr><td colSpan={list.length + 1} className="px-3 py-3 text-slate-500">Loading versions…</td></tr>}
            {tags.data && !all.length && <tr><td colSpan={list.length + 1} className="px-3 py-3 text-slate-500">No version in {first!.name} yet.</td></tr>}
            {versions.map((v, i) => {
              const cells = rows[i]?.data;
              return (
                <tr key={v} data-testid="pipeline-row" data-version={v}>
                  <th scope="row" className="px-3 py-2 font-mono text-xs font-normal">
                    <Link className="text-sky-800 hover:underline" href={manifestHref(first!.registryId, first!.repository, v)}>{v}</Link>
                  </th>
                  {list.map((s, j) => {
                    const here = cells?.find((c) => c.id === s.id);
                    const before = j > 0 ? cells?.find((c) => c.id === list[j - 1]!.id) : undefined;
                    const locked = rulesFor(rules.data ?? [], s, v);
                    return (
                      <td key={s.id} className="px-3 py-2 text-xs" data-testid="pipeline-cell" data-stage={s.name}>
                        {!cells ? (
                          rows[i]?.error ? <span className="text-red-700">unknown</span> : <span className="inline-block h-3 w-12 motion-safe:animate-pulse rounded bg-slate-100" />
                        ) : (
                          <Cell version={v} stage={s.name} here={here} before={before} locked={locked} canPromote={canPromote} />
                        )}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {all.length > shown && (
        <button type="button" className="btn-secondary" onClick={() => setShown((n) => n + PAGE)}>
          Older versions ({(all.length - shown).toLocaleString("en")} more)
        </button>
      )}
    </div>
  );
}

function Cell({ version, stage, here, before, locked, canPromote }: { version: string; stage: string; here?: StageCell; before?: StageCell; locked: RuleRow[]; canPromote: boolean }) {
  const present = here?.digest;
  const same = !!present && !!before?.digest && before.digest === present;
  // promote from the stage before when it has the version and this stage lacks it or has another digest
  const promotable = canPromote && !!before?.digest && present !== before.digest && here?.digest !== undefined;
  return (
    <div className="flex flex-wrap items-center gap-1.5">
      {present ? (
        <Link href={manifestHref(here!.registryId, here!.repository, version)} className={`rounded px-1.5 py-0.5 font-mono ${before && !same ? "bg-amber-100 text-amber-900" : "bg-emerald-100 text-emerald-800"}`} title={`${present}${before && !same ? ` (differs from ${before.name})` : ""}`} data-testid="cell-digest">
          {before && !same ? "≠ " : "✓ "}{shortDigest(present)}
        </Link>
      ) : here?.error ? (
        <span className="text-red-700" title={here.error}>unreachable</span>
      ) : (
        <span className="text-slate-500" aria-label="not in this stage">–</span>
      )}
      {locked.length > 0 && <span className="rounded bg-amber-50 px-1 text-[11px] text-amber-900" title={locked.map(ruleText).join("; ")} data-testid="cell-protected">protected</span>}
      {promotable && <PromoteButton version={version} stage={stage} from={before!} to={here!} overwrite={!!present} />}
    </div>
  );
}

/** One click: promote the digest the stage before has to this stage, then follow the job. */
function PromoteButton({ version, stage, from, to, overwrite }: { version: string; stage: string; from: StageCell; to: StageCell; overwrite: boolean }) {
  const m = usePromotionMutations();
  const job = usePromotion(m.run.data?.id ?? null);
  const qc = useQueryClient();
  const state = job.data?.state ?? m.run.data?.state;
  useEffect(() => {
    if (state && promotionFinished(state)) qc.invalidateQueries({ queryKey: stagesKey(version) });
  }, [state, qc, version]);
  if (m.run.data && job.data) {
    return (
      <span className="flex flex-wrap items-center gap-1" data-testid="cell-promotion">
        <PromotionState p={job.data} />
        {job.data.error && <span className="text-red-700">{job.data.error}</span>}
      </span>
    );
  }
  return (
    <>
      <button
        type="button"
        className="btn-secondary px-1.5 py-0.5 text-xs"
        disabled={m.run.isPending}
        onClick={() => m.run.mutate({ source: { registryId: from.registryId, repository: from.repository, reference: from.digest!, tag: version }, target: { registryId: to.registryId, repository: to.repository, tag: version }, overwrite })}
        aria-label={`Promote ${version} from ${from.name} to ${stage}`}
        data-testid="promote-next"
      >
        {m.run.isPending ? "Promoting…" : `→ ${stage}`}
      </button>
      <ErrorMessage error={m.run.error} />
    </>
  );
}
