import type { ChangePayload } from "@tidings/protocol";

/** Deterministic generator (mulberry32), so every pairing gets the same room sequence. */
export function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A room name shaped like a group key (collection id, then a hash); rooms are disjoint per node. */
export function roomName(node: number, room: number): string {
  return `pbc_posts0001:${node.toString(36)}x${room.toString(36).padStart(20, "0")}`;
}

const AT = "2026-11-23T12:00:00.000Z";
const FIXED = {
  action: "updated",
  at: AT,
  record: {
    collectionId: "pbc_posts0001",
    collectionName: "posts",
    owner: "u0000000000000042",
    status: "active",
    score: 42,
    created: AT,
    updated: AT,
  },
} as const;
// The JSON size of a payload without its body, measured once, so the body fills it to the target.
const OVERHEAD = JSON.stringify(build("pbc_posts0001:0x0", 1, "", "r0")).length;

const bodies = new Map<number, string>();

/** An `updated` change event of about `bytes` bytes of JSON, for `room`, with sequence `seq`. */
export function changePayload(room: string, seq: number, bytes: number): ChangePayload {
  let body = bodies.get(bytes);
  if (body === undefined) {
    body = "x".repeat(Math.max(0, bytes - OVERHEAD - 16));
    bodies.set(bytes, body);
  }
  return build(room, seq, body, `r${seq.toString(36).padStart(14, "0")}`);
}

function build(room: string, seq: number, body: string, id: string): ChangePayload {
  return {
    channel: room,
    action: FIXED.action,
    record: { ...FIXED.record, id, title: `Post ${seq}`, body },
    seq,
    at: FIXED.at,
  };
}
