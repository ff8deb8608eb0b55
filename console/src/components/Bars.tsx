import { formatCount } from "../format";

export interface Bar {
  label: string;
  value: number;
  /** Shown after the count, e.g. the rate. */
  note?: string;
}

/** Horizontal bars scaled to the largest value: a funnel, clicks per link. Readable as a list. */
export function Bars({ bars, label, wide = false }: { bars: readonly Bar[]; label: string; wide?: boolean }) {
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  return (
    <ul className={wide ? "bars wide" : "bars"} aria-label={label}>
      {bars.map((bar) => (
        <li key={bar.label}>
          <span className="small" style={{ overflowWrap: "anywhere" }}>
            {bar.label}
          </span>
          <span className="bar" aria-hidden="true">
            <span style={{ width: `${(bar.value / max) * 100}%` }} />
          </span>
          <span className="value small">
            {formatCount(bar.value)}
            {bar.note ? ` · ${bar.note}` : ""}
          </span>
        </li>
      ))}
    </ul>
  );
}
