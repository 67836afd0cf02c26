import { fieldsSchema, isObjectName, nameSchema, ruleSchema } from "@tidings/collections";
import { z } from "zod";

const RESERVED = "is reserved: every JavaScript object has it";

const shape = {
  name: nameSchema.refine((name) => !isObjectName(name), RESERVED),
  /** base: records stored by Tidings; external: records owned by another service, published in. */
  type: z.enum(["base", "external"]),
  fields: fieldsSchema.superRefine((fields, ctx) => {
    for (const [index, field] of fields.entries())
      if (isObjectName(field.name))
        ctx.addIssue({ code: "custom", path: [index, "name"], message: RESERVED });
  }),
  listRule: ruleSchema,
  viewRule: ruleSchema,
  createRule: ruleSchema,
  updateRule: ruleSchema,
  deleteRule: ruleSchema,
  realtime: z.boolean(),
};

/** Body of `POST /api/collections`. Rules default to null: superusers only until opened up. */
export const createCollectionBody = z.strictObject({
  ...shape,
  type: shape.type.default("base"),
  fields: shape.fields.default([]),
  listRule: shape.listRule.default(null),
  viewRule: shape.viewRule.default(null),
  createRule: shape.createRule.default(null),
  updateRule: shape.updateRule.default(null),
  deleteRule: shape.deleteRule.default(null),
  realtime: shape.realtime.default(true),
});
export type CreateCollectionBody = z.infer<typeof createCollectionBody>;

/** Body of `PATCH /api/collections/:name`: any subset; `fields` replaces the whole list. */
export const patchCollectionBody = z.strictObject(shape).partial();
export type PatchCollectionBody = z.infer<typeof patchCollectionBody>;
