// One parser per webhook source, chosen by the registry's kind.
import { parseDistribution } from "./distribution";
import { parseDockerHub } from "./dockerhub";
import { parseGitHub } from "./github";
import { parseHarbor } from "./harbor";
import { parseQuay } from "./quay";
import type { ParsedDelivery, WebhookSource } from "./types";

export * from "./types";
export { parseDistribution, parseDockerHub, parseGitHub, parseHarbor, parseQuay };

type Kind = "GENERIC" | "DOCKERHUB" | "GHCR" | "GITLAB" | "GOOGLE" | "ECR" | "ECR_PUBLIC" | "QUAY" | "HARBOR";

/** The payload format a registry of this kind sends, or null when it sends none Regatta reads. */
export function webhookSourceFor(kind: Kind): WebhookSource | null {
  switch (kind) {
    case "GENERIC":
    case "GITLAB": // self-managed GitLab: registry notifications in gitlab.rb
      return "distribution";
    case "HARBOR": return "harbor";
    case "DOCKERHUB": return "dockerhub";
    case "GHCR": return "github";
    case "QUAY": return "quay";
    default: return null;
  }
}

export function parseWebhook(source: WebhookSource, body: unknown, headers: Headers): ParsedDelivery {
  switch (source) {
    case "distribution": return parseDistribution(body);
    case "harbor": return parseHarbor(body);
    case "dockerhub": return parseDockerHub(body);
    case "quay": return parseQuay(body);
    case "github": return parseGitHub(body, headers.get("x-github-event"), headers.get("x-github-delivery"));
  }
}
