/** Rules that let anyone, signed in or not, list, view, create, update and delete records. */
export const OPEN_RULES = {
  listRule: "",
  viewRule: "",
  createRule: "",
  updateRule: "",
  deleteRule: "",
};

/** A collection definition anyone may read and write: what a test needs when rules are not its subject. */
export function openCollection(name: string, fields: Record<string, unknown>[]) {
  return { name, fields, ...OPEN_RULES };
}
