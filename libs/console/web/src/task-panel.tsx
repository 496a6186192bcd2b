import { useEffect, useState } from "preact/hooks";
import { getJson, postJson, type OutputPage, type TaskDetails } from "./api.js";
import { clock, duration } from "./format.js";
import type { LiveTask } from "./live.js";

interface TaskPanelProps {
  workflowId: string;
  taskId: string;
  /** The task as the event stream has it (attempts, live output, current state). */
  live: LiveTask | undefined;
  onClose: () => void;
}

const pretty = (value: unknown): string => JSON.stringify(value ?? null, null, 2);

/** One task: tool, arguments, attempts and errors, timings, worker, and its output (paged when it is large). */
export function TaskPanel({ workflowId, taskId, live, onClose }: TaskPanelProps) {
  const [details, setDetails] = useState<TaskDetails>();
  const [failure, setFailure] = useState<string>();
  const [pages, setPages] = useState<OutputPage[]>([]);
  const state = live?.state ?? details?.state;
  const finished = state === "succeeded" || state === "failed" || state === "cancelled";

  useEffect(() => {
    setPages([]);
    setFailure(undefined);
    const path = `/workflows/${encodeURIComponent(workflowId)}/tasks/${encodeURIComponent(taskId)}`;
    getJson<TaskDetails>(path).then(setDetails, (err: Error) => setFailure(err.message));
    // Reloaded when the task finishes: its output and error arrive then.
  }, [workflowId, taskId, finished]);

  const loadPage = (offset: number): void => {
    const path = `/workflows/${encodeURIComponent(workflowId)}/tasks/${encodeURIComponent(taskId)}/output?offset=${offset}`;
    getJson<OutputPage>(path).then(
      (page) => setPages((old) => [...old, page]),
      (err: Error) => setFailure(err.message),
    );
  };
  const [cancelling, setCancelling] = useState(false);
  const cancel = (): void => {
    setCancelling(true);
    const path = `/workflows/${encodeURIComponent(workflowId)}/tasks/${encodeURIComponent(taskId)}/cancel`;
    postJson(path, { reason: "cancelled from the console" }).catch((err: Error) => setFailure(err.message));
  };
  const lastPage = pages.at(-1);
  const task = details;
  return (
    <aside class="panel" data-testid="task-panel" data-task={taskId}>
      <header>
        <h3>{taskId}</h3>
        {state && !finished && (
          <button type="button" class="danger" onClick={cancel} disabled={cancelling} data-testid="cancel-task">
            {cancelling ? "cancelling…" : "cancel task"}
          </button>
        )}
        <button type="button" onClick={onClose} aria-label="close">
          ×
        </button>
      </header>
      {failure && <p class="error">{failure}</p>}
      {task && (
        <>
          <dl>
            <dt>tool</dt>
            <dd>
              {task.tool} <span class="muted">({task.pool})</span>
            </dd>
            <dt>state</dt>
            <dd class={`state-text state-${state}`} data-testid="task-state">
              {state}
            </dd>
            <dt>attempt</dt>
            <dd>{live?.attempt ?? task.attempt}</dd>
            <dt>worker</dt>
            <dd>{live?.worker || task.worker || "–"}</dd>
            <dt>trace</dt>
            <dd data-testid="trace-id">{task.traceId || "– (not traced)"}</dd>
            <dt>started</dt>
            <dd>{task.startedAtMs ? clock(task.startedAtMs) : "–"}</dd>
            <dt>took</dt>
            <dd>{task.startedAtMs && task.finishedAtMs ? duration(task.finishedAtMs - task.startedAtMs) : "–"}</dd>
            {task.sharedFrom && (
              <>
                <dt>shared from</dt>
                <dd>{task.sharedFrom}</dd>
              </>
            )}
            {task.stage && (
              <>
                <dt>stage</dt>
                <dd>{task.stage}</dd>
              </>
            )}
          </dl>
          {(live?.attempts.length ?? 0) > 0 && (
            <>
              <h4>retried attempts</h4>
              <ul class="attempts">
                {live!.attempts.map((a) => (
                  <li key={a.attempt}>
                    {clock(a.timeMs)} attempt {a.attempt}: {a.message}
                  </li>
                ))}
              </ul>
            </>
          )}
          {task.error && (
            <p class="error" data-testid="task-error">
              {task.error.code}: {task.error.message}
            </p>
          )}
          <h4>arguments</h4>
          <pre class="json">{pretty(task.args)}</pre>
          <h4>output</h4>
          {task.outputBytes === undefined ? (
            <pre class="json" data-testid="task-output">
              {pretty(task.output)}
            </pre>
          ) : (
            <>
              <p class="muted">{task.outputBytes.toLocaleString()} bytes in the object store</p>
              {pages.length > 0 && (
                <pre class="json" data-testid="task-output">
                  {pages.map((p) => p.text).join("")}
                </pre>
              )}
              {(pages.length === 0 || lastPage?.nextOffset !== undefined) && (
                <button type="button" onClick={() => loadPage(lastPage?.nextOffset ?? 0)} data-testid="load-output">
                  {pages.length === 0
                    ? "load output"
                    : `load more (${lastPage!.nextOffset!.toLocaleString()} of ${lastPage!.total.toLocaleString()} characters shown)`}
                </button>
              )}
            </>
          )}
          {live?.log && (
            <>
              <h4>live output</h4>
              <pre class="log">{live.log}</pre>
            </>
          )}
        </>
      )}
    </aside>
  );
}
