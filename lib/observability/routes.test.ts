import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { routeLabeler } from "./routes";

describe("routeLabeler", () => {
  it("maps paths to the app's route patterns, static before dynamic, anything else to one label", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "routes-"));
    fs.writeFileSync(path.join(dir, "app-path-routes-manifest.json"), JSON.stringify({
      "/(dashboard)/registries/[id]/page": "/registries/[id]",
      "/(dashboard)/registries/new/page": "/registries/new",
      "/api/v1/registries/[id]/tags/route": "/api/v1/registries/[id]/tags",
      "/api/auth/[...nextauth]/route": "/api/auth/[...nextauth]",
      "/(dashboard)/page": "/",
    }));
    const label = routeLabeler(dir);
    expect(label("/registries/new")).toBe("/registries/new");
    expect(label("/registries/abc-123")).toBe("/registries/[id]");
    expect(label("/api/v1/registries/x/tags")).toBe("/api/v1/registries/[id]/tags");
    expect(label("/api/auth/callback/oidc")).toBe("/api/auth/[...nextauth]");
    expect(label("/")).toBe("/");
    expect(label("/_next/static/chunks/a.js")).toBe("/_next/*");
    expect(label("/wp-admin/" + "x".repeat(500))).toBe("other");
  });
});
