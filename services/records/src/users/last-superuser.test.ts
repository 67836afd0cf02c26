import { TidingsError } from "@tidings/protocol";
import { describe, expect, it } from "vitest";
import { type Answer, type TestUser, useRecordsHarness } from "../testing/records-harness.ts";
import { deleteUser, updateUser } from "./user-store.ts";

const RECORDS = "/api/collections/users/records";

type Removal = {
  name: string;
  field: string;
  send(actor: TestUser, target: string): Promise<Answer>;
};

describe.each(["postgres", "pglite"] as const)("the last enabled superuser on %s", (backend) => {
  const h = useRecordsHarness(backend);

  const enabledSuperusers = () =>
    h().db.prisma.user.count({ where: { role: "superuser", disabled: false } });

  async function refusal(promise: Promise<unknown>): Promise<TidingsError> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(TidingsError);
    return error as TidingsError;
  }

  it("is not demoted, disabled or deleted (CONFLICT); a disabled superuser does not count", async () => {
    const { db, superuser, user } = h();
    const other = await user({ role: "superuser" });
    await updateUser(db.prisma, other.user.id, { disabled: true });
    const only = superuser.user.id;
    for (const [change, field] of [
      [{ role: "user" }, "role"],
      [{ disabled: true }, "disabled"],
    ] as const) {
      const error = await refusal(updateUser(db.prisma, only, change));
      expect(error.code).toBe("CONFLICT");
      expect(error.message).toMatch(/last enabled superuser/);
      expect(error.data).toEqual({ [field]: expect.objectContaining({ code: "last_superuser" }) });
    }
    expect((await refusal(deleteUser(db.prisma, only))).data).toHaveProperty("id");
    expect(await enabledSuperusers()).toBe(1);
    // What removes no enabled superuser goes through: the disabled one, a harmless change.
    await updateUser(db.prisma, other.user.id, { role: "user" });
    await updateUser(db.prisma, only, { name: "Root", role: "superuser", disabled: false });
    await deleteUser(db.prisma, other.user.id);
  });

  it("two removals at once in the store: one is applied, the other is CONFLICT", async () => {
    const { db, superuser, user } = h();
    const other = await user({ role: "superuser" });
    const outcomes = await Promise.allSettled([
      updateUser(db.prisma, other.user.id, { role: "user" }),
      deleteUser(db.prisma, superuser.user.id),
    ]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(["fulfilled", "rejected"]);
    const reasons = outcomes.map((outcome) =>
      outcome.status === "rejected" ? (outcome.reason as TidingsError).code : "applied",
    );
    expect(reasons.sort()).toEqual(["CONFLICT", "applied"]);
    expect(await enabledSuperusers()).toBe(1);
  });

  const removals: Removal[] = [
    {
      name: "demotes",
      field: "role",
      send: (actor, id) =>
        h().call("PATCH", `/api/users/${id}`, { token: actor.token, body: { role: "user" } }),
    },
    {
      name: "disables",
      field: "disabled",
      send: (actor, id) =>
        h().call("PATCH", `/api/users/${id}`, { token: actor.token, body: { disabled: true } }),
    },
    {
      name: "deletes",
      field: "id",
      send: (actor, id) => h().call("DELETE", `/api/users/${id}`, { token: actor.token }),
    },
    {
      name: "deletes the users record of",
      field: "id",
      send: (actor, id) => h().call("DELETE", `${RECORDS}/${id}`, { token: actor.token }),
    },
  ];

  for (const first of removals) {
    for (const second of [removals[0] as Removal, removals[3] as Removal]) {
      it(`A ${first.name} B while B ${second.name} A: exactly one succeeds, the other is CONFLICT`, async () => {
        const { superuser: a, user } = h();
        const b = await user({ role: "superuser" });
        const answers = await Promise.all([first.send(a, b.user.id), second.send(b, a.user.id)]);
        const statuses = answers.map((answer) => answer.status);
        expect(
          statuses.filter((status) => status < 300),
          String(statuses),
        ).toHaveLength(1);
        expect(statuses).toContain(409);
        const [loser, removal] = statuses[0] === 409 ? [answers[0], first] : [answers[1], second];
        expect(loser?.body).toMatchObject({
          code: "CONFLICT",
          data: { [removal.field]: { code: "last_superuser" } },
        });
        expect(await enabledSuperusers()).toBe(1);
      });
    }
  }
});
