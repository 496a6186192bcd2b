import { useEffect, useMemo, useReducer, useState } from "preact/hooks";
import { getJson, postJson, subscribe, type ConsoleEvent, type WorkflowView } from "../api.js";
import { DagView } from "../dag-view.js";
import { age, duration } from "../format.js";
import { LiveStore, itemOf, type LiveTask } from "../live.js";
import { TaskPanel } from "../task-panel.js";
import { VirtualList } from "../virtual-list.js";

/** One workflow drawn live: the DAG, every task in a virtualised list, a task's details, cancel. */
export function WorkflowPage({ id }: { id: string }) {
  const store = useMemo(() => new LiveStore(id), [id]);
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const [failure, setFailure] = useState<string>();
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [selected, setSelected] = useState<{ workflowId: string; taskId: string }>();
  const [groupFilter, setGroupFilter] = useState<{ workflowId: string; group: string }>();
  const [cancelling, setCancelling] = useState(false);

  useEffect(() => {
    let closed = false;
    let reloadTimer: ReturnType<typeof setTimeout> | undefined;
    const reload = (): void => {
      getJson<WorkflowView>(`/workflows/${encodeURIComponent(id)}`).then(
        (view) => {
          if (closed) return;
          store.load(view);
          redraw(undefined);
        },
        (err: Error) => setFailure(err.message),
      );
    };
    // A sub-agent's workflow seen first in the events: its name and dependencies come with a reload.
    const reloadSoon = (): void => {
      clearTimeout(reloadTimer);
      reloadTimer = setTimeout(reload, 300);
    };
    reload();
    let pending = false;
    const close = subscribe(`/workflows/${encodeURIComponent(id)}/events`, {
      events: (data) => {
        if (store.apply(data as ConsoleEvent[])) reloadSoon();
        // One redraw per frame however many batches arrive.
        if (!pending) {
          pending = true;
          requestAnimationFrame(() => {
            pending = false;
            redraw(undefined);
          });
        }
      },
      end: () => {
        close();
        reload();
      },
      failure: (data) => setFailure((data as { message: string }).message),
    });
    return () => {
      closed = true;
      clearTimeout(reloadTimer);
      close();
    };
  }, [id, store]);

  const root = store.root;
  const tasks: LiveTask[] = [];
  for (const wf of store.workflows.values()) {
    for (const t of wf.tasks.values()) {
      if (!groupFilter || (t.workflowId === groupFilter.workflowId && itemOf(t.id)?.group === groupFilter.group)) tasks.push(t);
    }
  }
  const selectedTask = selected ? store.workflows.get(selected.workflowId)?.tasks.get(selected.taskId) : undefined;
  const cancel = (): void => {
    setCancelling(true);
    postJson(`/workflows/${encodeURIComponent(id)}/cancel`, { reason: "cancelled from the console" }).then(
      () => setCancelling(false),
      (err: Error) => {
        setCancelling(false);
        setFailure(err.message);
      },
    );
  };

  if (!root) return <p class="muted">{failure ?? "loading…"}</p>;
  const running = root.state === "running";
  return (
    <section class="workflow" data-testid="workflow" data-state={root.state}>
      <header class="wf-header">
        <h2>
          {root.name}{" "}
          <span class={`badge state-${root.state}`} data-testid="workflow-state">
            {root.state}
          </span>
        </h2>
        <span class="muted">
          {root.id} · started {age(root.createdAtMs)} · {duration((root.finishedAtMs || Date.now()) - root.createdAtMs)}
        </span>
        {running && (
          <button type="button" class="danger" onClick={cancel} disabled={cancelling} data-testid="cancel-workflow">
            {cancelling ? "cancelling…" : "cancel workflow"}
          </button>
        )}
      </header>
      {failure && <p class="error">{failure}</p>}
      {root.error && <p class="error">{root.error}</p>}
      <DagView
        store={store}
        shape={store.shape}
        expanded={expanded}
        selected={selected ? `${selected.workflowId}/${selected.taskId}` : undefined}
        onSelect={({ workflowId, taskId, group }) => {
          setSelected({ workflowId, taskId });
          if (group) {
            const key = `${workflowId}/${taskId}`;
            const next = new Set(expanded);
            if (next.has(key)) next.delete(key);
            else next.add(key);
            setExpanded(next);
            setGroupFilter(next.has(key) ? { workflowId, group: taskId } : undefined);
          }
        }}
      />
      <div class="split">
        <div class="tasks">
          <h3>
            {groupFilter ? `items of ${groupFilter.group}` : "tasks"} ({tasks.length})
            {groupFilter && (
              <button type="button" class="link" onClick={() => setGroupFilter(undefined)}>
                show all
              </button>
            )}
          </h3>
          <VirtualList
            count={tasks.length}
            rowHeight={28}
            height={Math.min(420, Math.max(120, tasks.length * 28))}
            testId="task-list"
            row={(i) => {
              const t = tasks[i]!;
              return (
                <button
                  type="button"
                  class={`task-row state-${t.state}`}
                  data-task={t.id}
                  onClick={() => setSelected({ workflowId: t.workflowId, taskId: t.id })}
                >
                  <span class="dot" />
                  <span class="id">{t.id}</span>
                  <span class="tool">{t.tool}</span>
                  <span class="st">{t.state}</span>
                  <span class="dur">{t.startedAtMs && t.finishedAtMs ? duration(t.finishedAtMs - t.startedAtMs) : ""}</span>
                </button>
              );
            }}
          />
        </div>
        {selected && (
          <TaskPanel
            key={`${selected.workflowId}/${selected.taskId}`}
            workflowId={selected.workflowId}
            taskId={selected.taskId}
            live={selectedTask}
            onClose={() => setSelected(undefined)}
          />
        )}
      </div>
    </section>
  );
}
