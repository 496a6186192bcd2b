import { useMemo } from "preact/hooks";
import { groupCounts, layoutGraph, splitTasks, type GraphNode } from "./graph.js";
import type { LiveStore } from "./live.js";

interface DagViewProps {
  store: LiveStore;
  /** store.shape when the layout was last needed: a new task or workflow lays the graph out again, a state change only recolours it. */
  shape: number;
  expanded: ReadonlySet<string>;
  selected: string | undefined;
  onSelect: (node: { workflowId: string; taskId: string; group: boolean }) => void;
}

const path = (points: Array<{ x: number; y: number }>): string =>
  points.map((p, i) => `${i ? "L" : "M"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");

/** The live counts and state of a node: positions come from the layout, colours from the store's latest events. */
function liveNode(store: LiveStore, node: GraphNode): GraphNode {
  const wf = store.workflows.get(node.workflowId);
  if (node.cluster) return { ...node, label: wf?.name ?? node.label, state: wf?.state ?? "unknown" };
  if (node.more !== undefined) return node;
  const task = wf?.tasks.get(node.taskId);
  if (!wf || !task) return node;
  if (!node.group) return { ...node, state: task.state };
  return { ...node, state: task.state, group: groupCounts(splitTasks(wf).items.get(node.taskId) ?? []) };
}

function countsText(node: GraphNode): string {
  const g = node.group!;
  const parts = [`${g.succeeded}/${g.total} ✓`];
  if (g.failed) parts.push(`${g.failed} ✗`);
  if (g.running) parts.push(`${g.running} ▶`);
  return parts.join(" ");
}

export function DagView({ store, shape, expanded, selected, onSelect }: DagViewProps) {
  // shape stands for the store's structure: laid out again only when tasks or workflows appear.
  const layout = useMemo(() => layoutGraph(store, expanded), [store, shape, expanded]);
  return (
    <div class="dag" data-testid="dag">
      <svg width={Math.max(layout.width, 200)} height={Math.max(layout.height, 60)} role="img" aria-label="workflow graph">
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead" />
          </marker>
        </defs>
        {layout.edges.map((e) => (
          <path key={e.key} d={path(e.points)} class={e.nested ? "edge nested" : "edge"} marker-end="url(#arrow)" />
        ))}
        {layout.nodes.map((raw) => {
          const node = liveNode(store, raw);
          const x = node.x - node.width / 2;
          const y = node.y - node.height / 2;
          if (node.cluster) {
            return (
              <g key={node.key} class={`cluster state-${node.state}`} data-workflow={node.workflowId}>
                <rect x={x} y={y} width={node.width} height={node.height} rx="8" />
                <text x={x + 8} y={y + 14} class="cluster-label">
                  sub-agent: {node.label}
                </text>
              </g>
            );
          }
          const key = `${node.workflowId}/${node.taskId}`;
          if (node.more !== undefined) {
            return (
              <g key={node.key} class="more" onClick={() => onSelect({ workflowId: node.workflowId, taskId: node.taskId, group: false })}>
                <rect x={x} y={y} width={node.width} height={node.height} rx="6" />
                <text x={x + 8} y={y + 17}>
                  {node.label} (in the list)
                </text>
              </g>
            );
          }
          const small = node.height < 40;
          return (
            <g
              key={node.key}
              class={`node state-${node.state}${node.group ? " group" : ""}${selected === key ? " selected" : ""}`}
              data-task={node.taskId}
              data-state={node.state}
              data-workflow={node.workflowId}
              onClick={() => onSelect({ workflowId: node.workflowId, taskId: node.taskId, group: Boolean(node.group) })}
            >
              <title>{`${node.taskId} (${node.tool}): ${node.state}`}</title>
              <rect x={x} y={y} width={node.width} height={node.height} rx="6" />
              <text x={x + 8} y={y + 17} class="label">
                {node.label.length > 22 ? `${node.label.slice(0, 21)}…` : node.label}
              </text>
              {!small && (
                <text x={x + 8} y={y + 33} class="sub">
                  {node.group ? `${countsText(node)} ${expanded.has(key) ? "▾" : "▸"}` : node.tool}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </div>
  );
}
