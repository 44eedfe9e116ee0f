"use client";
// An image's size across its tags (newest versions first): the heavy one stands out. Reads the
// tag table's own query (no second request); the sizes fill in as the table's details arrive.
import { useMemo, useState } from "react";
import { manifestHref } from "@/components/format";
import { useTags } from "@/components/hooks/use-tags";
import { SizeBars } from "@/components/size-bars";
import { compareTagNames } from "@/lib/tag-sort";

const SHOWN = 15;

export function TagSizeChart({ registryId, repository }: { registryId: string; repository: string }) {
  const tags = useTags(registryId, repository, false);
  const [all, setAll] = useState(false);
  const sized = useMemo(() => (tags.data?.tags ?? []).filter((t) => t.size !== undefined && t.size !== null).sort((a, b) => compareTagNames(b.name, a.name)), [tags.data]);
  if (sized.length < 2) return null;
  const shown = all ? sized.slice(0, 200) : sized.slice(0, SHOWN);
  return (
    <section className="card mt-4" aria-labelledby="tag-sizes">
      <h2 id="tag-sizes" className="flex flex-wrap items-baseline gap-2 border-b border-slate-100 px-4 py-2 text-sm font-medium">
        Size across tags <span className="text-xs font-normal text-slate-500">compressed image size, newest versions first{sized.length > shown.length ? ` (${shown.length} of ${sized.length})` : ""}</span>
      </h2>
      <SizeBars caption={`Image size of the ${shown.length} newest tags`} testId="tag-sizes" items={shown.map((t) => ({ key: t.name, label: t.name, size: t.size ?? undefined, href: manifestHref(registryId, repository, t.name) }))} />
      {sized.length > SHOWN && (
        <button type="button" className="btn-secondary mx-4 mb-3 py-0.5 text-xs" onClick={() => setAll(!all)}>{all ? "Fewer" : `More (up to ${Math.min(200, sized.length)})`}</button>
      )}
    </section>
  );
}
