import { describe, expect, it } from "vitest";
import { jetStreamApi, startNatsServer, TEST_NATS_URL, withNats } from "./nats.ts";

describe("withNats", () => {
  it("gives a unique prefix and deletes the streams under it on dispose", async () => {
    let stream = "";
    {
      await using nats = await withNats();
      expect(nats.prefix).toMatch(/^t_[0-9a-f]{12}$/);
      stream = `${nats.prefix.toUpperCase()}_FIXTURE`;
      const [created] = await jetStreamApi(nats.url, [
        { api: `STREAM.CREATE.${stream}`, body: { name: stream, subjects: [`${nats.prefix}.>`] } },
      ]);
      expect(created?.error).toBeUndefined();
    }
    const [info] = await jetStreamApi(TEST_NATS_URL, [{ api: `STREAM.INFO.${stream}` }]);
    expect(info?.error?.code).toBe(404);
  });

  it("fails at once with the URL when no server answers", async () => {
    await expect(withNats("nats://127.0.0.1:1")).rejects.toThrow(/nats:\/\/127\.0\.0\.1:1/);
  });
});

describe("startNatsServer", () => {
  it("runs a JetStream server of its own that keeps its streams across a restart", async () => {
    await using server = await startNatsServer();
    const body = { name: "KEEP", subjects: ["keep.>"] };
    await jetStreamApi(server.url, [{ api: "STREAM.CREATE.KEEP", body }]);
    await server.stop();
    await expect(jetStreamApi(server.url, [{ api: "INFO" }], 500)).rejects.toThrow();
    await server.start();
    const [info] = await jetStreamApi(server.url, [{ api: "STREAM.INFO.KEEP" }]);
    expect(info?.error).toBeUndefined();
  });
});
