import { useEffect, useMemo, useRef, useState } from "react";
import type uPlot from "uplot"; // types only: the library itself is imported on demand below

import { ErrorAlert } from "./Alerts";
import { DataTable } from "./DataTable";

export interface Series {
  label: string;
  values: number[];
  color: string;
}

interface TimeSeriesChartProps {
  title: string;
  /** The start of each bucket, ISO 8601 */
  times: string[];
  series: Series[];
  /** The table below the chart writes each value with this. */
  format?: (value: number) => string;
  formatTime?: (iso: string) => string;
  height?: number;
}

/** A line chart drawn by uPlot, which is loaded only by the pages that chart (it is not part of
 * the first load). The same numbers are in a table for keyboard and screen-reader users. */
export function TimeSeriesChart({ title, times, series, format = String, formatTime = (iso) => iso, height = 240 }: TimeSeriesChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [error, setError] = useState<unknown>(null);
  const hasData = times.length > 0;
  const data = useMemo((): uPlot.AlignedData => {
    const seconds = times.map((iso) => Date.parse(iso) / 1000);
    // One bucket alone (a campaign sent this hour) would make uPlot span years: an empty point an
    // hour earlier (a gap, not a zero) gives the axis its hour.
    if (seconds.length === 1) return [[seconds[0]! - 3600, seconds[0]!], ...series.map((s) => [null, ...s.values])];
    return [seconds, ...series.map((s) => s.values)];
  }, [times, series]);
  const dataRef = useRef(data);
  dataRef.current = data;
  const shape = series.map((s) => `${s.label}:${s.color}`).join("|");

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
            axes: [{ stroke: "#555e69" }, { stroke: "#555e69", size: 60 }],
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
