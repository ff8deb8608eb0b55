import { humanize } from "../format";

const TONE: Record<string, string> = {
  sent: "good",
  completed: "good",
  active: "good",
  subscribed: "good",
  delivered: "good",
  idle: "good",
  sending: "busy",
  scheduled: "busy",
  queued: "busy",
  running: "busy",
  in_progress: "busy",
  processing: "busy",
  pending: "busy",
  awaiting_upload: "busy",
  paused: "warn",
  draft: "",
  cancelled: "",
  stopped: "",
  unsubscribed: "warn",
  suppressed: "warn",
  expired: "warn",
  failed: "bad",
  bounced: "bad",
  complained: "bad",
  disabled: "bad",
};

export function StatusBadge({ status }: { status: string | null | undefined }) {
  if (!status) return <span className="badge">—</span>;
  return <span className={`badge ${TONE[status] ?? ""}`}>{humanize(status)}</span>;
}
