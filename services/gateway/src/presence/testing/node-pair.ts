import { withRedis } from "@tidings/testing";
import { afterEach, beforeEach } from "vitest";
import {
  startTestNode,
  type TestClient,
  type TestNode,
  type TestNodeOptions,
  type TestWorld,
} from "./test-node.ts";

/** The two nodes of the running test, and clients signed in as fresh users. */
export interface NodePair {
  readonly a: TestNode;
  readonly b: TestNode;
  signedIn(node: TestNode): Promise<TestClient & { userId: string }>;
}

/**
 * Registers hooks that start two nodes before each test and close them after. With Redis they
 * are two nodes sharing it; in memory, one node stands for both (what a test sees must not differ).
 */
export function nodePairPerTest(
  world: () => TestWorld,
  mode: "memory" | "redis",
  options: Omit<TestNodeOptions, "redis">,
): NodePair {
  let nodes: TestNode[] = [];
  beforeEach(async () => {
    const redis = mode === "redis" ? await withRedis() : undefined;
    const first = await startTestNode(world(), { ...options, redis });
    nodes = redis ? [first, await startTestNode(world(), { ...options, redis })] : [first];
  });
  afterEach(async () => {
    for (const node of nodes) await node.close();
  });
  return {
    get a() {
      return nodes[0] as TestNode;
    },
    get b() {
      return nodes.at(-1) as TestNode;
    },
    async signedIn(node) {
      const user = await world().user();
      return Object.assign(await node.connect(user.token), { userId: user.id });
    },
  };
}
