import type { Database, OutboxEvent } from "@tidings/db";

/** An external collection with one field of each kind the publish tests check. */
export const ORDERS = {
  name: "orders",
  type: "external",
  fields: [
    { name: "title", type: "text", required: true },
    { name: "total", type: "number" },
    { name: "paid", type: "bool" },
    { name: "due", type: "date" },
    { name: "secret", type: "text", hidden: true },
    { name: "owner", type: "relation", collection: "users" },
  ],
  listRule: "",
  viewRule: "",
};

/** The outbox in commit order. */
export function outboxRows(db: Database): Promise<OutboxEvent[]> {
  return db.prisma.outboxEvent.findMany({ orderBy: { seq: "asc" } });
}
