// One parser per webhook source, chosen by the registry's kind.
import { parseDistribution } from "./distribution";
import { parseDockerHub } from "./dockerhub";
import { parseEcr } from "./ecr";
import { parseGitHub } from "./github";
import { parseGooglePubSub } from "./google";
import { parseHarbor } from "./harbor";
import { parseQuay } from "./quay";
import type { ParsedDelivery, WebhookContext, WebhookSource } from "./types";

export * from "./types";
export { parseDistribution, parseDockerHub, parseEcr, parseGitHub, parseGooglePubSub, parseHarbor, parseQuay };

/** The payload format a registry of this kind sends, or null when it sends none Regatta reads. */
export function webhookSourceFor(kind: string): WebhookSource | null {
  switch (kind) {
    case "GENERIC":
    case "GITLAB": // self-managed GitLab: registry notifications in gitlab.rb (gitlab.com sends none: Regatta polls)
      return "distribution";
    case "HARBOR": return "harbor";
    case "DOCKERHUB": return "dockerhub";
    case "GHCR": return "github";
    case "QUAY": return "quay";
    case "ECR": return "ecr"; // EventBridge rule → API destination
    case "GOOGLE": return "google"; // Pub/Sub push subscription on the `gcr` topic
    default: return null;
  }
}

export function parseWebhook(source: WebhookSource, body: unknown, headers: Headers, ctx: WebhookContext = {}): ParsedDelivery {
  switch (source) {
    case "distribution": return parseDistribution(body);
    case "harbor": return parseHarbor(body);
    case "dockerhub": return parseDockerHub(body);
    case "quay": return parseQuay(body, ctx);
    case "github": return parseGitHub(body, headers.get("x-github-event"), headers.get("x-github-delivery"));
    case "ecr": return parseEcr(body, ctx);
    case "google": return parseGooglePubSub(body, ctx);
  }
}
