// For the audit bench: receiveWebhook behind a bare node:http server (no Next.js), to tell the cost of
// ingestion from the cost of Next's request handling. Started by scripts/bench/audit.ts with fork().
import http from "node:http";

const { receiveWebhook } = await import("../../lib/services/webhooks.ts");

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", async () => {
    const registryId = req.url!.split("?")[0]!.split("/").pop()!;
    try {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const request = new Request(`http://127.0.0.1${req.url}`, { method: "POST", headers, body: Buffer.concat(chunks) });
      const result = await receiveWebhook(registryId, request, req.socket.remoteAddress ?? null);
      res.writeHead(202, { "content-type": "application/json" }).end(JSON.stringify(result));
    } catch (e) {
      res.writeHead(500, { "content-type": "text/plain" }).end(e instanceof Error ? e.message : "failed");
    }
  });
});
server.listen(Number(process.env.PORT), "127.0.0.1", () => process.send?.("ready"));
