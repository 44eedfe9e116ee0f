// Small display helpers shared by the browse views.
export function formatBytes(n: number | undefined): string {
  if (n === undefined) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : v < 10 ? 1 : 0)} ${units[i]}`;
}

export function shortDigest(d: string): string {
  return d.replace(/^sha256:/, "").slice(0, 12);
}

export function pullHost(endpoint: string): string {
  const u = new URL(endpoint);
  return u.host === "registry-1.docker.io" ? "docker.io" : u.host;
}

/** 850 → "0.9 s", 45_000 → "45 s", 185_000 → "3 min 5 s", 7_500_000 → "2 h 5 min". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${Math.round(s % 60) ? ` ${Math.round(s % 60)} s` : ""}`;
  return `${Math.floor(s / 3600)} h${Math.round((s % 3600) / 60) ? ` ${Math.round((s % 3600) / 60)} min` : ""}`;
}

/** The page of one tag or digest. */
export function manifestHref(registryId: string, repository: string, reference: string): string {
  return `/registries/${registryId}/manifest?${new URLSearchParams({ repository, reference })}`;
}
