import { describe, expect, it } from "vitest";
import type { ConsoleEvent, TaskRow, WorkflowView } from "../src/api-types.js";
import { layoutGraph, MAX_EXPANDED_ITEMS } from "../web/src/graph.js";
import { LiveStore } from "../web/src/live.js";

// The page's state and graph, without a browser: what the event stream does
// to the tasks, and what the layout draws for fan-outs and sub-agents.

const row = (id: string, extra: Partial<TaskRow> = {}): TaskRow => ({
  id,
  tool: "test.echo",
  pool: "test",
  state: "pending",
  attempt: 0,
  startedAtMs: 0,
  finishedAtMs: 0,
  worker: "",
  dependsOn: [],
  sharedFrom: "",
  stage: "",
  ...extra,
});
const view = (id: string, tasks: TaskRow[], extra: Partial<WorkflowView> = {}): WorkflowView => ({
  id,
  name: id,
  state: "running",
  createdAtMs: 1,
  finishedAtMs: 0,
  error: "",
  traceId: "",
  tasks,
  children: [],
  ...extra,
});
let sequence = 0;
const event = (type: string, taskId: string, extra: Partial<ConsoleEvent> = {}): ConsoleEvent => ({
  workflowId: "wf",
  sequence: ++sequence,
  timeMs: sequence,
  type,
  taskId,
  tool: "test.echo",
  pool: "test",
  attempt: 1,
  message: "",
  worker: "w1",
  durationMs: 0,
  parentWorkflowId: "",
  parentTaskId: "",
  ...extra,
});

describe("LiveStore", () => {
  it("moves tasks on with the events, adds fan-out items as they are queued, and never moves a task back on replay", () => {
    const store = new LiveStore("wf");
    store.load(view("wf", [row("list", { state: "succeeded", attempt: 1 }), row("each", { dependsOn: ["list"] })]));
    const shape = store.shape;
    store.apply([event("task_queued", "each[0]"), event("task_started", "each[0]"), event("task_succeeded", "each[0]")]);
    expect(store.root!.tasks.get("each[0]")).toMatchObject({ state: "succeeded", worker: "w1" });
    expect(store.shape).toBeGreaterThan(shape);
    // The replayed history of a task the loaded view already has as succeeded.
    store.apply([event("task_queued", "list"), event("task_started", "list")]);
    expect(store.root!.tasks.get("list")!.state).toBe("succeeded");
    // A retry is a new attempt: it moves the task back to queued and is remembered.
    store.apply([event("task_retrying", "list", { attempt: 2, message: "UNAVAILABLE: worker lost" })]);
    expect(store.root!.tasks.get("list")).toMatchObject({
      state: "queued",
      attempt: 2,
      attempts: [{ attempt: 2, message: "UNAVAILABLE: worker lost" }],
    });
  });

  it("hangs a sub-agent's workflow first seen in the events under its agent.run task, and asks for a reload", () => {
    const store = new LiveStore("wf");
    store.load(view("wf", [row("agent", { tool: "agent.run" })]));
    expect(store.apply([event("task_started", "c1", { workflowId: "child", parentWorkflowId: "wf", parentTaskId: "agent" })])).toBe(true);
    expect(store.root!.children).toEqual(["child"]);
    expect(store.workflows.get("child")!.parent).toEqual({ workflowId: "wf", taskId: "agent" });
    expect(store.apply([event("workflow_succeeded", "", { workflowId: "child" })])).toBe(false);
    expect(store.workflows.get("child")!.state).toBe("succeeded");
  });
});

describe("layoutGraph", () => {
  const items = (n: number) => Array.from({ length: n }, (_, i) => row(`each[${i}]`, { state: i % 10 === 0 ? "failed" : "succeeded" }));

  it("draws a fan-out of 1,000 items as one node with its counts, and at most MAX_EXPANDED_ITEMS of them when expanded", () => {
    const store = new LiveStore("wf");
    store.load(view("wf", [row("list"), row("each", { dependsOn: ["list"] }), ...items(1000)]));
    const collapsed = layoutGraph(store, new Set());
    expect(collapsed.nodes.map((n) => n.key)).toEqual(["wf/list", "wf/each"]);
    expect(collapsed.nodes[1]!.group).toMatchObject({ total: 1000, succeeded: 900, failed: 100 });
    expect(collapsed.edges.map((e) => e.key)).toEqual(["wf/list->wf/each"]);
    const list = collapsed.nodes[0]!;
    const each = collapsed.nodes[1]!;
    expect(each.x).toBeGreaterThan(list.x); // left to right, dependencies first

    const expanded = layoutGraph(store, new Set(["wf/each"]));
    expect(expanded.nodes.filter((n) => n.taskId.startsWith("each[")).length).toBe(MAX_EXPANDED_ITEMS);
    expect(expanded.nodes.find((n) => n.more !== undefined)).toMatchObject({ label: `+${1000 - MAX_EXPANDED_ITEMS} more` });
  });

  it("draws a sub-agent's workflow as a cluster fed by its agent.run task", () => {
    const store = new LiveStore("wf");
    const child = view("child", [row("search"), row("read", { dependsOn: ["search"] })], {
      name: "sub-agent plan",
      parent: { workflowId: "wf", taskId: "agent" },
    });
    store.load(view("wf", [row("agent", { tool: "agent.run" }), row("report", { dependsOn: ["agent"] })], { children: [child] }));
    const graph = layoutGraph(store, new Set());
    const cluster = graph.nodes.find((n) => n.cluster)!;
    expect(cluster).toMatchObject({ key: "cluster/child", label: "sub-agent plan" });
    for (const key of ["child/search", "child/read"]) {
      const n = graph.nodes.find((x) => x.key === key)!;
      expect(Math.abs(n.x - cluster.x)).toBeLessThan(cluster.width / 2);
      expect(Math.abs(n.y - cluster.y)).toBeLessThan(cluster.height / 2);
    }
    expect(graph.edges.find((e) => e.key === "wf/agent->child/search")).toMatchObject({ nested: true });
  });
});
