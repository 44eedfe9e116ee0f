// Token scopes (distribution docs/spec/auth/scope.md): resourcetype[(class)]:resourcename:actions.

export const PULL: readonly string[] = ["pull"];
export const PUSH_PULL: readonly string[] = ["pull", "push"];
export const DELETE: readonly string[] = ["delete"];
export const CATALOG_SCOPE = "registry:catalog:*";

export interface ParsedScope {
  type: string;
  name: string;
  actions: string[];
}

/** The name may hold one ":" (a host with a port), so type ends at the first and actions start after the last. */
export function parseScope(scope: string): ParsedScope | undefined {
  const first = scope.indexOf(":");
  const last = scope.lastIndexOf(":");
  if (first < 0 || last === first) return undefined;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope.slice(last + 1).split(",").filter((a) => a !== ""),
  };
}

/** Merges scope lists, uniting actions per resource; sorted so equal sets compare equal. */
export function mergeScopes(...lists: readonly string[][]): string[] {
  const byResource = new Map<string, Set<string>>();
  const opaque = new Set<string>();
  for (const list of lists) {
    for (const raw of list) {
      for (const scope of raw.split(" ").filter((s) => s !== "")) {
        const parsed = parseScope(scope);
        if (!parsed) {
          opaque.add(scope);
          continue;
        }
        const key = `${parsed.type}:${parsed.name}`;
        const actions = byResource.get(key) ?? new Set<string>();
        for (const a of parsed.actions) actions.add(a);
        byResource.set(key, actions);
      }
    }
  }
  const out = [...opaque];
  for (const [resource, actions] of byResource) out.push(`${resource}:${[...actions].sort().join(",")}`);
  return out.sort();
}

/** True when every needed action on every needed resource is among the granted ones ("*" grants all). */
export function scopesCover(granted: readonly string[], needed: readonly string[]): boolean {
  const grants = new Map<string, Set<string>>();
  for (const scope of granted) {
    const p = parseScope(scope);
    if (p) grants.set(`${p.type}:${p.name}`, new Set(p.actions));
  }
  return needed.every((scope) => {
    const p = parseScope(scope);
    if (!p) return granted.includes(scope);
    const have = grants.get(`${p.type}:${p.name}`);
    return !!have && (have.has("*") || p.actions.every((a) => have.has(a)));
  });
}
