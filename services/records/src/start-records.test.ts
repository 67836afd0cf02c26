import { createServer } from "node:net";
import * as grpc from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";
import { loadPublisher } from "./publish/publisher-proto.ts";
import { startRecords } from "./start-records.ts";

const TOKEN = "a-service-token-for-start-records-tests";

const config = (env: Record<string, string> = {}) =>
  loadConfig({
    TIDINGS_DATA_DIR: "memory://",
    TIDINGS_JWT_SECRET: "test-secret-of-at-least-thirty-two-characters",
    TIDINGS_GRPC_PORT: "0",
    TIDINGS_SERVICE_TOKENS: TOKEN,
    TIDINGS_LOG_LEVEL: "silent",
    ...env,
  });

function publishNowhere(port: number): Promise<grpc.ServiceError> {
  const Publisher = loadPublisher();
  const client = new Publisher(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${TOKEN}`);
  const request = { collection: "nope", action: "ACTION_CREATED", record_json: '{"id":"a"}' };
  return new Promise((resolve) => {
    (client as unknown as { Publish: (...args: unknown[]) => void }).Publish(
      request,
      metadata,
      { deadline: Date.now() + 5_000 },
      (error: grpc.ServiceError) => {
        client.close();
        resolve(error);
      },
    );
  });
}

describe("startRecords", () => {
  it("serves the gRPC publish API with the configured tokens until stopped", async () => {
    const records = await startRecords(config());
    let stopped = false;
    try {
      const port = records.publish.grpcPort;
      expect(port).toBeGreaterThan(0);
      // Past authentication: the token from TIDINGS_SERVICE_TOKENS was accepted.
      expect((await publishNowhere(port)).code).toBe(grpc.status.NOT_FOUND);
      await records.stop();
      stopped = true;
      expect(records.lifecycle.draining).toBe(true);
      expect((await publishNowhere(port)).code).toBe(grpc.status.UNAVAILABLE);
    } finally {
      if (!stopped) await records.stop();
    }
  });

  it("issues tokens that live as long as TIDINGS_TOKEN_TTL says", async () => {
    const records = await startRecords(config({ TIDINGS_TOKEN_TTL: "120" }));
    try {
      const registered = await records.app.inject({
        method: "POST",
        url: "/api/auth/register",
        payload: { email: "ttl@example.com", password: "a long password" },
      });
      const { token } = registered.json() as { token: string };
      const claims = JSON.parse(Buffer.from(token.split(".")[1] as string, "base64url").toString());
      expect(claims.exp - claims.iat).toBe(120);
    } finally {
      await records.stop();
    }
  });

  it("fails with an error naming TIDINGS_GRPC_PORT when the port is taken", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as { port: number };
    try {
      await expect(startRecords(config({ TIDINGS_GRPC_PORT: String(port) }))).rejects.toThrow(
        `TIDINGS_GRPC_PORT: cannot serve gRPC on 127.0.0.1:${port}`,
      );
    } finally {
      blocker.close();
    }
  });
});
