import { useEffect, useState } from "preact/hooks";
import type { Field, RuleName } from "../collection-types.ts";
import type { Session } from "../session.ts";

type Check = { valid: true } | { valid: false; message: string; position: number };

/** How long typing must pause before the rule is checked. */
const CHECK_DELAY_MS = 250;

/**
 * One rule: "superusers only" (null), or a filter expression checked as it is typed by the
 * server's own parser against the fields being edited, with the error's position marked.
 */
export function RuleInput(props: {
  session: Session;
  name: RuleName;
  value: string | null;
  fields: Field[];
  onChange: (value: string | null) => void;
}) {
  const { session, name, value, fields } = props;
  const [check, setCheck] = useState<Check | undefined>();
  const fieldsKey = JSON.stringify(fields);
  useEffect(() => {
    if (value === null || value.trim() === "") {
      setCheck(undefined);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      session.api
        .call<Check>("POST", "/api/admin/rules/check", { rule: value, action: name, fields })
        .then(
          (answer) => current && setCheck(answer),
          // A draft field list the server refuses is shown by the save; the rule is not judged.
          () => current && setCheck(undefined),
        );
    }, CHECK_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [value, name, fieldsKey, session]);

  const closed = value === null;
  return (
    <div class="rule" data-rule={name}>
      <div class="rule-head">
        <label for={`rule-${name}`}>{name}</label>
        <label class="inline">
          <input
            type="checkbox"
            checked={closed}
            onChange={(e) => props.onChange(e.currentTarget.checked ? null : "")}
          />
          Superusers only
        </label>
      </div>
      <textarea
        id={`rule-${name}`}
        rows={2}
        spellcheck={false}
        disabled={closed}
        placeholder={closed ? "Only superusers" : "Empty: anyone, anonymous clients too"}
        value={value ?? ""}
        aria-invalid={check?.valid === false}
        onInput={(e) => props.onChange(e.currentTarget.value)}
      />
      {check?.valid === false && (
        <div class="rule-error" role="alert">
          <pre>
            {value}
            {"\n"}
            {`${" ".repeat(check.position)}^`}
          </pre>
          <p data-position={check.position}>{check.message}</p>
        </div>
      )}
      {check?.valid === true && <p class="rule-ok">Rule is valid.</p>}
    </div>
  );
}
