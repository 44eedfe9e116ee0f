"use client";
// The one search box: `/` or Ctrl/Cmd-K opens it anywhere in the dashboard; ↑ ↓ move, Enter
// opens, Esc closes. Hits come grouped: digests, repositories, tags.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useState } from "react";
import { shortDigest } from "@/components/format";
import { useSearch } from "@/components/hooks/use-search";
import { SEARCH_MIN, type SearchHit } from "@/lib/schemas/search";

// a pasted digest is what its owner wants first (its `sha256-<hex>` referrers tag also matches)
const GROUPS: { kind: SearchHit["kind"]; title: string }[] = [
  { kind: "digest", title: "Digests" },
  { kind: "repository", title: "Repositories" },
  { kind: "tag", title: "Tags" },
];

export function hitHref(h: SearchHit): string {
  const repo = encodeURIComponent(h.repository);
  if (h.kind === "repository") return `/registries/${h.registryId}/tags?repository=${repo}`;
  const reference = h.kind === "tag" ? h.tag! : h.digest!;
  return `/registries/${h.registryId}/manifest?repository=${repo}&reference=${encodeURIComponent(reference)}`;
}

const typing = (t: EventTarget | null) => t instanceof HTMLElement && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName));

export function GlobalSearch() {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.key === "k" || e.key === "K") && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        setOpen(true);
      } else if (e.key === "/" && !e.ctrlKey && !e.metaKey && !e.altKey && !typing(e.target)) {
        e.preventDefault();
        setOpen(true);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        data-testid="search-open"
        className="flex items-center gap-2 whitespace-nowrap rounded-md border border-slate-300 bg-slate-50 px-2.5 py-1 text-left text-sm text-slate-600 hover:border-slate-400 sm:w-52 xl:w-auto 2xl:w-52"
        title="Search repositories, tags and digests in every registry (/ or Ctrl/⌘-K)"
      >
        <svg aria-hidden viewBox="0 0 20 20" className="h-4 w-4 fill-none stroke-current" strokeWidth="2"><circle cx="8.5" cy="8.5" r="5.5" /><path d="m13 13 4.5 4.5" /></svg>
        <span className="sr-only sm:not-sr-only sm:flex-1">Search…</span>
        <kbd className="hidden rounded border border-slate-300 bg-white px-1 font-mono text-[10px] text-slate-600 sm:inline">/</kbd>
        {/* not between 1280 and 1536 px: there the header's links take the room (an admin's header overflowed at 1280) */}
        <kbd className="hidden rounded border border-slate-300 bg-white px-1 font-mono text-[10px] text-slate-600 sm:inline xl:hidden 2xl:inline">Ctrl K</kbd>
      </button>
      {open && <SearchDialog onClose={() => setOpen(false)} />}
    </>
  );
}

