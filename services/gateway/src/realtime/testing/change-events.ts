import { type Bus, createMemoryBus } from "@tidings/bus";
import { type CollectionDef, collectionFromRow, compileRules } from "@tidings/collections";
import { newId } from "@tidings/db";
import { encodeChangeEvent } from "@tidings/protocol";

/** A per-user collection: everyone sees their own records. */
export const NOTES: CollectionDef = collectionFromRow({
  id: "notes0000000000",
  name: "notes",
  type: "base",
  fields: [
    { name: "owner", type: "text" },
    { name: "n", type: "number" },
  ],
  listRule: "owner = @request.auth.id",
  viewRule: "owner = @request.auth.id",
  createRule: null,
  updateRule: null,
  deleteRule: null,
  realtime: true,
  created: new Date(0),
  updated: new Date(0),
});
export const NOTES_RULES = compileRules(NOTES);

/** A started in-process bus of its own. */
export async function startTestBus(): Promise<Bus> {
  const bus = createMemoryBus({ prefix: `hist_${newId(6)}` });
  await bus.start();
  return bus;
}

/** Publishes a created note `{owner, n}`; resolves to its seq. */
export async function publishNote(bus: Bus, owner: string, n: number): Promise<number> {
  const at = new Date().toISOString();
  const id = newId();
  const ack = await bus.publish(
    bus.subjects.eventFor(NOTES.id),
    encodeChangeEvent({
      v: 1,
      id: `test:${id}`,
      collectionId: NOTES.id,
      collectionName: NOTES.name,
      action: "created",
      record: {
        id,
        collectionId: NOTES.id,
        collectionName: NOTES.name,
        created: at,
        updated: at,
        owner,
        n,
      },
      oldRecord: null,
      socketId: null,
      at,
    }),
  );
  return ack.seq;
}

/** The bus, counting the calls of `method`. */
export function counting<K extends "read" | "info">(
  bus: Bus,
  method: K,
): { bus: Bus; calls: () => number } {
  let calls = 0;
  const counted = new Proxy(bus, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (property === method)
        return (...args: unknown[]) => {
          calls += 1;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { bus: counted, calls: () => calls };
}
