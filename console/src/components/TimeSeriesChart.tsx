import { useEffect, useMemo, useRef, useState } from "react";
import type uPlot from "uplot"; // types only: the library itself is imported on demand below

import { axisLabels, type Granularity } from "../format";
import { ErrorAlert } from "./Alerts";
import { DataTable } from "./DataTable";

export interface Series {
  label: string;
  values: number[];
  color: string;
}

interface TimeSeriesChartProps {
  title: string;
  /** The start of each bucket, ISO 8601: an hour, or a calendar day (counted in UTC) */
  times: string[];
  granularity: Granularity;
  series: Series[];
  /** The table below the chart writes each value with this. */
  format?: (value: number) => string;
  formatTime?: (iso: string) => string;
  height?: number;
}

/** A line chart drawn by uPlot, which is loaded only by the pages that chart (it is not part of
 * the first load). The same numbers are in a table for keyboard and screen-reader users. */
const HOUR = 3600;
const DAY = 24 * HOUR;
// Ticks only where buckets start: whole hours or whole days, never the minutes between them.
const TICK_STEPS: Record<Granularity, number[]> = {
  hour: [HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY],
  day: [DAY, 2 * DAY, 7 * DAY, 14 * DAY, 28 * DAY, 91 * DAY, 182 * DAY, 364 * DAY],
};

export function TimeSeriesChart({
  title,
  times,
  granularity,
  series,
  format = String,
  formatTime = (iso) => iso,
  height = 240,
}: TimeSeriesChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [error, setError] = useState<unknown>(null);
  const hasData = times.length > 0;
  const data = useMemo((): uPlot.AlignedData => {
    const seconds = times.map((iso) => Date.parse(iso) / 1000);
    // One bucket alone (a campaign sent this hour) would make uPlot span years: an empty point a
    // bucket earlier (a gap, not a zero) gives the axis its span.
    const step = granularity === "hour" ? HOUR : DAY;
    if (seconds.length === 1) return [[seconds[0]! - step, seconds[0]!], ...series.map((s) => [null, ...s.values])];
    return [seconds, ...series.map((s) => s.values)];
  }, [times, series, granularity]);
  const dataRef = useRef(data);
  dataRef.current = data;
  const shape = `${granularity}:${series.map((s) => `${s.label}:${s.color}`).join("|")}`;

  // Build the chart once per shape (series and height); new numbers are pushed in below.
  useEffect(() => {
    const target = container.current;
    if (!target || !hasData) return;
    let disposed = false;
    let observer: ResizeObserver | undefined;
    Promise.all([import("uplot"), import("uplot/dist/uPlot.min.css")])
      .then(([{ default: UPlot }]) => {
        if (disposed) return;
        plot.current = new UPlot(
          {
            width: Math.max(280, target.clientWidth),
            height,
            legend: { show: false }, // the legend below is ours, in the page's styles
            cursor: { drag: { x: false, y: false } },
            scales: { x: { time: true } },
            // Days are calendar days in UTC (as the API counts them): placed and labelled in UTC.
            ...(granularity === "day" ? { tzDate: (ts: number) => UPlot.tzDate(new Date(ts * 1000), "UTC") } : {}),
            axes: [
              {
                stroke: "#555e69",
                incrs: TICK_STEPS[granularity],
                values: (_: uPlot, ticks: number[]) => axisLabels(ticks, granularity),
                size: 50, // two lines: the time, and the day where one starts
              },
              { stroke: "#555e69", size: 60 },
            ],
            series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2 }))],
          },
          dataRef.current,
          target,
        );
        observer = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(280, target.clientWidth), height }));
        observer.observe(target);
      })
      .catch(setError);
    return () => {
      disposed = true;
      observer?.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [shape, height, hasData]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  if (times.length === 0) return <p className="muted">No data for this period yet.</p>;
  return (
    <figure style={{ margin: 0 }}>
      <ErrorAlert error={error} />
      <div ref={container} className="chart" role="img" aria-label={`${title}: chart (the same data is in the table below)`} />
      <figcaption className="chart-legend">
        {series.map((s) => (
          <span key={s.label}>
            <span className="swatch" style={{ background: s.color }} aria-hidden="true" />
            {s.label}
          </span>
        ))}
      </figcaption>
      <details>
        <summary className="small">{title}: show the numbers</summary>
        <DataTable columns={["Time", ...series.map((s) => ({ label: s.label, numeric: true }))]}>
          {times.map((time, index) => (
            <tr key={time}>
              <th scope="row">{formatTime(time)}</th>
              {series.map((s) => (
                <td className="num" key={s.label}>
                  {format(s.values[index] ?? 0)}
                </td>
              ))}
            </tr>
          ))}
        </DataTable>
      </details>
    </figure>
  );
}
