// The Kubernetes base in deploy/kubernetes, rendered as `kubectl apply -k` would (the kustomize
// features it uses: namespace, labels, images) and validated against the Kubernetes API's schemas
// (the kubernetes-models package's validators, generated from the API's OpenAPI). No cluster is
// reachable from the test machines: this proves the manifests are well-formed, not that they run.
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { Secret } from "kubernetes-models/v1/Secret";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Service } from "kubernetes-models/v1/Service";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";

const base = path.resolve("deploy/kubernetes");
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;
const MODELS: Record<string, new (o: Obj) => { validate(): void }> = {
  "v1/Namespace": Namespace, "v1/ServiceAccount": ServiceAccount, "v1/Secret": Secret, "v1/ConfigMap": ConfigMap, "v1/Service": Service,
  "apps/v1/Deployment": Deployment, "networking.k8s.io/v1/Ingress": Ingress, "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
};

/** kustomize build, for the fields this base uses (anything else fails the test instead of being ignored). */
function render(): Obj[] {
  const k = YAML.parse(fs.readFileSync(path.join(base, "kustomization.yaml"), "utf8")) as Obj;
  expect(Object.keys(k).sort()).toEqual(["apiVersion", "images", "kind", "labels", "namespace", "resources"]);
  const docs = (k.resources as string[]).flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(path.join(base, f), "utf8")).map((d) => d.toJS() as Obj));
  for (const d of docs) {
    if (d.kind !== "Namespace") d.metadata.namespace = k.namespace;
    for (const l of k.labels) d.metadata.labels = { ...(d.metadata.labels ?? {}), ...l.pairs };
    for (const pod of [d.spec?.template?.spec].filter(Boolean)) {
      for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
        const img = (k.images as Obj[]).find((i) => i.name === c.image);
        if (img) c.image = `${img.newName}:${img.newTag}`;
      }
    }
  }
  return docs;
}

describe("deploy/kubernetes", () => {
  const docs = render();
  const one = (kind: string) => docs.find((d) => d.kind === kind)!;

  it("every rendered object validates against the Kubernetes API schema of its kind", () => {
    expect(docs.map((d) => d.kind).sort()).toEqual(["ConfigMap", "Deployment", "Ingress", "Namespace", "PodDisruptionBudget", "Secret", "Service", "ServiceAccount"]);
    for (const d of docs) {
      const Model = MODELS[`${d.apiVersion}/${d.kind}`];
      expect(Model, `${d.apiVersion} ${d.kind}`).toBeDefined();
      expect(() => new Model!(d).validate(), `${d.kind} ${d.metadata.name}`).not.toThrow();
    }
  });

  it("the validation is real: a broken Deployment is refused", () => {
    const d = structuredClone(one("Deployment"));
    d.spec.replicas = "two";
    expect(() => new Deployment(d).validate()).toThrow(/replicas must be integer/);
    const p = structuredClone(one("Deployment"));
    delete p.spec.template.spec.containers[0].readinessProbe.httpGet.port;
    expect(() => new Deployment(p).validate()).toThrow(/port/);
  });

  it("the Deployment runs ≥ 2 non-root replicas, rolls without losing capacity, probes health and readiness, requests resources, takes its secrets from a Secret and migrates first", () => {
    const d = one("Deployment");
    expect(d.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(d.spec.strategy).toMatchObject({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0 } });
    const pod = d.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    const c = pod.containers[0];
    expect(c.image).toBe("registry.example.com/platform/regatta:0.1.0");
    expect(c.readinessProbe.httpGet.path).toBe("/api/ready");
    expect(c.livenessProbe.httpGet.path).toBe("/api/health");
    expect(c.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    expect(c.envFrom).toContainEqual({ secretRef: { name: "regatta" } });
    expect(pod.initContainers[0].command.join(" ")).toContain("scripts/migrate-deploy.ts");
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30);
    const secret = one("Secret");
    expect(Object.keys(secret.stringData).sort()).toEqual(["AUTH_SECRET", "DATABASE_MIGRATION_URL", "DATABASE_URL", "REGATTA_MASTER_KEY", "REGATTA_METRICS_TOKEN"]);
    // the Service selects the Deployment's pods; the Ingress reaches the Service
    expect(d.spec.template.metadata.labels).toMatchObject(one("Service").spec.selector);
    expect(one("Ingress").spec.rules[0].http.paths[0].backend.service.name).toBe(one("Service").metadata.name);
    expect(docs.every((x) => x.kind === "Namespace" || x.metadata.namespace === "regatta")).toBe(true);
  });
});

describe("docker-compose.yml", () => {
  const compose = YAML.parse(fs.readFileSync("docker-compose.yml", "utf8"));

  // No Docker engine nor `docker compose` CLI here: the file is checked against the Compose
  // Specification's JSON schema (compose-spec/compose-spec's schema/compose-spec.json, as bundled by
  // the dclint package), which is what `docker compose config` validates first. Not run: the
  // interpolation of ${…}, image pulls, starting the services.
  it("is valid against the Compose Specification's JSON schema", () => {
    // draft-07, Ajv's own default (the schema spells its meta-schema https://…, which Ajv does not know by that name)
    const { $schema: _draft, ...schema } = JSON.parse(fs.readFileSync("node_modules/dclint/schemas/compose.schema.json", "utf8"));
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const ok = validate(compose);
    expect(ok, JSON.stringify(validate.errors, null, 2)).toBe(true);
    // the schema is not a rubber stamp: a misspelt key and a wrong type are refused
    expect(validate({ ...compose, services: { ...compose.services, regatta: { ...compose.services.regatta, healthchek: {} } } })).toBe(false);
    expect(validate({ ...compose, services: { ...compose.services, postgres: { ...compose.services.postgres, restart: ["always"] } } })).toBe(false);
  });

  it("runs Regatta after a healthy PostgreSQL, with secrets from an env file, health checks and a kept volume", () => {
    const { regatta, postgres, registry } = compose.services;
    expect(regatta.env_file).toBe(".env.regatta");
    expect(regatta.depends_on.postgres.condition).toBe("service_healthy");
    expect(regatta.healthcheck.test.join(" ")).toContain("/api/ready");
    expect(postgres.healthcheck.test.join(" ")).toContain("pg_isready");
    expect(postgres.volumes).toContain("pgdata:/var/lib/postgresql/data");
    expect(Object.keys(compose.volumes)).toContain("pgdata");
    // no secret written into the file itself
    expect(JSON.stringify(regatta.environment)).not.toMatch(/AUTH_SECRET|MASTER_KEY/);
    const example = fs.readFileSync("deploy/compose.env.example", "utf8");
    for (const k of ["AUTH_SECRET=", "REGATTA_MASTER_KEY=", "REGATTA_ADMIN_PASSWORD="]) expect(example).toContain(`\n${k}\n`);
    // the optional registry:2 posts its notifications to Regatta's webhook, header values as YAML lists
    expect(registry.profiles).toEqual(["registry"]);
    const cfg = YAML.parse(compose.configs["registry-notifications"].content);
    const endpoint = cfg.notifications.endpoints[0];
    expect(endpoint.url).toMatch(/^http:\/\/regatta:3000\/api\/v1\/webhooks\/registry\//);
    expect(Array.isArray(endpoint.headers.Authorization)).toBe(true);
  });
});
