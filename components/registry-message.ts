// A registry error as a message to people: what happened and what to do, from the transport's
// technical text (which stays available as the detail, e.g. on hover).
export interface Explained {
  /** what happened, in plain words */
  summary: string;
  /** what to do about it */
  hint?: string;
  /** the technical message as the server gave it */
  technical: string;
}

// {who}: the registry's host when known, else "The registry"
const RULES: { test: RegExp; summary: string; hint: string }[] = [
  { test: /ECONNREFUSED/, summary: "{who} refused the connection.", hint: "Check that it is running and that the endpoint's host and port are right." },
  { test: /ENOTFOUND|EAI_AGAIN/, summary: "{who} does not resolve (no such host name).", hint: "Check the endpoint's spelling, or the server's DNS." },
  { test: /ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT|\bTIMEOUT\b|timed out/i, summary: "{who} did not answer in time.", hint: "It may be down or behind a firewall; this card checks again on its own." },
  { test: /ECONNRESET|socket hang up|UND_ERR_SOCKET/, summary: "The connection to {who} was cut.", hint: "A proxy or the registry closed it; try again in a moment." },
  { test: /CERT|self[- ]signed|UNABLE_TO_VERIFY|certificate/i, summary: "The TLS certificate of {who} is not trusted.", hint: "Use a certificate from a trusted authority, or add its CA to the server's trust store." },
  { test: /TOOMANYREQUESTS|\(429\)|rate limit/i, summary: "{who} is rate limiting Regatta.", hint: "Wait until the limit resets; browsing from cache keeps working." },
  { test: /UNAUTHORIZED|\(401\)|authentication required|invalid credentials/i, summary: "{who} refused Regatta's credentials.", hint: "Update the token or password in Settings → Registries." },
  { test: /DENIED|\(403\)|forbidden/i, summary: "The credentials lack a permission.", hint: "Grant the token the scope the registry asks for (Settings → Registries → Test names it)." },
];

export function explainRegistryMessage(message: string, host?: string): Explained {
  const rule = RULES.find((r) => r.test.test(message));
  if (!rule) return { summary: message, technical: message };
  const summary = rule.summary.replace("{who}", host ?? "the registry");
  return { summary: summary[0]!.toUpperCase() + summary.slice(1), hint: rule.hint, technical: message };
}
