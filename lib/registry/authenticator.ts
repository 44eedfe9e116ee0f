// Per-registry auth state for the transport: which scheme the registry wants, and the
// Authorization header for a set of scopes (ggcr transport/bearer.go, ping.go).
import {
  allowsPlainHttp,
  basicAuthorization,
  checkRealm,
  credentialIdentity,
  fetchToken,
  parseChallenges,
  pickChallenge,
  resolveCredentials,
  TokenCache,
  type Challenge,
  type CredentialsSource,
  type TokenSender,
} from "./auth";
import { SharedFlights } from "@/lib/concurrency";
import { RegistryError } from "./errors";
import { mergeScopes, scopesCover } from "./scope";

type AuthState = { scheme: "none" } | { scheme: "basic" } | { scheme: "bearer"; realm: URL; service: string };

export interface AuthenticatorConfig {
  endpoint: URL;
  credentials?: CredentialsSource;
  insecure: boolean;
  tokens: TokenCache;
  /** Sends a token request (no registry auth; its own Basic header stays on the realm's host). */
  send: TokenSender;
}

export class Authenticator {
  private state?: AuthState;
  private readonly tokenRequests = new SharedFlights<string>();

  constructor(private readonly config: AuthenticatorConfig) {}

  get scheme(): AuthState["scheme"] | undefined {
    return this.state?.scheme;
  }

  /** Learns the scheme from an answer to an unauthenticated GET /v2/ (the spec's version check). */
  async learn(res: Response, what: string): Promise<void> {
    const challenge = res.status === 401 ? pickChallenge(parseChallenges(res.headers.get("www-authenticate"))) : undefined;
    if (!challenge || !this.adopt(challenge, what)) this.state = { scheme: "none" };
  }

  markOpen(): void {
    this.state ??= { scheme: "none" };
  }

  /** The Authorization to send before any 401: Basic, a cached token covering the scopes, or a new token. */
  async authorizationFor(scopes: readonly string[], what: string): Promise<string | undefined> {
    const state = this.state;
    if (!state || state.scheme === "none") return undefined;
    if (state.scheme === "basic") return this.basic(what);
    const credentials = await resolveCredentials(this.config.credentials);
    const cached = this.config.tokens.find(state.realm.href, state.service, scopes, credentialIdentity(credentials), scopesCover);
    if (cached) return `Bearer ${cached}`;
    try {
      return `Bearer ${await this.token(state.realm, state.service, [], scopes, what)}`;
    } catch (e) {
      // A token server that rejects our guessed scopes (400) gets a second chance with the challenge's own.
      if (e instanceof RegistryError && e.status === 400) return undefined;
      throw e;
    }
  }

  /** Answers a 401: drops the refused token, then Basic credentials or a token for the challenge's scopes plus ours. */
  async answer(res: Response, refused: string | undefined, scopes: readonly string[], what: string): Promise<string | undefined> {
    const challenge = pickChallenge(parseChallenges(res.headers.get("www-authenticate")));
    if (refused?.startsWith("Bearer ")) this.config.tokens.invalidate(refused.slice("Bearer ".length));
    if (!challenge || !this.adopt(challenge, what)) return undefined;
    const state = this.state;
    if (state?.scheme === "basic") return this.basic(what);
    if (state?.scheme !== "bearer") return undefined;
    const advertised = (challenge.params.scope ?? "").split(" ").filter((s) => s !== "");
    return `Bearer ${await this.token(state.realm, state.service, advertised, scopes, what)}`;
  }

  private adopt(challenge: Challenge, what: string): boolean {
    if (challenge.scheme === "basic") {
      this.state = { scheme: "basic" };
      return true;
    }
    if (challenge.scheme !== "bearer" || !challenge.params.realm) return false;
    const realm = checkRealm(challenge.params.realm, this.config.endpoint, this.config.insecure, `${what}: authenticating to ${this.config.endpoint.host}`);
    this.state = { scheme: "bearer", realm, service: challenge.params.service ?? "" };
    return true;
  }

  private async basic(what: string): Promise<string | undefined> {
    const credentials = await resolveCredentials(this.config.credentials);
    if (!credentials) return undefined;
    const { endpoint, insecure } = this.config;
    if (endpoint.protocol !== "https:" && !allowsPlainHttp(endpoint, insecure)) {
      throw new RegistryError({
        context: what,
        codes: ["UNAUTHORIZED"],
        method: "GET",
        url: endpoint,
        reason: "refusing to send credentials over plain http to a non-loopback registry (set insecure: true to allow)",
      });
    }
    return basicAuthorization(credentials);
  }

  /** Fetches (once per scope set at a time) and caches a token for advertised ∪ needed scopes. */
  private async token(realm: URL, service: string, advertised: readonly string[], needed: readonly string[], what: string): Promise<string> {
    const credentials = await resolveCredentials(this.config.credentials);
    const identity = credentialIdentity(credentials);
    const scopes = mergeScopes([...advertised], [...needed]);
    const key = TokenCache.key(realm.href, service, scopes, identity);
    const context = `${what}: authenticating to ${this.config.endpoint.host} (token from ${realm.host})`;
    return this.tokenRequests.run(key, async () => {
      let used = scopes;
      let res;
      try {
        res = await fetchToken(this.config.send, { realm, service, scopes, credentials }, context);
      } catch (e) {
        // Quay answers 400 to scopes it does not know (e.g. delete): ask for exactly what the challenge named.
        const fallback = mergeScopes([...advertised]);
        if (!(e instanceof RegistryError && e.status === 400 && advertised.length > 0 && fallback.join(" ") !== scopes.join(" "))) throw e;
        used = fallback;
        res = await fetchToken(this.config.send, { realm, service, scopes: used, credentials }, context);
      }
      this.config.tokens.set(realm.href, service, used, identity, res.token, res.expiresIn, res.issuedAt);
      return res.token;
    });
  }
}
