import { encodeNotice } from "@tidings/service";
import { describe, expect, it } from "vitest";
import { StatusBoard } from "./status-board.ts";

const beat = (id: string, intervalMs = 1_000) => ({
  v: 1,
  type: "status",
  id,
  service: "gateway",
  host: "h",
  pid: 7,
  startedAt: "2026-01-01T00:00:00.000Z",
  intervalMs,
  connections: { "socket.io": 2 },
  subscriptions: { "socket.io": 3 },
});

describe("status board", () => {
  it("board - keeps the latest beat per process and forgets one after 3½ silent intervals", () => {
    let now = 10_000;
    const board = new StatusBoard(() => now);
    board.receive(encodeNotice(beat("gateway-a")));
    board.receive(encodeNotice({ ...beat("gateway-b", 100), connections: { pusher: 1 } }));
    now += 300;
    board.receive(encodeNotice({ ...beat("gateway-a"), connections: { "socket.io": 5 } }));
    expect(
      board.processes().map(({ notice, lastSeen }) => [notice.id, lastSeen.getTime()]),
    ).toEqual([
      ["gateway-a", 10_300],
      ["gateway-b", 10_000],
    ]);
    expect(board.processes()[0]!.notice).toMatchObject({ connections: { "socket.io": 5 } });
    // gateway-b beats every 100 ms: 350 ms of silence is too long; gateway-a's 1 s pace is not.
    now += 51;
    expect(board.processes().map(({ notice }) => notice.id)).toEqual(["gateway-a"]);
    now = 10_300 + 3_500;
    expect(board.processes()).toHaveLength(1);
    now += 1;
    expect(board.processes()).toEqual([]);
  });

  it("board - a goodbye removes the process at once", () => {
    const board = new StatusBoard();
    board.receive(encodeNotice(beat("gateway-a")));
    board.receive(encodeNotice({ v: 1, type: "goodbye", id: "gateway-a" }));
    expect(board.processes()).toEqual([]);
  });

  it("board - malformed notices are ignored and change nothing", () => {
    const board = new StatusBoard();
    board.receive(encodeNotice(beat("gateway-a")));
    for (const data of [
      new TextEncoder().encode("\u0000garbage"),
      encodeNotice({ ...beat("gateway-a"), connections: { "socket.io": -1 } }),
      encodeNotice({ ...beat("gateway-a"), intervalMs: 0 }),
      encodeNotice({ v: 1, type: "goodbye", id: 42 }),
      encodeNotice([1, 2, 3]),
    ])
      board.receive(data);
    expect(board.processes()).toHaveLength(1);
    expect(board.processes()[0]!.notice).toMatchObject({ connections: { "socket.io": 2 } });
  });
});
