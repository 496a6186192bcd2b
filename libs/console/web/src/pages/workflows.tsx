import { useEffect, useState } from "preact/hooks";
import { subscribe, type WorkflowRow } from "../api.js";
import { age, duration } from "../format.js";
import { VirtualList } from "../virtual-list.js";

const STATES = ["", "running", "succeeded", "failed", "cancelled"] as const;

/** Every workflow the coordinators hold, newest first, live; filtered by state. */
export function WorkflowsPage({ state, onState }: { state: string; onState: (state: string) => void }) {
  const [rows, setRows] = useState<WorkflowRow[]>();
  const [failure, setFailure] = useState<string>();
  const [, tick] = useState(0);

  useEffect(() => {
    setRows(undefined);
    const close = subscribe(`/workflows/stream${state ? `?state=${state}` : ""}`, {
      workflows: (data) => {
        setFailure(undefined);
        setRows(data as WorkflowRow[]);
      },
      failure: (data) => setFailure((data as { message: string }).message),
    });
    // Ages and running durations move on between updates.
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => {
      close();
      clearInterval(timer);
    };
  }, [state]);

  return (
    <section>
      <header class="toolbar">
        <h2>workflows</h2>
        <label>
          state{" "}
          <select value={state} onChange={(e) => onState((e.target as HTMLSelectElement).value)} data-testid="state-filter">
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s || "all"}
              </option>
            ))}
          </select>
        </label>
      </header>
      {failure && <p class="error">{failure}</p>}
      {!rows ? (
        <p class="muted">loading…</p>
      ) : rows.length === 0 ? (
        <p class="muted">no workflows{state ? ` in state ${state}` : ""} yet — start one from “start a template”.</p>
      ) : (
        <>
          <div class="wf-row head">
            <span>state</span>
            <span>name</span>
            <span>age</span>
            <span>duration</span>
            <span>calls done/total</span>
            <span>errors</span>
          </div>
          <VirtualList
            count={rows.length}
            rowHeight={30}
            height={Math.min(640, rows.length * 30 + 2)}
            testId="workflow-list"
            row={(i) => {
              const w = rows[i]!;
              return (
                <a class={`wf-row state-${w.state}`} href={`#/workflows/${w.id}`} data-workflow={w.id} data-state={w.state}>
                  <span class={`badge state-${w.state}`}>{w.state}</span>
                  <span class="name">{w.name}</span>
                  <span>{age(w.createdAtMs)}</span>
                  <span>{duration((w.finishedAtMs || Date.now()) - w.createdAtMs)}</span>
                  <span data-testid="calls">
                    {w.done}/{w.tasks}
                  </span>
                  <span class={w.failed ? "error-count" : ""}>{w.failed}</span>
                </a>
              );
            }}
          />
        </>
      )}
    </section>
  );
}
