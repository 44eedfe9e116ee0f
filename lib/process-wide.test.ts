import { describe, expect, it, vi } from "vitest";

describe("processWide", () => {
  it("gives every copy of a module (Next's bundles each hold one) the same state, made once", async () => {
    let made = 0;
    const init = () => ({ n: ++made });
    const a = (await import("./process-wide")).processWide("test.shared", init);
    vi.resetModules();
    const b = (await import("./process-wide")).processWide("test.shared", init);
    expect(b).toBe(a);
    expect(made).toBe(1);
  });

  it("keeps different names apart", async () => {
    const { processWide } = await import("./process-wide");
    expect(processWide("test.one", () => ({}))).not.toBe(processWide("test.two", () => ({})));
  });
});
