/** The rows of an import that asked to subscribe but wait for their owner's confirmation, and
 * for managers the button that emails each of them a confirmation (re-permission) link. */

import { useId, useState } from "react";

import { unwrap } from "../api/client";
import type { ContactImport } from "../api/types";
import { useApi, useCanWrite } from "../auth/AuthProvider";
import { ErrorAlert } from "../components/Alerts";
import { Card } from "../components/Page";
import { ProgressBar } from "../components/ProgressBar";
import { formatCount } from "../format";
import { useAction, usePoll } from "../hooks";

// The worker sends the emails in the background, in rounds; some never go (an erased contact, a
// bounced address), so the page watches the count for a while rather than until it is full.
const WATCH_MS = 2 * 60_000;
const POLL_MS = 2000;

function waitingSentence(waiting: number): string {
  return waiting === 1
    ? "1 person asked to subscribe without a stated consent: they are a contact, not a subscriber, until they confirm."
    : `${formatCount(waiting)} people asked to subscribe without a stated consent: they are contacts, not subscribers, until they confirm.`;
}

export function ImportConfirmations({ contactImport, onChange }: { contactImport: ContactImport; onChange(contactImport: ContactImport): void }) {
  const api = useApi();
  const canWrite = useCanWrite();
  const hintId = useId();
  const { awaiting_confirmation: waiting, confirmations_sent: sent } = contactImport.counts;
  const [watchUntil, setWatchUntil] = useState(0);
  const watching = watchUntil > 0 && sent < waiting;
  const path = { params: { path: { import_id: contactImport.id } } };

  const ask = useAction(async () => {
    onChange(await unwrap(api.POST("/contacts/imports/{import_id}/confirmations/", path)));
    setWatchUntil(Date.now() + WATCH_MS);
  });
  usePoll(
    async () => {
      if (Date.now() >= watchUntil) setWatchUntil(0); // this fetch is the last
      onChange(await unwrap(api.GET("/contacts/imports/{import_id}/", path)));
    },
    POLL_MS,
    watching,
  );

  if (waiting === 0) return null;
  return (
    <Card title="Waiting for confirmation">
      <p style={{ marginTop: 0 }}>{waitingSentence(waiting)}</p>
      {(sent > 0 || watchUntil > 0) && (
        <ProgressBar label="Confirmation emails sent" value={sent} max={waiting} text={`${formatCount(sent)} of ${formatCount(waiting)} confirmation emails sent`} />
      )}
      {canWrite && contactImport.status === "completed" && sent < waiting && (
        <div className="field" style={{ marginTop: "1rem" }}>
          <div>
            <button type="button" onClick={() => void ask.run()} disabled={ask.pending || watching} aria-describedby={hintId}>
              Email them a confirmation link
            </button>
          </div>
          <span className="hint" id={hintId}>
            One email each, with a link that subscribes them. Asking again sends nobody a second one.
          </span>
        </div>
      )}
      <ErrorAlert error={ask.error} />
    </Card>
  );
}
