import { useEffect, useState } from "preact/hooks";
import { subscribe, type PoolsView } from "../api.js";
import { clock, percent } from "../format.js";
import { Spark } from "../spark.js";

/** The pools as `toolmesh top` shows them, drawn: the same rows, charts of the last minutes, the limit and replica changes. */
export function PoolsPage() {
  const [view, setView] = useState<PoolsView>();
  useEffect(() => subscribe("/pools/stream", { pools: (data) => setView(data as PoolsView) }), []);
  if (!view) return <p class="muted">loading…</p>;
  if (!view.available)
    return <p class="muted">This console has no connection to the metrics bus (TOOLMESH_NATS_URL), so it cannot show the pools.</p>;
  return (
    <section class="pools">
      <h2>pools</h2>
      <table data-testid="pools-table">
        <thead>
          <tr>
            <th>pool</th>
            <th>replicas</th>
            <th>level</th>
            <th>limit</th>
            <th>in-flight</th>
            <th>queue</th>
            <th>calls/s</th>
            <th>p50 ms</th>
            <th>p99 ms</th>
            <th>errors</th>
            <th>quality</th>
            <th>cpu</th>
            <th>mem</th>
          </tr>
        </thead>
        <tbody>
          {view.rows.map((r) => (
            <tr key={r.pool} data-pool={r.pool} class={r.alerts.length ? "alerting" : ""}>
              <td class="name">{r.pool}</td>
              <td data-col="replicas">{r.replicas}</td>
              <td data-col="level">{r.level}</td>
              <td data-col="limit">{r.limit}</td>
              <td data-col="inFlight">{r.inFlight}</td>
              <td data-col="queue">{r.queue ?? "?"}</td>
              <td data-col="throughput">{r.throughput.toFixed(1)}</td>
              <td data-col="p50">{r.p50Ms.toFixed(1)}</td>
              <td data-col="p99">{r.p99Ms.toFixed(1)}</td>
              <td data-col="errorRate">{percent(r.errorRate)}</td>
              <td data-col="quality">{r.quality.toFixed(2)}</td>
              <td data-col="cpu">{r.cpuPercent.toFixed(0)}%</td>
              <td data-col="memory">{percent(r.memoryFraction)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {view.rows.length === 0 && <p class="muted">No pool instance has reported on the metrics bus yet.</p>}
      {view.rows.some((r) => r.alerts.length) && (
        <ul class="alerts">{view.rows.flatMap((r) => r.alerts.map((a) => <li key={`${r.pool}${a}`}>{`${r.pool}: ${a}`}</li>))}</ul>
      )}
      <div class="charts">
        {view.rows.map((r) => {
          const samples = view.history[r.pool] ?? [];
          const times = samples.map((s) => s.timeMs / 1000);
          return (
            <div class="chart-card" key={r.pool} data-pool={r.pool}>
              <h4>{r.pool}</h4>
              <div class="chart-row">
                <figure>
                  <Spark times={times} values={samples.map((s) => s.inFlight)} ceiling={samples.map((s) => s.limit)} label="in-flight" />
                  <figcaption>in-flight / limit</figcaption>
                </figure>
                <figure>
                  <Spark times={times} values={samples.map((s) => s.throughput)} label="calls/s" />
                  <figcaption>calls/s</figcaption>
                </figure>
                <figure>
                  <Spark times={times} values={samples.map((s) => s.p99Ms)} label="p99 ms" />
                  <figcaption>p99 ms</figcaption>
                </figure>
                <figure>
                  <Spark times={times} values={samples.map((s) => s.queue)} label="queue" />
                  <figcaption>queue</figcaption>
                </figure>
              </div>
            </div>
          );
        })}
      </div>
      <h3>limit and replica changes</h3>
      {view.changes.length === 0 ? (
        <p class="muted">none yet</p>
      ) : (
        <ol class="timeline" data-testid="changes">
          {[...view.changes].reverse().map((c, i) => (
            <li key={`${c.timeMs}-${i}`}>
              <time>{clock(c.timeMs)}</time> <strong>{c.pool}</strong> {c.kind} {c.from} → {c.to} <span class="muted">({c.who})</span>:{" "}
              {c.reason}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
