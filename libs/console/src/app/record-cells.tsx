/** A record's value as one line of a table cell. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** The columns a table of records shows: the id, then the given fields, then when it changed. */
export function RecordTable(props: {
  records: Record<string, unknown>[];
  fields: string[];
  actions?: (record: Record<string, unknown>) => preact.ComponentChildren;
  highlight?: ReadonlySet<string>;
  label: string;
}) {
  return (
    <table class="records" aria-label={props.label}>
      <thead>
        <tr>
          <th>id</th>
          {props.fields.map((field) => (
            <th key={field}>{field}</th>
          ))}
          <th>updated</th>
          {props.actions && <th />}
        </tr>
      </thead>
      <tbody>
        {props.records.map((record) => {
          const id = String(record.id);
          return (
            <tr key={id} data-id={id} class={props.highlight?.has(id) ? "fresh" : undefined}>
              <td class="mono">{id}</td>
              {props.fields.map((field) => (
                <td key={field}>{cellText(record[field])}</td>
              ))}
              <td>{cellText(record.updated)}</td>
              {props.actions && <td class="row-actions">{props.actions(record)}</td>}
            </tr>
          );
        })}
        {props.records.length === 0 && (
          <tr>
            <td colSpan={props.fields.length + 3} class="muted">
              No records.
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
