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
