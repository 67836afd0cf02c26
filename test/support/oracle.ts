/**
 * What each subscriber must receive, computed independently of the server: the workload's
 * collection has a list rule `public = true || owner = @request.auth.id` and each subscriber may
 * add the filter `title ~ 'a'`; this module re-implements exactly those in plain code.
 */

/** The fields of a workload record that decide visibility. */
export interface DocState {
  id: string;
  owner: string;
  public: boolean;
  title: string;
  rev: number;
}

/** A subscriber: whose eyes, and whether it filters on `title ~ 'a'`. */
export interface Viewer {
  userId: string | null;
  filtered: boolean;
}

/** One committed write, in commit order for its record. */
export interface Write {
  action: "created" | "updated" | "deleted";
  before: DocState | null;
  after: DocState | null;
}

/** An expected or received delivery: the action and the record's rev (null for `left`). */
export type Delivery = `${string}:${number | "-"}`;

/** Whether the viewer may see (and wants) the record in this state. */
export function visible(viewer: Viewer, doc: DocState | null): boolean {
  if (!doc) return false;
  const ruled = doc.public || (viewer.userId !== null && doc.owner === viewer.userId);
  return ruled && (!viewer.filtered || doc.title.toLowerCase().includes("a"));
}

/** What a viewer receives for one write, or null: created/updated/deleted/entered/left. */
export function deliveryOf(viewer: Viewer, write: Write): Delivery | null {
  const before = visible(viewer, write.before);
  const after = visible(viewer, write.after);
  const rev = (write.after ?? write.before)?.rev ?? 0;
  if (write.action === "created") return after ? `created:${rev}` : null;
  if (write.action === "deleted") return before ? `deleted:${rev}` : null;
  if (before && after) return `updated:${rev}`;
  if (after) return `entered:${rev}`;
  if (before) return "left:-";
  return null;
}

/** Per record id, the deliveries a viewer must get, in order. */
export function expectedDeliveries(
  viewer: Viewer,
  writes: Map<string, Write[]>,
): Map<string, Delivery[]> {
  const expected = new Map<string, Delivery[]>();
  for (const [id, history] of writes) {
    const deliveries = history
      .map((write) => deliveryOf(viewer, write))
      .filter((d): d is Delivery => d !== null);
    if (deliveries.length > 0) expected.set(id, deliveries);
  }
  return expected;
}
