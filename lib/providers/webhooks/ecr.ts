// Amazon ECR events, delivered by an EventBridge rule to an API destination (an HTTP POST of the event itself,
// authenticated by the connection's API-key header or Basic credentials).
// Event shape from the Amazon ECR User Guide, "Amazon ECR events and EventBridge" (ecr-eventbridge.md), samples
// "Event for a completed image push" and "Event for an image deletion":
//   { version: "0", id, "detail-type": "ECR Image Action", source: "aws.ecr", account, time, region, resources: [],
//     detail: { result: "SUCCESS"|"FAILURE", "repository-name", "image-digest", "action-type": "PUSH"|"DELETE", "image-tag",
//               "manifest-media-type"?, "artifact-media-type"? } }
// The guide's samples are synthetic: their image-digest has 60 hex digits where sha256 has 64.
// The event names no principal: the actor is "unknown" (CloudTrail has it; Regatta does not guess).
// Other detail types on the same bus (ECR Image Scan, ECR Pull Through Cache Action, ECR Replication Action …) are ignored.
import { digestOrNull, isObj, str, timeOf, WebhookPayloadError, type ParsedDelivery, type WebhookContext, type WebhookEvent } from "./types";

const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

export function parseEcr(body: unknown, ctx: WebhookContext = {}): ParsedDelivery {
  // an API destination sends one event per request; a list is accepted for replays of several
  const list = Array.isArray(body) ? body : [body];
  if (list.length === 0 || !list.every(isObj)) throw new WebhookPayloadError("expected an EventBridge event: { id, detail-type, source, detail }");
  const where = endpointAccount(ctx.endpoint);
  const events: WebhookEvent[] = [];
  let ignored = 0;
  for (const e of list as Record<string, unknown>[]) {
    if (str(e.source) !== "aws.ecr" || str(e["detail-type"]) !== "ECR Image Action" || !isObj(e.detail)) {
      ignored++;
      continue;
    }
    const d = e.detail;
    const type = str(d["action-type"]);
    const repository = str(d["repository-name"]);
    if (str(d.result) !== "SUCCESS" || (type !== "PUSH" && type !== "DELETE") || !repository) {
      ignored++;
      continue;
    }
    // another account's or region's registry on the same bus is not this registry
    if (where && ((str(e.account) && e.account !== where.account) || (str(e.region) && e.region !== where.region))) {
      ignored++;
      continue;
    }
    const tag = str(d["image-tag"]);
    const digest = digestOrNull(d["image-digest"]); // malformed (as in the guide's samples): no digest rather than a wrong one
    if (type === "PUSH" && !tag) {
      ignored++; // pushed by digest: no tag moved
      continue;
    }
    const mediaType = str(d["manifest-media-type"]);
    events.push({
      // EventBridge keeps the event id across its retries; one event can name one tag
      id: str(e.id) ? `ecr-${e.id}` : null,
      action: type === "PUSH" ? "push" : "delete",
      repository, tag, digest,
      actor: "unknown", at: timeOf(e.time), source: "ecr",
      ...(mediaType ? { mediaType } : {}),
      // a delete naming no tag is a delete by digest: the image and all its tags are gone
      ...(type === "DELETE" && !tag ? { wholeArtifact: true } : {}),
    });
  }
  return { events, ignored };
}

function endpointAccount(endpoint: string | null | undefined): { account: string; region: string } | null {
  if (!endpoint) return null;
  try {
    const m = ECR_HOST.exec(new URL(endpoint.includes("://") ? endpoint : `https://${endpoint}`).hostname);
    return m ? { account: m[1]!, region: m[2]! } : null;
  } catch {
    return null;
  }
}
