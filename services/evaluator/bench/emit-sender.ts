/**
 * The emitting side of the emit benchmark, forked by emit.ts so it has a CPU budget of its own,
 * as an evaluator replica would: sends change payloads to random rooms through the pairing's
 * emitter, as fast as it can, with at most `inflight` batches of `batch` messages outstanding.
 */
import { Redis } from "ioredis";
import type { RoomEmit } from "../src/room-emitter.ts";
import { type Command, cpuSince, type Reply, type SenderConfig } from "./emit-protocol.ts";
import { PAIRINGS } from "./pairings.ts";
import { changePayload, random } from "./workload.ts";

const config = JSON.parse(process.argv[2] as string) as SenderConfig;
const send = (reply: Reply) => process.send?.(reply);

// Auto-pipelining writes the commands issued in one tick together, as `redis.pipeline()` does in
// our emitter; without it `@socket.io/redis-emitter` would pay one socket write per PUBLISH.
const redis = new Redis(config.redisUrl, { enableAutoPipelining: true });
redis.on("error", (error) => console.error("sender: redis", error.message));
const emitter = PAIRINGS[config.pairing].emitter(redis, config.prefix);

async function emitAll(count: number, firstSeq: number, seed: number): Promise<void> {
  const rand = random(seed);
  let next = 0;
  const batchFrom = (): RoomEmit[] => {
    const messages: RoomEmit[] = [];
    for (; messages.length < config.batch && next < count; next++) {
      const room = config.rooms[Math.floor(rand() * config.rooms.length)] as string;
      const payload = changePayload(room, firstSeq + next, config.payloadBytes);
      messages.push({ room, event: "change", payload });
    }
    return messages;
  };
  // `inflight` lanes, each awaiting its batch before taking the next: a bounded pipeline.
  const lane = async () => {
    for (let batch = batchFrom(); batch.length > 0; batch = batchFrom()) await emitter.emit(batch);
  };
  await Promise.all(Array.from({ length: config.inflight }, lane));
}

process.on("message", async (command: Command) => {
  if (command.type !== "emit") return;
  const cpuBase = process.cpuUsage();
  const started = performance.now();
  await emitAll(command.count, command.firstSeq, command.seed);
  const ms = performance.now() - started;
  send({ type: "emitted", count: command.count, ms, cpu: cpuSince(cpuBase) });
});
process.on("disconnect", () => process.exit(0));

await redis.ping();
send({ type: "ready" });
