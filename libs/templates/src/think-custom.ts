import { ToolError } from "@toolmesh/core";
import type { TaskSpec } from "@toolmesh/proto";
import { hasPlaceholder, referencedTasks } from "@toolmesh/spec";
import { getTool, parseToolArgs } from "@toolmesh/tools";
import { ALL_SETTLED, idsOf, task, type Join } from "./graph.js";
import { invalidParams } from "./params.js";
import { agentTask } from "./think-agents.js";
import { rootNameProblem, rootRelative } from "./scope.js";
import { THINK_LAYERS, codeScope, type ThinkLayersParsed } from "./think-params.js";

/**
 * Custom layers: each layer's tasks run in parallel and depend on every task
 * of the previous layer (ALL_SETTLED unless the task says otherwise, so one
 * failure does not stop the next layer). A forEach.from or {{tasks.<id>}}
 * may name any earlier layer's task; it is added to dependsOn.
 */
export function customLayers(p: ThinkLayersParsed, layers: NonNullable<ThinkLayersParsed["layers"]>): TaskSpec[] {
  const out: TaskSpec[] = [];
  const earlier = new Set<string>();
  const names = new Set<string>();
  const taken = new Set<string>();
  let previous: string[] = [];
  layers.forEach((l, li) => {
    if (names.has(l.name))
      throw invalidParams(THINK_LAYERS, `params.layers[${li}].name: "${l.name}" is used by an earlier layer; layer names must be unique`);
    names.add(l.name);
    const current: TaskSpec[] = l.tasks.map((t, ti) => {
      const id = t.id ?? `${l.name}-${ti}`;
      const where = `params.layers[${li}].tasks[${ti}] (id "${id}")`;
      if (taken.has(id)) throw invalidParams(THINK_LAYERS, `${where}: duplicate task id; give each task a unique id`);
      taken.add(id);
      const tool = getTool(t.tool);
      if (!tool) throw invalidParams(THINK_LAYERS, `${where}: unknown tool "${t.tool}"`);
      const args = tool.pool === "codebase" ? codebaseArgs(t.args, p.root, where) : t.args;
      try {
        parseToolArgs(t.tool, args);
      } catch (err) {
        // Placeholders are filled at dispatch; the coordinator checks those args again then.
        if (!hasPlaceholder(args)) throw invalidParams(THINK_LAYERS, `${where}: ${err instanceof ToolError ? err.message : String(err)}`);
      }
      const extra: string[] = [];
      for (const ref of referencedTasks(args)) {
        if (!earlier.has(ref)) throw invalidParams(THINK_LAYERS, `${where}: {{tasks.${ref}...}} must name a task of an earlier layer`);
        extra.push(ref);
      }
      if (t.forEach && !earlier.has(t.forEach.from)) {
        throw invalidParams(THINK_LAYERS, `${where}: forEach.from "${t.forEach.from}" must name a task of an earlier layer`);
      }
      const join: Join | undefined = t.fanIn
        ? t.fanIn.mode === "quorum"
          ? { mode: "quorum", quorum: t.fanIn.quorum }
          : t.fanIn.mode === "deadline"
            ? { mode: "deadline", deadlineMs: t.fanIn.deadlineMs }
            : { mode: t.fanIn.mode }
        : li > 0
          ? ALL_SETTLED
          : undefined;
      if (join?.mode === "quorum" && join.quorum < 1) throw invalidParams(THINK_LAYERS, `${where}: fanIn mode "quorum" needs quorum >= 1`);
      if (join?.mode === "deadline" && join.deadlineMs < 1)
        throw invalidParams(THINK_LAYERS, `${where}: fanIn mode "deadline" needs deadlineMs >= 1`);
      return task({
        id,
        tool: t.tool,
        args,
        stage: l.name,
        dependsOn: [...previous, ...extra],
        ...(t.forEach ? { forEach: t.forEach } : {}),
        ...(join ? { fanIn: join } : {}),
        ...(t.timeoutMs ? { timeoutMs: t.timeoutMs } : {}),
      });
    });
    if (p.useAgents && li > 0) {
      if (taken.has(`${l.name}-agent`)) {
        throw invalidParams(THINK_LAYERS, `params.layers[${li}]: task id "${l.name}-agent" is taken; useAgents adds a task of that id`);
      }
      current.push(agentTask(p, l.name, previous, undefined, codeScope(p) !== undefined));
      taken.add(`${l.name}-agent`);
    }
    for (const c of current) earlier.add(c.id);
    out.push(...current);
    previous = idsOf(current);
  });
  return out;
}

/**
 * A codebase task's args with the template's root filled in (unless the task
 * names its own) and its path checked like the template's: relative to the
 * root, no ".." escape. Placeholders are checked by the pool at dispatch.
 */
function codebaseArgs(args: Record<string, unknown>, root: string | undefined, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = root !== undefined && args.root === undefined ? { ...args, root } : { ...args };
  if (typeof out.root === "string" && !hasPlaceholder(out.root)) {
    const problem = rootNameProblem(out.root);
    if (problem) throw invalidParams(THINK_LAYERS, `${where}: args.root: ${problem}`);
  }
  if (typeof out.path === "string" && !hasPlaceholder(out.path)) {
    const checked = rootRelative(out.path);
    if ("problem" in checked) throw invalidParams(THINK_LAYERS, `${where}: args.path: ${checked.problem}`);
    out.path = checked.path;
  }
  return out;
}
