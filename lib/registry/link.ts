// The one pagination helper: RFC 8288 `Link: <url>; rel="next"` (OCI "Listing Tags", DIST-API catalog).

/**
 * The rel="next" target resolved against the request URL. registry:2 sends relative links
 * (`</v2/_catalog?last=b&n=2>`), Quay and ECR absolute ones; one header may list several links.
 */
export function nextLink(header: string | null | undefined, requestUrl: URL | string): URL | undefined {
  if (!header) return undefined;
  const re = /<([^>]*)>((?:\s*;\s*[^;,]+(?:=(?:"[^"]*"|[^;,]*))?)*)/g;
  for (const match of header.matchAll(re)) {
    const params = match[2] ?? "";
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]*))/i.exec(params);
    const rels = (rel?.[1] ?? rel?.[2] ?? "").toLowerCase().split(/\s+/);
    if (rels.includes("next")) {
      try {
        return new URL(match[1]!, requestUrl);
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** `n` and `last` of a next link, for callers that hand a cursor back to us later. */
export function pageCursor(next: URL): { n?: number; last?: string } {
  const n = next.searchParams.get("n");
  const last = next.searchParams.get("last");
  return { n: n !== null && /^\d+$/.test(n) ? Number(n) : undefined, last: last ?? undefined };
}
