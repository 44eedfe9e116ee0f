// A real OpenID Provider for the tests: the npm package `oidc-provider` (OpenID Certified), on
// 127.0.0.1 with one confidential client and a table of test people. Its development interactions
// are the sign-in page (any login name and password; the name picks the person from `people`);
// consent is granted without asking, as a company IdP configured for Regatta would.
import http from "node:http";
import type { AddressInfo } from "node:net";
import Provider, { type Configuration } from "oidc-provider";

export interface OidcPerson {
  email: string;
  /** the `email_verified` claim */
  emailVerified: boolean;
  name?: string;
  groups?: string[];
}

export interface RunningOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** every authorization request's redirect_uri, as sent by the app */
  redirectUris: string[];
  stop(): Promise<void>;
}

export async function startOidcProvider(opts: { redirectUris: string[]; people: Record<string, OidcPerson>; port?: number }): Promise<RunningOidcProvider> {
  const clientId = "regatta-e2e";
  const clientSecret = "regatta-e2e-client-secret-0123456789";
  const seen: string[] = [];
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(opts.port ?? 0, "127.0.0.1", r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const configuration: Configuration = {
    clients: [{
      client_id: clientId, client_secret: clientSecret, redirect_uris: opts.redirectUris,
      grant_types: ["authorization_code"], response_types: ["code"], token_endpoint_auth_method: "client_secret_basic",
    }],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "groups"] },
    cookies: { keys: ["regatta-e2e-oidc-cookie-key"] },
    features: { devInteractions: { enabled: true } },
    // the people table: the login name typed on the provider's page is the subject
    async findAccount(_ctx, sub) {
      const person = opts.people[sub];
      if (!person) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { sub, email: person.email, email_verified: person.emailVerified, name: person.name, groups: person.groups };
        },
      };
    },
    // consent granted for what Regatta asks (openid email profile)
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope("openid email profile");
      grant.addOIDCClaims(["email", "email_verified", "name", "groups"]);
      await grant.save();
      return grant;
    },
    // claims in the ID token too, so clients that do not call userinfo see them
    conformIdTokenClaims: false,
  };
  const provider = new Provider(issuer, configuration);
  // why a request was refused, for the test's log (oidc-provider answers only "grant request is invalid")
  for (const event of ["grant.error", "authorization.error", "server_error"]) {
    provider.on(event, (_ctx: unknown, err: { message?: string; error_detail?: string }) => console.error(`[oidc-provider] ${event}: ${err?.message} ${err?.error_detail ?? ""}`));
  }
  const callback = provider.callback();
  server.on("request", (req, res) => {
    if (req.url?.startsWith("/auth?")) {
      const uri = new URL(req.url, issuer).searchParams.get("redirect_uri");
      if (uri) seen.push(uri);
    }
    callback(req, res);
  });
  return {
    issuer, clientId, clientSecret, redirectUris: seen,
    stop: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}
