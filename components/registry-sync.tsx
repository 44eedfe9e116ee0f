"use client";
// "Sync now" and when the background sync last looked at this registry.
import { Time } from "@/components/time";
import { useSyncNow, useSyncStatus, type SyncResultView } from "@/components/hooks/use-sync";

function summary(r: SyncResultView): string {
  const changes = [r.added && `${r.added} new`, r.moved && `${r.moved} moved`, r.removed && `${r.removed} gone`].filter(Boolean).join(", ");
  const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  return `${n(r.repositories, "repository", "repositories")}, ${n(r.tags, "tag", "tags")}${changes ? `; ${changes}` : "; no changes"}${r.errors.length ? `; ${r.errors.length} not readable` : ""}`;
}

export function RegistrySync({ registryId, canSync }: { registryId: string; canSync: boolean }) {
  const status = useSyncStatus(registryId);
  const now = useSyncNow(registryId);
  const s = status.data;
  const busy = s?.state === "queued" || s?.state === "running";
  let text: React.ReactNode = "Loading sync status…";
  if (s) {
    if (s.state === "never") text = "Never synced";
    else if (s.state === "queued") text = "Sync queued…";
    else if (s.state === "running") text = <>Syncing… (started <Time at={s.startedAt!} />)</>;
    else if (s.state === "succeeded") text = <>Last synced <Time at={s.finishedAt!} />: {summary(s.result!)}</>;
    else text = <>Last sync failed {s.finishedAt ? <Time at={s.finishedAt} /> : ""}: {s.error}</>;
  }
  const schedule = s ? (s.intervalMinutes > 0 ? `every ${s.intervalMinutes} min` : "scheduled sync off") : "";
  return (
    <div className="flex flex-wrap items-center gap-3 text-xs text-slate-600" data-testid="registry-sync">
      <span className={s?.state === "failed" ? "text-red-700" : ""} data-testid="sync-status">{text}</span>
      {schedule && <span className="text-slate-500">({schedule})</span>}
      {canSync && (
        <button className="btn-secondary py-0.5 text-xs" disabled={busy || now.isPending} onClick={() => now.mutate()} data-testid="sync-now">
          {busy ? "Syncing…" : "Sync now"}
        </button>
      )}
      {now.error && <span className="text-red-700">{now.error.message}</span>}
    </div>
  );
}
