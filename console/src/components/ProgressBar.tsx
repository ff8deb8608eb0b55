/** A progress bar screen readers announce: role progressbar with its value, or no value while
 * the amount of work is not known yet (indeterminate). */
export function ProgressBar({ label, value, max = 100, text }: { label: string; value: number | null; max?: number; text?: string }) {
  const percent = value === null || max <= 0 ? null : Math.max(0, Math.min(100, Math.round((value / max) * 100)));
  return (
    <div>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent ?? undefined}
        aria-valuetext={text}
        className={percent === null ? "progress indeterminate" : "progress"}
      >
        <span style={percent === null ? undefined : { width: `${percent}%` }} />
      </div>
      {text && <p className="small muted" style={{ margin: "0.25rem 0 0" }}>{text}</p>}
    </div>
  );
}
