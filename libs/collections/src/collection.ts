import { FIELD_TYPES, type FieldType, RULE_NAMES, type RuleName } from "@tidings/protocol";
import { z } from "zod";

export { FIELD_TYPES, type FieldType, RULE_NAMES, type RuleName };

/** Names every record has, so no field may take them. */
export const SYSTEM_FIELDS = [
  "id",
  "collectionId",
  "collectionName",
  "created",
  "updated",
  "expand",
] as const;

/** Longest rule text accepted. */
export const MAX_RULE_LENGTH = 4096;
/** Most fields a collection may have. */
export const MAX_FIELDS = 100;

/** A collection or field name: a letter or _, then letters, digits and _. */
export const nameSchema = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]{0,62}$/,
    "must start with a letter or _ and hold only letters, digits and _ (max 63)",
  );

/**
 * Names every JavaScript object has (`__proto__`, `constructor`, `toString`…) and `prototype`:
 * records and bodies are plain objects, where a field by such a name would read the inherited
 * value, or (`__proto__`) replace the object's prototype. New collections and fields may not take
 * them; definitions stored before the check still load.
 */
const OBJECT_NAMES: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  "prototype",
]);

/** Whether a new collection or field may not take `name` (see OBJECT_NAMES). */
export function isObjectName(name: string): boolean {
  return OBJECT_NAMES.has(name);
}

/** One field of a collection. */
export const fieldSchema = z
  .strictObject({
    name: nameSchema,
    type: z.enum(FIELD_TYPES),
    /** A value must be given (not null, and for text not empty). */
    required: z.boolean().default(false),
    /** Never sent to clients; rules may still read it. */
    hidden: z.boolean().default(false),
    /** relation: the collection the ids point into ("users" for accounts). */
    collection: nameSchema.optional(),
    /** relation: holds an array of ids instead of one. */
    multiple: z.boolean().optional(),
  })
  .superRefine((field, ctx) => {
    if ((SYSTEM_FIELDS as readonly string[]).includes(field.name)) {
      ctx.addIssue({ code: "custom", path: ["name"], message: `"${field.name}" is reserved` });
    }
    if (field.type === "relation" && !field.collection) {
      ctx.addIssue({
        code: "custom",
        path: ["collection"],
        message: "a relation needs the collection it points to",
      });
    }
    if (
      field.type !== "relation" &&
      (field.collection !== undefined || field.multiple !== undefined)
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["type"],
        message: "collection and multiple apply to relation fields only",
      });
    }
  });

export type FieldDef = z.infer<typeof fieldSchema>;

/** The field list, with unique names. */
export const fieldsSchema = z
  .array(fieldSchema)
  .max(MAX_FIELDS)
  .superRefine((fields, ctx) => {
    const seen = new Set<string>();
    fields.forEach((field, index) => {
      if (seen.has(field.name)) {
        ctx.addIssue({
          code: "custom",
          path: [index, "name"],
          message: `duplicate field "${field.name}"`,
        });
      }
      seen.add(field.name);
    });
  });

/** A rule: null = superusers only, "" = anyone, otherwise a filter expression. */
export const ruleSchema = z.string().max(MAX_RULE_LENGTH).nullable();

/** A collection as the services use it. */
export interface CollectionDef {
  id: string;
  name: string;
  type: "base" | "external";
  fields: FieldDef[];
  listRule: string | null;
  viewRule: string | null;
  createRule: string | null;
  updateRule: string | null;
  deleteRule: string | null;
  realtime: boolean;
  created: string;
  updated: string;
}

/** The row shape the database hands back. */
export interface CollectionRow {
  id: string;
  name: string;
  type: "base" | "external";
  fields: unknown;
  listRule: string | null;
  viewRule: string | null;
  createRule: string | null;
  updateRule: string | null;
  deleteRule: string | null;
  realtime: boolean;
  created: Date;
  updated: Date;
}

/** Turns a stored row into a definition, checking the JSON it carries. */
export function collectionFromRow(row: CollectionRow): CollectionDef {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    fields: fieldsSchema.parse(row.fields),
    listRule: row.listRule,
    viewRule: row.viewRule,
    createRule: row.createRule,
    updateRule: row.updateRule,
    deleteRule: row.deleteRule,
    realtime: row.realtime,
    created: row.created.toISOString(),
    updated: row.updated.toISOString(),
  };
}
