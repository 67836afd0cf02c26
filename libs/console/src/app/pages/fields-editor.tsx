import { FIELD_TYPES, type Field } from "../collection-types.ts";
import { TableHead } from "../ui.tsx";

/** The field list of a collection being edited: one row per field. */
export function FieldsEditor(props: { fields: Field[]; onChange: (fields: Field[]) => void }) {
  const { fields, onChange } = props;
  const update = (index: number, patch: Partial<Field>) =>
    onChange(fields.map((field, i) => (i === index ? { ...field, ...patch } : field)));
  return (
    <div class="fields">
      <table>
        <TableHead
          columns={["Name", "Type", "Relation to", "Required", "Hidden", "Multiple", ""]}
        />
        <tbody>
          {fields.map((field, index) => (
            <tr key={index}>
              <td>
                <input
                  aria-label="Field name"
                  value={field.name}
                  spellcheck={false}
                  onInput={(e) => update(index, { name: e.currentTarget.value })}
                />
              </td>
              <td>
                <select
                  aria-label="Field type"
                  value={field.type}
                  onChange={(e) => update(index, { type: e.currentTarget.value as Field["type"] })}
                >
                  {FIELD_TYPES.map((type) => (
                    <option key={type}>{type}</option>
                  ))}
                </select>
              </td>
              <td>
                {field.type === "relation" && (
                  <input
                    aria-label="Related collection"
                    value={field.collection ?? ""}
                    placeholder="users"
                    onInput={(e) => update(index, { collection: e.currentTarget.value })}
                  />
                )}
              </td>
              <td>
                <input
                  type="checkbox"
                  aria-label="Required"
                  checked={field.required === true}
                  onChange={(e) => update(index, { required: e.currentTarget.checked })}
                />
              </td>
              <td>
                <input
                  type="checkbox"
                  aria-label="Hidden"
                  checked={field.hidden === true}
                  onChange={(e) => update(index, { hidden: e.currentTarget.checked })}
                />
              </td>
              <td>
                {field.type === "relation" && (
                  <input
                    type="checkbox"
                    aria-label="Multiple"
                    checked={field.multiple === true}
                    onChange={(e) => update(index, { multiple: e.currentTarget.checked })}
                  />
                )}
              </td>
              <td>
                <button
                  type="button"
                  onClick={() => onChange(fields.filter((_, i) => i !== index))}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={() => onChange([...fields, { name: "", type: "text" }])}>
        Add field
      </button>
    </div>
  );
}

/** A field as the API takes it: relation-only options dropped from other types. */
export function cleanField(field: Field): Field {
  const { collection, multiple, ...rest } = field;
  return field.type === "relation"
    ? { ...rest, collection: collection ?? "", multiple: multiple === true }
    : rest;
}
