"use client";
// Beside a manifest: what refers to it (signatures, SBOMs, attestations) and where else the same
// digest is known to Regatta (other registries, repositories, tags; parent indexes).
import { Time } from "@/components/time";
import Link from "next/link";
import { useState } from "react";
import { formatBytes, shortDigest } from "@/components/format";
import type { KnownPlace, Referrer, WhereElse } from "@/components/hooks/use-manifest";

const manifestHref = (registryId: string, repository: string, reference: string) =>
  `/registries/${registryId}/manifest?repository=${encodeURIComponent(repository)}&reference=${encodeURIComponent(reference)}`;

export function ReferrersCard({ registryId, repository, referrers, error }: { registryId: string; repository: string; referrers?: Referrer[]; error?: string }) {
  return (
    <section className="card overflow-x-auto" data-testid="referrers">
      <h2 className="border-b border-slate-100 px-4 py-2 text-sm font-medium">
        Referrers <span className="font-normal text-slate-500">— signatures, SBOMs, attestations attached to this digest</span>
      </h2>
      {error ? (
        <p className="px-4 py-2 text-sm text-amber-800">The registry did not list referrers: {error}</p>
      ) : !referrers?.length ? (
        <p className="px-4 py-2 text-sm text-slate-500">None attached.</p>
      ) : (
        <table className="w-full text-left text-sm"><tbody className="divide-y divide-slate-100">
          {referrers.map((r) => (
            <tr key={r.digest} data-testid="referrer">
              <td className="px-4 py-1.5 font-medium">{r.label}</td>
              <td className="px-4 py-1.5 font-mono text-xs text-slate-500">{r.artifactType ?? r.mediaType}</td>
              <td className="px-4 py-1.5 font-mono text-xs"><Link className="text-sky-800 hover:underline" href={manifestHref(registryId, repository, r.digest)}>{shortDigest(r.digest)}</Link></td>
              <td className="px-4 py-1.5 text-xs text-slate-500">{r.annotations?.["org.opencontainers.image.created"] ? <Time at={r.annotations["org.opencontainers.image.created"]} /> : ""}</td>
              <td className="px-4 py-1.5 text-right text-xs text-slate-500">{formatBytes(r.size)}</td>
            </tr>
          ))}
        </tbody></table>
      )}
    </section>
  );
}

/** Tags shown per repository before "and N more". */
const SHOWN = 6;

function GroupTags({ registryId, repository, tags, unlisted }: { registryId: string; repository: string; tags: string[]; unlisted: number }) {
  const [open, setOpen] = useState(false);
  const shown = open ? tags : tags.slice(0, SHOWN);
  const more = tags.length - shown.length + unlisted;
  return (
    <span className="flex flex-wrap items-center gap-1">
      {shown.map((t) => (
        <Link key={t} className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-700 hover:bg-sky-100 dark:bg-slate-800 dark:text-slate-200" href={manifestHref(registryId, repository, t)}>{t}</Link>
      ))}
      {more > 0 && (open || tags.length <= SHOWN ? (
        <Link className="text-xs text-sky-800 underline dark:text-sky-300" href={`/registries/${registryId}/tags?repository=${encodeURIComponent(repository)}`} data-testid="where-else-more">
          and {more.toLocaleString("en")} more in the tag table
        </Link>
      ) : (
        <button type="button" className="text-xs text-sky-800 underline dark:text-sky-300" aria-expanded={open} onClick={() => setOpen(true)} data-testid="where-else-more">
          … and {more.toLocaleString("en")} more
        </button>
      ))}
    </span>
  );
}

