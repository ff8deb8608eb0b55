import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router";

import { unwrap } from "../api/client";
import { splitFieldErrors } from "../api/errors";
import type { Campaign } from "../api/types";
import { useApi } from "../auth/AuthProvider";
import { FormErrorAlert, Notice } from "../components/Alerts";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { TextField } from "../components/Field";
import { TestSendForm } from "../components/TestSendForm";
import { formatCount, formatDateTime, fromDateTimeLocal } from "../format";
import { useAction } from "../hooks";
import { sendConfirmation } from "./sendConfirmation";

interface ActionsProps {
  campaign: Campaign;
  onChange(campaign: Campaign): void;
}

/** Whether the campaign's status leaves a manager anything to do with it. */
export function hasActions(campaign: Campaign): boolean {
  if (campaign.status === "sent") return (campaign.progress.failed ?? 0) > 0;
  return campaign.status !== "cancelled";
}

/** What a manager can do with the campaign in its status; analysts are not shown this. */
export function CampaignActions({ campaign, onChange }: ActionsProps) {
  const api = useApi();
  const navigate = useNavigate();
  const path = { params: { path: { campaign_id: campaign.id } } };
  const [confirm, setConfirm] = useState<"send" | "cancel" | "delete" | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const status = campaign.status;
  const failed = campaign.progress.failed ?? 0;
  const send = sendConfirmation(campaign.cost);

  const act = useAction(async (action: "send" | "pause" | "resume" | "cancel" | "retry" | "delete") => {
    setNotice(null);
    switch (action) {
      case "send":
        return onChange(await unwrap(api.POST("/campaigns/{campaign_id}/send/", path)));
      case "pause":
        return onChange(await unwrap(api.POST("/campaigns/{campaign_id}/pause/", path)));
      case "resume":
        return onChange(await unwrap(api.POST("/campaigns/{campaign_id}/resume/", path)));
      case "cancel":
        return onChange(await unwrap(api.POST("/campaigns/{campaign_id}/cancel/", path)));
      case "retry": {
        const { requeued } = await unwrap(api.POST("/campaigns/{campaign_id}/retry-failed/", path));
        setNotice(requeued ? `${formatCount(requeued)} failed recipients are being sent again.` : "No failed recipients to retry.");
        return onChange(await unwrap(api.GET("/campaigns/{campaign_id}/", path)));
      }
      case "delete":
        await unwrap(api.DELETE("/campaigns/{campaign_id}/", path));
        return navigate("/campaigns");
    }
  });

  return (
    <div className="stack">
      <FormErrorAlert error={act.error} fields={[]} />
      {notice && <Notice kind="success">{notice}</Notice>}
      <div className="row">
        {(status === "draft" || status === "scheduled") && (
          <button type="button" onClick={() => setConfirm("send")} disabled={act.pending}>
            Send now
          </button>
        )}
        {status === "sending" && (
          <button type="button" className="secondary" onClick={() => void act.run("pause")} disabled={act.pending}>
            Pause
          </button>
        )}
        {status === "paused" && (
          <button type="button" onClick={() => void act.run("resume")} disabled={act.pending}>
            Resume
          </button>
        )}
        {(status === "sent" || status === "sending") && failed > 0 && (
          <button type="button" className="secondary" onClick={() => void act.run("retry")} disabled={act.pending}>
            Retry failed
          </button>
        )}
        {(status === "scheduled" || status === "sending" || status === "paused") && (
          <button type="button" className="danger" onClick={() => setConfirm("cancel")} disabled={act.pending}>
            Cancel campaign
          </button>
        )}
        {status === "draft" && (
          <button type="button" className="secondary" onClick={() => setConfirm("delete")} disabled={act.pending}>
            Delete campaign
          </button>
        )}
      </div>
      {(status === "draft" || status === "scheduled") && <ScheduleForm campaign={campaign} onChange={onChange} />}
      {(status === "draft" || status === "scheduled") && (
        <TestSendForm
          send={(emails) =>
            unwrap(api.POST("/campaigns/{campaign_id}/test-send/", { params: { path: { campaign_id: campaign.id } }, body: { emails } }))
          }
        />
      )}
      <ConfirmDialog
        open={confirm === "send" && (status === "draft" || status === "scheduled")}
        title="Send this campaign now?"
        confirmLabel={send.confirmLabel}
        cancelLabel="Not yet"
        onCancel={() => setConfirm(null)}
        onConfirm={() => {
          setConfirm(null);
          void act.run("send");
        }}
      >
        <p>{send.summary}</p>
        {status === "scheduled" && <p>It goes now instead of at {formatDateTime(campaign.scheduled_at)}.</p>}
        <p>Emails that have gone out cannot be called back.</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === "cancel"}
        title="Cancel this campaign?"
        confirmLabel="Cancel campaign"
        cancelLabel="Keep sending"
        danger
        onCancel={() => setConfirm(null)}
        onConfirm={() => {
          setConfirm(null);
          void act.run("cancel");
        }}
      >
        <p>No more emails go out. Emails already sent stay sent. This cannot be undone.</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === "delete"}
        title="Delete this draft?"
        confirmLabel="Delete campaign"
        danger
        onCancel={() => setConfirm(null)}
        onConfirm={() => {
          setConfirm(null);
          void act.run("delete");
        }}
      >
        <p>The draft is removed.</p>
      </ConfirmDialog>
    </div>
  );
}

function ScheduleForm({ campaign, onChange }: ActionsProps) {
  const api = useApi();
  const [when, setWhen] = useState("");
  const schedule = useAction(async () => {
    const scheduledAt = fromDateTimeLocal(when);
    if (!scheduledAt) throw new Error("Choose a date and time to send at.");
    onChange(await unwrap(api.POST("/campaigns/{campaign_id}/schedule/", { params: { path: { campaign_id: campaign.id } }, body: { scheduled_at: scheduledAt } })));
  });
  const errors = splitFieldErrors(schedule.error, ["scheduled_at"]).byField;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void schedule.run();
  };
  return (
    <form onSubmit={submit} aria-label="Schedule" className="form-row" noValidate>
      <TextField label="Send at" type="datetime-local" value={when} onChange={(e) => setWhen(e.target.value)} error={errors.scheduled_at} hint="Your local time" />
      <div className="field-action">
        <button type="submit" className="secondary" disabled={schedule.pending}>
          {campaign.status === "scheduled" ? "Reschedule" : "Schedule"}
        </button>
      </div>
      {schedule.error && !errors.scheduled_at ? <FormErrorAlert error={schedule.error} fields={["scheduled_at"]} /> : null}
    </form>
  );
}

