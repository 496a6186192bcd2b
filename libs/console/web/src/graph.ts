import dagre from "@dagrejs/dagre";
import type { TaskStateName } from "./api.js";
import { itemOf, type LiveStore, type LiveTask, type LiveWorkflow } from "./live.js";

export interface GroupCounts {
  total: number;
  succeeded: number;
  failed: number;
  running: number;
  cancelled: number;
}

export interface GraphNode {
  /** `<workflow id>/<task id>`, or `cluster/<workflow id>` for a sub-agent's workflow. */
  key: string;
  workflowId: string;
  taskId: string;
  label: string;
  tool: string;
  state: TaskStateName;
  /** A fan-out: its items' counts (the node stands for all of them until expanded). */
  group?: GroupCounts;
  cluster?: boolean;
  /** Stands for the items of an expanded fan-out past MAX_EXPANDED_ITEMS (the task list has them all). */
  more?: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface GraphEdge {
  key: string;
  points: Array<{ x: number; y: number }>;
  /** From an agent.run task to its sub-agent's workflow. */
  nested: boolean;
}

export interface Layout {
  nodes: GraphNode[];
  edges: GraphEdge[];
  width: number;
  height: number;
}

/** Items of an expanded fan-out drawn at most; the task list shows all of them. */
export const MAX_EXPANDED_ITEMS = 24;
const NODE_W = 170;
const NODE_H = 44;
const ITEM_H = 26;

export function groupCounts(items: readonly LiveTask[]): GroupCounts {
  const counts: GroupCounts = { total: items.length, succeeded: 0, failed: 0, running: 0, cancelled: 0 };
  for (const t of items) {
    if (t.state === "succeeded") counts.succeeded++;
    else if (t.state === "failed") counts.failed++;
    else if (t.state === "running") counts.running++;
    else if (t.state === "cancelled") counts.cancelled++;
  }
  return counts;
}

/** Plain tasks and, per fan-out task, its items in index order. */
export function splitTasks(wf: LiveWorkflow): { plain: LiveTask[]; items: Map<string, LiveTask[]> } {
  const plain: LiveTask[] = [];
  const items = new Map<string, LiveTask[]>();
  for (const t of wf.tasks.values()) {
    const item = itemOf(t.id);
    if (item) items.set(item.group, [...(items.get(item.group) ?? []), t]);
    else plain.push(t);
  }
  for (const list of items.values()) list.sort((a, b) => (itemOf(a.id)?.index ?? 0) - (itemOf(b.id)?.index ?? 0));
  return { plain, items };
}

/**
 * The DAG laid out by dagre (left to right): a node per task, a fan-out as
 * one node with its items' counts (its items drawn only when expanded, and
 * at most MAX_EXPANDED_ITEMS), an edge per dependency, and each sub-agent's
 * workflow as a cluster hanging off its agent.run task.
 */
export function layoutGraph(store: LiveStore, expanded: ReadonlySet<string>): Layout {
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: false });
  g.setGraph({ rankdir: "LR", nodesep: 14, ranksep: 46, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  const info = new Map<string, Omit<GraphNode, "x" | "y" | "width" | "height">>();
  const nested = new Set<string>();

  const addWorkflow = (wf: LiveWorkflow, cluster: string | undefined): void => {
    const { plain, items } = splitTasks(wf);
    const key = (taskId: string): string => `${wf.id}/${taskId}`;
    for (const t of plain) {
      const group = items.get(t.id);
      info.set(key(t.id), {
        key: key(t.id),
        workflowId: wf.id,
        taskId: t.id,
        label: t.id,
        tool: t.tool,
        state: t.state,
        ...(group ? { group: groupCounts(group) } : {}),
      });
      g.setNode(key(t.id), { width: NODE_W, height: NODE_H });
      if (cluster) g.setParent(key(t.id), cluster);
      if (group && expanded.has(key(t.id))) {
        for (const item of group.slice(0, MAX_EXPANDED_ITEMS)) {
          info.set(key(item.id), {
            key: key(item.id),
            workflowId: wf.id,
            taskId: item.id,
            label: item.id,
            tool: item.tool,
            state: item.state,
          });
          g.setNode(key(item.id), { width: NODE_W * 0.7, height: ITEM_H });
          if (cluster) g.setParent(key(item.id), cluster);
          g.setEdge(key(t.id), key(item.id));
        }
        if (group.length > MAX_EXPANDED_ITEMS) {
          const more = `${key(t.id)}/more`;
          const count = group.length - MAX_EXPANDED_ITEMS;
          info.set(more, { key: more, workflowId: wf.id, taskId: t.id, label: `+${count} more`, tool: "", state: "unknown", more: count });
          g.setNode(more, { width: NODE_W * 0.7, height: ITEM_H });
          if (cluster) g.setParent(more, cluster);
          g.setEdge(key(t.id), more);
        }
      }
    }
    const ids = new Set(plain.map((t) => t.id));
    for (const t of plain) for (const dep of t.dependsOn) if (ids.has(dep)) g.setEdge(key(dep), key(t.id));
    for (const childId of wf.children) {
      const child = store.workflows.get(childId);
      if (!child) continue;
      const clusterKey = `cluster/${child.id}`;
      info.set(clusterKey, {
        key: clusterKey,
        workflowId: child.id,
        taskId: "",
        label: child.name,
        tool: "",
        state: "unknown",
        cluster: true,
      });
      g.setNode(clusterKey, {});
      if (cluster) g.setParent(clusterKey, cluster);
      addWorkflow(child, clusterKey);
      // dagre draws no edge to a cluster: the agent's task points at the child's first tasks.
      const parentTask = child.parent?.taskId;
      if (parentTask && ids.has(parentTask)) {
        for (const t of splitTasks(child).plain.filter((t) => t.dependsOn.length === 0)) {
          g.setEdge(key(parentTask), `${child.id}/${t.id}`);
          nested.add(`${key(parentTask)}->${child.id}/${t.id}`);
        }
      }
    }
  };
  const root = store.root;
  if (root) addWorkflow(root, undefined);
  dagre.layout(g);

  const nodes: GraphNode[] = [];
  for (const id of g.nodes()) {
    const n = g.node(id) as { x: number; y: number; width: number; height: number } | undefined;
    const meta = info.get(id);
    if (n && meta) nodes.push({ ...meta, x: n.x, y: n.y, width: n.width, height: n.height });
  }
  // Clusters first: they are drawn behind their nodes.
  nodes.sort((a, b) => Number(Boolean(b.cluster)) - Number(Boolean(a.cluster)));
  const edges: GraphEdge[] = g.edges().map((e) => {
    const key = `${e.v}->${e.w}`;
    return { key, points: (g.edge(e) as { points: Array<{ x: number; y: number }> }).points, nested: nested.has(key) };
  });
  const graph = g.graph() as { width?: number; height?: number };
  return { nodes, edges, width: graph.width ?? 0, height: graph.height ?? 0 };
}
