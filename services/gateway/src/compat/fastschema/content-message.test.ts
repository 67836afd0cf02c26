import type { ChangePayload } from "@tidings/protocol";
import { describe, expect, it } from "vitest";
import { contentMessage } from "./content-message.ts";

const record = { id: "r1", collectionId: "c", collectionName: "posts", title: "t", views: 3 };
const change = (action: ChangePayload["action"]): ChangePayload => ({
  channel: "ch",
  action,
  record,
  seq: 1,
  at: "2026-01-01T00:00:00.000Z",
});
const all = { single: false, select: [] };

describe("contentMessage", () => {
  it("sends a create as one record, updates and deletes as arrays", () => {
    expect(contentMessage(change("created"), all)).toEqual({ event: "create", data: record });
    expect(contentMessage(change("updated"), all)).toEqual({ event: "update", data: [record] });
    expect(contentMessage(change("deleted"), all)).toEqual({ event: "delete", data: [record] });
  });

  it("sends one record for every event when the subscription names an id", () => {
    const single = { single: true, select: [] };
    expect(contentMessage(change("updated"), single)).toEqual({ event: "update", data: record });
    expect(contentMessage(change("deleted"), single)).toEqual({ event: "delete", data: record });
  });

  it("reports a record entering the view as an update and leaving it as nothing", () => {
    expect(contentMessage(change("entered"), all)).toEqual({ event: "update", data: [record] });
    expect(contentMessage(change("left"), all)).toBeNull();
  });

  it("keeps exactly the selected fields and, as FastSchema does, the id", () => {
    const select = (fields: string[]) =>
      contentMessage(change("created"), { single: false, select: fields })?.data;
    expect(select(["title", "id", "missing"])).toEqual({ id: "r1", title: "t" });
    expect(select(["views"])).toEqual({ id: "r1", views: 3 });
  });
});
