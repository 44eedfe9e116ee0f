// Google provider pieces: the key check, the location from the endpoint host, and the access
// token exchange against a loopback token endpoint named by the key's token_uri.
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GOOGLE_REFRESH_EARLY_MS, googleLocation, openGoogle, parseServiceAccountKey } from "./google";

const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
let server: http.Server;
let tokenUri: string;
const assertions: { header: any; claims: any; valid: boolean }[] = [];
let answer: (n: number) => { status: number; body: unknown } = (n) => ({ status: 200, body: { access_token: `ya29.t${n}`, expires_in: 3599, token_type: "Bearer" } });

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString());
      const [h, c, sig] = (form.get("assertion") ?? "..").split(".");
      const valid = crypto.verify("sha256", Buffer.from(`${h}.${c}`), publicKey, Buffer.from(sig, "base64url"));
      assertions.push({ header: JSON.parse(Buffer.from(h, "base64url").toString()), claims: JSON.parse(Buffer.from(c, "base64url").toString()), valid });
      const out = answer(assertions.length);
      res.writeHead(out.status, { "content-type": "application/json" });
      res.end(JSON.stringify(out.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  tokenUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const keyJson = () => JSON.stringify({ type: "service_account", project_id: "p", private_key_id: "kid1", private_key: privateKey.export({ type: "pkcs8", format: "pem" }), client_email: "ci@p.iam.gserviceaccount.com", token_uri: tokenUri });
const open = (now: () => number, json = keyJson()) =>
  openGoogle({ kind: "GOOGLE", endpoint: "https://europe-west1-docker.pkg.dev", apiEndpoint: null, namespace: "p/r", insecure: false, credentials: { serviceAccountJson: json } }, { now });

describe("service account key", () => {
  it.each([
    ["not json", /not JSON/],
    [JSON.stringify({ type: "authorized_user", client_id: "x" }), /not a service account key/],
    [JSON.stringify({ type: "service_account", client_email: "a@b", private_key: "k", token_uri: "http://evil.example/token" }), /token_uri must be https/],
  ])("refuses %s", (text, message) => {
    expect(() => parseServiceAccountKey(text)).toThrow(message);
  });
});

describe("location from the endpoint", () => {
  it.each([
    ["https://us-docker.pkg.dev", { location: "us" }],
    ["https://europe-west1-docker.pkg.dev", { location: "europe-west1" }],
    ["https://gcr.io", { location: "us", gcrRepository: "gcr.io" }],
    ["https://eu.gcr.io", { location: "europe", gcrRepository: "eu.gcr.io" }],
    ["https://asia.gcr.io", { location: "asia", gcrRepository: "asia.gcr.io" }],
    ["http://127.0.0.1:5000", {}],
  ])("%s", (endpoint, expected) => {
    expect(googleLocation(endpoint)).toEqual(expected);
  });
});

describe("access token", () => {
  it("goes to the key's token_uri with an RS256 assertion for cloud-platform, and is asked again 5 minutes before the hour", async () => {
    let clock = 1_700_000_000_000;
    const p = open(() => clock);
    const before = assertions.length;
    const first = await p.auth.current();
    expect(first.value).toMatch(/^ya29\.t/);
    const a = assertions.at(-1)!;
    expect(a.valid).toBe(true);
    expect(a.header).toMatchObject({ alg: "RS256" });
    expect(a.claims).toMatchObject({ iss: "ci@p.iam.gserviceaccount.com", scope: "https://www.googleapis.com/auth/cloud-platform" });
    clock += 3599_000 - GOOGLE_REFRESH_EARLY_MS - 1000;
    expect((await p.auth.current()).value).toBe(first.value);
    expect(assertions.length).toBe(before + 1);
    clock += 2000;
    const second = await p.auth.current();
    expect(second.value).not.toBe(first.value);
    expect(assertions.length).toBe(before + 2);
    expect(await p.credentialExpiry!()).toBe(new Date(second.expiresAt).toISOString());
  });

  it("reports Google's OAuth error in its words", async () => {
    const saved = answer;
    answer = () => ({ status: 400, body: { error: "invalid_grant", error_description: "Invalid JWT Signature." } });
    try {
      const err = await open(Date.now).auth.current().catch((e) => e);
      expect(err.codes).toEqual(["invalid_grant"]);
      expect(err.message).toContain("Invalid JWT Signature.");
      expect(err.message).not.toContain("PRIVATE KEY");
    } finally {
      answer = saved;
    }
  });
});