/** Places grouped by registry and repository, each tag a link to its page, with the count of the unlisted ones. */
function Places({ places, here }: { places: KnownPlace[]; here: { registryId: string; repository: string } }) {
  const groups = new Map<string, { registryId: string; registryName: string; repository: string; tags: string[]; all: number }>();
  for (const p of places) {
    const key = `${p.registryId}\u0000${p.repository}`;
    const g = groups.get(key) ?? { registryId: p.registryId, registryName: p.registryName, repository: p.repository, tags: [], all: p.inRepository ?? 0 };
    g.tags.push(p.tag);
    groups.set(key, g);
  }
  const list = [...groups.values()];
  return (
    <table className="w-full text-left text-sm"><tbody className="divide-y divide-slate-100 dark:divide-slate-800">
      {list.map((g) => (
        // on a phone, registry and repository on one line and the tags under them (three columns
        // pushed the tags off the screen)
        <tr key={`${g.registryId}/${g.repository}`} data-testid="where-else-row" className="flex flex-wrap items-baseline gap-x-4 gap-y-1 px-4 py-1.5 sm:table-row sm:p-0">
          <td className="whitespace-nowrap align-top sm:px-4 sm:py-1.5"><Link className="text-sky-800 hover:underline dark:text-sky-300" href={`/registries/${g.registryId}`}>{g.registryName}</Link></td>
          <td className="align-top sm:whitespace-nowrap sm:px-4 sm:py-1.5">
            <Link className="text-sky-800 hover:underline dark:text-sky-300" href={`/registries/${g.registryId}/tags?repository=${encodeURIComponent(g.repository)}`}>{g.repository}</Link>
            {g.registryId === here.registryId && g.repository === here.repository && <span className="ml-2 text-xs text-slate-500">this repository</span>}
          </td>
          <td className="w-full sm:px-4 sm:py-1.5">
            <GroupTags registryId={g.registryId} repository={g.repository} tags={g.tags} unlisted={Math.max(0, g.all - g.tags.length)} />
          </td>
        </tr>
      ))}
    </tbody></table>
  );
}

export function WhereElseCard({ registryId, repository, whereElse }: { registryId: string; repository: string; whereElse?: WhereElse }) {
  const here = { registryId, repository };
  const w = whereElse ?? { tags: [], parents: [], children: [] };
  const registries = w.registryCount ?? new Set(w.tags.map((p) => p.registryId)).size;
  const count = Math.max(w.tagCount ?? 0, w.tags.length);
  return (
    <section className="card overflow-x-auto" data-testid="where-else">
      <h2 className="border-b border-slate-100 px-4 py-2 text-sm font-medium">
        Where else <span className="font-normal text-slate-500">— {count ? `${count.toLocaleString("en")} tag${count === 1 ? "" : "s"} in ${registries} registr${registries === 1 ? "y" : "ies"} point${count === 1 ? "s" : ""} at this digest` : "no tag Regatta knows points at this digest"}</span>
      </h2>
      {w.tags.length > 0 && <Places places={w.tags} here={here} />}
      {w.parents.length > 0 && (
        <div className="border-t border-slate-100" data-testid="where-else-parents">
          <h3 className="px-4 pt-2 text-xs font-medium text-slate-600">Part of {w.parents.length === 1 ? "an index" : `${w.parents.length} indexes`}</h3>
          {w.parents.map((p) => (
            <div key={p.digest} className="pb-1">
              <p className="px-4 py-1 text-sm">
                index <Link className="font-mono text-xs text-sky-800 hover:underline" href={manifestHref(registryId, repository, p.digest)} title={p.platform ? `lists this manifest for ${p.platform}` : undefined}>{shortDigest(p.digest)}</Link>
              </p>
              {p.tags.length > 0 && <Places places={p.tags} here={here} />}
            </div>
          ))}
        </div>
      )}
      {w.children.length > 0 && (
        <div className="border-t border-slate-100" data-testid="where-else-children">
          <h3 className="px-4 pt-2 text-xs font-medium text-slate-600">Platforms of this index that are also tagged</h3>
          {w.children.map((c) => (
            <div key={c.digest} className="pb-1">
              <p className="px-4 py-1 text-sm">
                <Link className="font-mono text-xs text-sky-800 hover:underline" href={manifestHref(registryId, repository, c.digest)}>{shortDigest(c.digest)}</Link>
                {c.platform && <span className="ml-2 text-xs text-slate-500">{c.platform}</span>}
              </p>
              <Places places={c.tags} here={here} />
            </div>
          ))}
        </div>
      )}
    </section>
  );
}
