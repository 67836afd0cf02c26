import type { PrismaClient } from "@tidings/db";
import type { Lifecycle } from "@tidings/service";
import { createIdempotencySweeper } from "./idempotency-keys.ts";
import { type PublishGrpcOptions, startPublishGrpc } from "./publish-grpc.ts";
import { createServiceAuth } from "./service-auth.ts";

/** The parts of the internal publish API that run beside the HTTP routes. */
export interface InternalPublish {
  /** The port `tidings.v1.Publisher` listens on. */
  readonly grpcPort: number;
  /** Closes the gRPC server (calls in progress finish), then stops the key sweeper. */
  stop(): Promise<void>;
}

/** Starts the gRPC publisher and the periodic deletion of expired idempotency keys. */
export async function startInternalPublish(
  options: PublishGrpcOptions & { serviceTokens: readonly string[] },
  deps: {
    prisma: PrismaClient;
    lifecycle: Lifecycle;
    log: { error(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
  },
): Promise<InternalPublish> {
  const grpc = await startPublishGrpc(options, {
    ...deps,
    serviceAuth: createServiceAuth(options.serviceTokens),
  });
  const sweeper = createIdempotencySweeper(deps.prisma, deps.log);
  sweeper.start();
  return {
    grpcPort: grpc.port,
    async stop() {
      await grpc.stop();
      await sweeper.stop();
    },
  };
}