function SearchDialog({ onClose }: { onClose: () => void }) {
  const router = useRouter();
  const [text, setText] = useState("");
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLDivElement>(null);
  const s = useSearch(text);
  const enough = text.trim().length >= SEARCH_MIN;
  const hits = useMemo(() => (enough ? (s.data?.results ?? []) : []), [enough, s.data]);
  // the order on screen, group by group: what ↑ ↓ walk through
  const ordered = useMemo(() => GROUPS.flatMap((g) => hits.filter((h) => h.kind === g.kind)), [hits]);

  useEffect(() => input.current?.focus(), []);
  useEffect(() => setActive(0), [s.data]);
  useEffect(() => {
    list.current?.querySelector(`[data-index="${active}"]`)?.scrollIntoView({ block: "nearest" });
  }, [active]);

  const go = (h: SearchHit | undefined) => {
    if (!h) return;
    onClose();
    router.push(hitHref(h));
  };
  // Enter typed before the answer for the current text came: open its first hit when it comes
  const [pendingEnter, setPendingEnter] = useState(false);
  const fresh = s.settled && !s.isFetching && !!s.data;
  useEffect(() => {
    if (pendingEnter && fresh) {
      setPendingEnter(false);
      go(ordered[0]);
    }
  });

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      setActive((i) => Math.min(i + 1, Math.max(ordered.length - 1, 0)));
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setActive((i) => Math.max(i - 1, 0));
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (fresh) go(ordered[active]);
      else if (enough) setPendingEnter(true);
    } else if (e.key === "Escape") {
      e.preventDefault();
      onClose();
    }
  };

  let index = 0;
  return (
    <div className="fixed inset-0 z-50 flex items-start justify-center bg-slate-900/30 px-4 pt-[12vh]" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div role="dialog" aria-label="Search" className="w-full max-w-2xl overflow-hidden rounded-lg border border-slate-200 bg-white shadow-xl" onKeyDown={onKeyDown}>
        <div className="flex items-center gap-2 border-b border-slate-200 px-3">
          <svg aria-hidden viewBox="0 0 20 20" className="h-4 w-4 shrink-0 fill-none stroke-slate-400" strokeWidth="2"><circle cx="8.5" cy="8.5" r="5.5" /><path d="m13 13 4.5 4.5" /></svg>
          <input
            ref={input}
            data-testid="search-input"
            role="combobox"
            aria-expanded={ordered.length > 0}
            aria-controls="search-results"
            aria-activedescendant={ordered.length ? `search-hit-${active}` : undefined}
            className="h-11 flex-1 bg-transparent text-sm outline-none placeholder:text-slate-500"
            placeholder="Repository, tag, repo:tag or digest (sha256:… or 6+ hex characters)"
            value={text}
            onChange={(e) => setText(e.target.value)}
            spellCheck={false}
            autoComplete="off"
          />
          {s.isFetching && <span className="text-xs text-slate-500">searching…</span>}
          <kbd className="rounded border border-slate-300 px-1 font-mono text-[10px] text-slate-500">Esc</kbd>
        </div>
        <div id="search-results" role="listbox" ref={list} className="max-h-[60vh] overflow-y-auto py-1 text-sm" data-testid="search-results">
          {!enough && <p className="px-4 py-3 text-slate-500">Type at least {SEARCH_MIN} characters. Everything Regatta has seen in every registry is searched: browsing and the background sync keep it fresh.</p>}
          {enough && s.error && <p className="px-4 py-3 text-red-700">{s.error.message}</p>}
          {enough && !s.error && s.data && s.settled && ordered.length === 0 && <p className="px-4 py-3 text-slate-500">Nothing matches “{text.trim()}”.</p>}
          {GROUPS.map((g) => {
            const group = ordered.filter((h) => h.kind === g.kind);
            if (!group.length) return null;
            return (
              <div key={g.kind} role="group" aria-label={g.title}>
                <div className="px-4 pb-1 pt-2 text-[11px] font-semibold uppercase tracking-wide text-slate-500">{g.title}</div>
                {group.map((h) => {
                  const i = index++;
                  return (
                    <Link
                      key={`${h.kind}-${h.registryId}-${h.repository}-${h.tag ?? ""}-${h.digest ?? ""}`}
                      id={`search-hit-${i}`}
                      data-index={i}
                      role="option"
                      aria-selected={i === active}
                      href={hitHref(h)}
                      onClick={onClose}
                      onMouseMove={() => setActive(i)}
                      className={`flex items-center gap-3 px-4 py-1.5 ${i === active ? "bg-sky-50 text-sky-900" : "text-slate-800"}`}
                    >
                      <HitText h={h} />
                      <span className="ml-auto shrink-0 rounded bg-slate-100 px-1.5 py-0.5 text-[11px] text-slate-600">{h.registryName}</span>
                    </Link>
                  );
                })}
              </div>
            );
          })}
        </div>
        <div className="flex gap-4 border-t border-slate-100 bg-slate-50 px-4 py-1.5 text-[11px] text-slate-500">
          <span><kbd className="font-mono">↑</kbd> <kbd className="font-mono">↓</kbd> move</span>
          <span><kbd className="font-mono">Enter</kbd> open</span>
          <span><kbd className="font-mono">Esc</kbd> close</span>
          <span className="ml-auto">Ctrl/⌘-K or / opens search</span>
        </div>
      </div>
    </div>
  );
}

function HitText({ h }: { h: SearchHit }) {
  if (h.kind === "repository") return <span className="truncate font-medium">{h.repository}</span>;
  if (h.kind === "tag") {
    return (
      <span className="flex min-w-0 items-baseline gap-2">
        <span className="truncate"><span className="text-slate-500">{h.repository}:</span><span className="font-medium">{h.tag}</span></span>
        {h.digest && <span className="shrink-0 font-mono text-[11px] text-slate-500">{shortDigest(h.digest)}</span>}
      </span>
    );
  }
  return (
    <span className="flex min-w-0 items-baseline gap-2">
      <span className="shrink-0 font-mono text-xs font-medium">{shortDigest(h.digest!)}</span>
      <span className="truncate text-slate-500">{h.repository}{h.tags?.length ? `: ${h.tags.join(", ")}` : ""}</span>
    </span>
  );
}
