import { createServer } from "node:http";
import { startEntryProxy } from "@tidings/local-cluster";
import { freePort } from "@tidings/testing";
import { expect, it } from "vitest";

it("the entry proxy keeps idle keep-alive connections as long as the services behind it (72 s)", async () => {
  const records = createServer((_req, res) => res.end("{}"));
  await new Promise<void>((resolve) => records.listen(0, "127.0.0.1", resolve));
  const address = records.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  const port = await freePort();
  const proxy = await startEntryProxy(
    { gateways: [], records: [{ host: "127.0.0.1", port: address.port }] },
    port,
  );
  try {
    const answer = await fetch(`http://127.0.0.1:${port}/api/health`);
    await answer.text();
    expect(answer.status).toBe(200);
    // A client drops an idle connection before the time the server announces here; at Node's
    // default of 5 s, clients reused connections the proxy was closing (ECONNRESET).
    expect(answer.headers.get("keep-alive")).toBe("timeout=72");
  } finally {
    await proxy.close();
    await new Promise<void>((resolve) => records.close(() => resolve()));
  }
});
