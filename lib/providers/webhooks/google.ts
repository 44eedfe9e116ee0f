// Google Artifact Registry (and Container Registry) notifications: Artifact Registry publishes to the Pub/Sub
// topic `gcr` of its project; a push subscription POSTs each message to Regatta.
// Push body (Pub/Sub docs, "Push subscriptions" → "Receive messages"): { message: { data (base64), attributes,
//   messageId, message_id, publishTime, publish_time }, subscription: "projects/P/subscriptions/S" }.
// Message data (Artifact Registry docs, "Configuring Pub/Sub notifications" → "Notification examples"):
//   { "action": "INSERT"|"DELETE", "digest": "HOST/PROJECT/REPO/IMAGE@sha256:…", "tag": "HOST/PROJECT/REPO/IMAGE:TAG" }
// — INSERT with a tag: the tag was pushed or moved; INSERT with a digest only: an image pushed by digest;
// DELETE with a digest only: the image and its tags are gone; DELETE with a tag: that tag was removed.
// The topic covers every repository of the project: only this registry's host (and namespace, when set) counts.
// The message names no principal: the actor is "unknown". Pub/Sub redelivers with the same messageId.
import { digestOrNull, isObj, str, timeOf, WebhookPayloadError, type ParsedDelivery, type WebhookContext } from "./types";

const MAX_DATA = 64 * 1024;

export function parseGooglePubSub(body: unknown, ctx: WebhookContext = {}): ParsedDelivery {
  const message = isObj(body) && isObj(body.message) ? body.message : null;
  const encoded = message ? str(message.data) : null;
  if (!message || !encoded) throw new WebhookPayloadError("expected a Pub/Sub push: { message: { data, messageId, publishTime }, subscription }");
  if (encoded.length > MAX_DATA || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(encoded)) throw new WebhookPayloadError("message.data is not base64");
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(encoded, "base64").toString("utf8"));
  } catch {
    throw new WebhookPayloadError("message.data is not base64 of JSON");
  }
  if (!isObj(data)) throw new WebhookPayloadError("message.data is not a JSON object");
  const action = str(data.action);
  if (action !== "INSERT" && action !== "DELETE") return { events: [], ignored: 1 };
  const byDigest = splitImage(str(data.digest), "@");
  const byTag = splitImage(str(data.tag), ":");
  const ref = byTag ?? byDigest;
  if (!ref) throw new WebhookPayloadError("message.data names neither digest nor tag");
  const host = hostOf(ctx.endpoint);
  const ns = ctx.namespace?.trim().replace(/^\/+|\/+$/g, "");
  if ((host && ref.host !== host) || (ns && !ref.path.startsWith(`${ns}/`))) return { events: [], ignored: 1 }; // another registry of the project
  const tag = byTag?.ref ?? null;
  const digest = digestOrNull(byDigest?.ref);
  if (action === "INSERT" && !tag) return { events: [], ignored: 1 }; // pushed by digest: no tag moved
  const messageId = str(message.messageId) ?? str(message.message_id);
  return {
    events: [{
      id: messageId ? `google-${messageId}` : null,
      action: action === "INSERT" ? "push" : "delete",
      repository: ref.path, tag, digest, actor: "unknown",
      at: timeOf(message.publishTime) ?? timeOf(message.publish_time), source: "google",
      ...(action === "DELETE" && !tag ? { wholeArtifact: true } : {}),
    }],
    ignored: 0,
  };
}

/** "HOST/PATH@sha256:…" or "HOST/PATH:TAG" → its parts (the separator after the last "/"). */
function splitImage(s: string | null, sep: "@" | ":"): { host: string; path: string; ref: string } | null {
  if (!s) return null;
  const slash = s.indexOf("/");
  if (slash <= 0) return null;
  const at = sep === "@" ? s.indexOf("@") : s.lastIndexOf(":");
  if (at <= slash || (sep === ":" && s.lastIndexOf("/") > at)) return null;
  const path = s.slice(slash + 1, at);
  const ref = s.slice(at + 1);
  return path && ref ? { host: s.slice(0, slash).toLowerCase(), path, ref } : null;
}

function hostOf(endpoint: string | null | undefined): string | null {
  if (!endpoint) return null;
  try {
    return new URL(endpoint.includes("://") ? endpoint : `https://${endpoint}`).host.toLowerCase();
  } catch {
    return null;
  }
}
