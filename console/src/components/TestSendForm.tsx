import { useState, type FormEvent } from "react";

import { splitFieldErrors } from "../api/errors";
import { useAction } from "../hooks";
import { FormErrorAlert, Notice } from "./Alerts";
import { TextField } from "./Field";

/** Test copies of an email to a few addresses (a campaign's or a template's: `send` says which). */
export function TestSendForm({ send }: { send(emails: string[]): Promise<{ sent: { email: string }[] }> }) {
  const [addresses, setAddresses] = useState("");
  const [sentTo, setSentTo] = useState<string[]>([]);
  const action = useAction(async () => {
    const emails = addresses.split(/[\s,;]+/).filter(Boolean);
    if (emails.length === 0) throw new Error("Give at least one address.");
    const result = await send(emails);
    setSentTo(result.sent.map((item) => item.email));
  });
  const errors = splitFieldErrors(action.error, ["emails"]).byField;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSentTo([]);
    void action.run();
  };
  return (
    <form onSubmit={submit} aria-label="Test send" className="form-row" noValidate>
      <TextField
        label="Test addresses"
        value={addresses}
        onChange={(e) => setAddresses(e.target.value)}
        error={errors.emails}
        hint="Up to 10, separated by commas. The subject is marked [Test]; nothing is counted."
      />
      <div className="field-action">
        <button type="submit" className="secondary" disabled={action.pending}>
          Send test
        </button>
      </div>
      {action.error && !errors.emails ? <FormErrorAlert error={action.error} fields={["emails"]} /> : null}
      {sentTo.length > 0 && <Notice kind="success">Test sent to {sentTo.join(", ")}.</Notice>}
    </form>
  );
}
