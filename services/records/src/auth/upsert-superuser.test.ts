import { openTestDatabase } from "@tidings/db/testing";
import { describe, expect, it } from "vitest";
import { needsSuperuser } from "../start-records.ts";
import { upsertSuperuser } from "./users.ts";

const EMAIL = "root@example.com";
const PASSWORD = "the configured password";

describe("the configured superuser", () => {
  it("is created, left alone when unchanged, and enabled and made superuser again at start", async () => {
    await using db = await openTestDatabase("postgres");
    const created = await upsertSuperuser(db.prisma, EMAIL, PASSWORD);
    expect(created.outcome).toBe("created");
    expect((await upsertSuperuser(db.prisma, EMAIL, PASSWORD)).outcome).toBe("unchanged");
    // Another superuser disabled and demoted it: a restart with the configuration undoes that.
    await db.prisma.user.update({
      where: { id: created.userId },
      data: { disabled: true, role: "user" },
    });
    expect(await upsertSuperuser(db.prisma, EMAIL, PASSWORD)).toEqual({
      outcome: "updated",
      userId: created.userId,
    });
    expect(await db.prisma.user.findUniqueOrThrow({ where: { id: created.userId } })).toMatchObject(
      { disabled: false, role: "superuser" },
    );
  });

  it("is needed while no enabled superuser exists: a disabled one is no way in", async () => {
    await using db = await openTestDatabase("pglite");
    expect(await needsSuperuser(db)).toBe(true);
    const { userId } = await upsertSuperuser(db.prisma, EMAIL, PASSWORD);
    expect(await needsSuperuser(db)).toBe(false);
    await db.prisma.user.update({ where: { id: userId }, data: { disabled: true } });
    expect(await needsSuperuser(db)).toBe(true);
  });
});
