/** The import form's question of how the file's people agreed to receive email: one answer for
 * every row that does not give its own in a consent_method column. */

import { useId } from "react";

import { TextField } from "../components/Field";
import { CONSENT_METHOD_SUGGESTIONS, type ConsentInputs } from "./importConsent";

interface ImportConsentFieldsProps {
  value: ConsentInputs;
  onChange(value: ConsentInputs): void;
  /** The API's reasons, by its field name ("consent.method", …). */
  errors: Record<string, string>;
}

export function ImportConsentFields({ value, onChange, errors }: ImportConsentFieldsProps) {
  const suggestionsId = useId();
  return (
    <fieldset>
      <legend>How did these people agree to receive your emails?</legend>
      <p className="small" style={{ marginTop: 0 }}>
        Rows marked subscribed without a consent (here or in a consent_method column) are imported as contacts, and are not subscribed until they
        confirm by email.
      </p>
      <div className="form-row">
        <TextField
          label="How they agreed"
          list={suggestionsId}
          maxLength={200}
          value={value.method}
          onChange={(event) => onChange({ ...value, method: event.target.value })}
          error={errors["consent.method"]}
          hint="Leave empty if you don't know"
        />
        <TextField
          label="Where (optional)"
          maxLength={500}
          value={value.source}
          onChange={(event) => onChange({ ...value, source: event.target.value })}
          error={errors["consent.source"]}
          hint="A form's web address, a list's name, an event"
        />
        <TextField
          label="When (optional)"
          type="date"
          value={value.collectedOn}
          onChange={(event) => onChange({ ...value, collectedOn: event.target.value })}
          error={errors["consent.collected_on"]}
        />
      </div>
      <datalist id={suggestionsId}>
        {CONSENT_METHOD_SUGGESTIONS.map((suggestion) => (
          <option key={suggestion} value={suggestion} />
        ))}
      </datalist>
    </fieldset>
  );
}
