import { useState } from "preact/hooks";
import type { Field } from "../collection-types.ts";
import { ErrorNote, useAction } from "../ui.tsx";

type Values = Record<string, string | boolean>;

/** What an input shows for a stored value. */
function inputValue(field: Field, value: unknown): string | boolean {
  if (field.type === "bool") return value === true;
  if (value === null || value === undefined) return "";
  if (field.type === "json") return JSON.stringify(value, null, 2);
  if (field.type === "relation" && Array.isArray(value)) return value.join(", ");
  return String(value);
}

/** What the API takes for an input's text; empty text is "no value" (null). */
function apiValue(field: Field, input: string | boolean): unknown {
  if (field.type === "bool") return input === true;
  const text = String(input);
  if (text.trim() === "") return field.type === "relation" && field.multiple ? [] : null;
  switch (field.type) {
    case "number":
      return Number(text);
    case "json":
      try {
        return JSON.parse(text);
      } catch {
        throw new Error(`${field.name}: not valid JSON`);
      }
    case "relation":
      return field.multiple
        ? text
            .split(",")
            .map((id) => id.trim())
            .filter((id) => id !== "")
        : text.trim();
    default:
      return text;
  }
}

/** A form for one record of a collection, built from its fields. */
export function RecordForm(props: {
  fields: Field[];
  record: Record<string, unknown> | undefined;
  onSubmit: (body: Record<string, unknown>) => Promise<unknown>;
  onCancel: () => void;
}) {
  const [values, setValues] = useState<Values>(() =>
    Object.fromEntries(props.fields.map((f) => [f.name, inputValue(f, props.record?.[f.name])])),
  );
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      const body: Record<string, unknown> = {};
      for (const field of props.fields) {
        // An edit sends only what changed, so hidden fields (never shown) keep their value.
        const initial = inputValue(field, props.record?.[field.name]);
        if (props.record && values[field.name] === initial) continue;
        body[field.name] = apiValue(field, values[field.name] ?? "");
      }
      await props.onSubmit(body);
    });
  };
  return (
    <form class="editor record-form" onSubmit={submit} aria-label="Record">
      {props.fields.map((field) => (
        <FieldInput
          key={field.name}
          field={field}
          value={values[field.name] ?? ""}
          onChange={(value) => setValues({ ...values, [field.name]: value })}
        />
      ))}
      <ErrorNote error={action.error} />
      <div class="buttons">
        <button type="submit" class="primary" disabled={action.busy}>
          {props.record ? "Save record" : "Create record"}
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** What a field holds, in words: its type, relation target and options. */
function describe(field: Field): string {
  const target =
    field.type === "relation"
      ? ` → ${field.collection}${field.multiple ? " (ids, comma-separated)" : ""}`
      : "";
  return `${field.type}${target}${field.required ? " · required" : ""}${field.hidden ? " · hidden" : ""}`;
}

/** One field's input, by its type. */
function FieldInput(props: {
  field: Field;
  value: string | boolean;
  onChange: (value: string | boolean) => void;
}) {
  const { field, value, onChange } = props;
  const id = `record-field-${field.name}`;
  const label = (
    <label for={id}>
      {field.name} <span class="muted">{describe(field)}</span>
    </label>
  );
  const text = (e: { currentTarget: { value: string } }) => onChange(e.currentTarget.value);
  switch (field.type) {
    case "bool":
      return (
        <div class="field inline">
          <input
            id={id}
            type="checkbox"
            name={field.name}
            checked={value === true}
            onChange={(e) => onChange(e.currentTarget.checked)}
          />
          {label}
        </div>
      );
    case "json":
      return (
        <div class="field">
          {label}
          <textarea id={id} name={field.name} rows={3} value={String(value)} onInput={text} />
        </div>
      );
    case "number":
      return (
        <div class="field">
          {label}
          <input
            id={id}
            name={field.name}
            type="number"
            step="any"
            value={String(value)}
            onInput={text}
          />
        </div>
      );
    default:
      return (
        <div class="field">
          {label}
          <input
            id={id}
            name={field.name}
            type="text"
            placeholder={field.type === "date" ? "2026-12-31T12:00:00Z" : undefined}
            value={String(value)}
            onInput={text}
          />
        </div>
      );
  }
}
