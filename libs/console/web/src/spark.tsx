import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

interface SparkProps {
  /** Seconds since the epoch. */
  times: number[];
  values: number[];
  label: string;
  /** A second series drawn dashed (e.g. the limit under in-flight). */
  ceiling?: number[];
}

/** A small time-series chart (uPlot) of the last minutes. */
export function Spark({ times, values, label, ceiling }: SparkProps) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  useEffect(() => {
    const series: uPlot.Series[] = [{}, { label, stroke: "#2f6fdd", width: 1.5, fill: "rgba(47,111,221,0.12)", points: { show: false } }];
    if (ceiling) series.push({ label: "limit", stroke: "#999", dash: [4, 3], width: 1, points: { show: false } });
    plot.current = new uPlot(
      {
        width: 180,
        height: 48,
        legend: { show: false },
        cursor: { show: false },
        axes: [{ show: false }, { show: false }],
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1e-9, max)] } },
        series,
      },
      [[], [], ...(ceiling ? [[]] : [])],
      el.current!,
    );
    return () => plot.current?.destroy();
  }, [label, Boolean(ceiling)]);
  useEffect(() => {
    plot.current?.setData([times, values, ...(ceiling ? [ceiling] : [])]);
  }, [times, values, ceiling]);
  return <div class="spark" ref={el} title={label} />;
}
