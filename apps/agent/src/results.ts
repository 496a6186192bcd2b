/**
 * What a finished child workflow means to the agent: each task's outcome, the
 * calls it made (fan-out items and child agents' own calls included) and the
 * LLM tokens child agents reported, plus size caps so an agent's own output
 * stays well under a NATS message.
 */
import { TaskState, WorkflowState, type TaskStatus, type Workflow } from "@toolmesh/proto";
import { AGENT_TOOL } from "./batch.js";

export interface TaskOutcome {
  id: string;
  tool: string;
  ok: boolean;
  output?: Record<string, unknown>;
  error?: { code: string; message: string };
}

export interface SettledBatch {
  workflowId: string;
  succeeded: boolean;
  tasks: TaskOutcome[];
  calls: number;
  tokens: { input: number; output: number };
}

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/** Calls a finished task made: one per fan-out item or one, plus a child agent's own. */
function callsOf(task: TaskStatus): number {
  const ran = task.attempt > 0 || task.state === TaskState.TASK_STATE_SUCCEEDED;
  if (!ran) return 0;
  const output = task.output ?? {};
  const items = Array.isArray(output.items) ? output.items.length : 1;
  return items + (task.tool === AGENT_TOOL ? num(output.calls) : 0);
}

export function settleWorkflow(workflow: Workflow): SettledBatch {
  const tokens = { input: 0, output: 0 };
  let calls = 0;
  const tasks = workflow.tasks.map((task): TaskOutcome => {
    calls += callsOf(task);
    if (task.tool === AGENT_TOOL && task.output) {
      const used = (task.output.tokens ?? {}) as Record<string, unknown>;
      tokens.input += num(used.input);
      tokens.output += num(used.output);
    }
    const ok = task.state === TaskState.TASK_STATE_SUCCEEDED;
    return {
      id: task.id,
      tool: task.tool,
      ok,
      ...(ok ? { output: task.output ?? {} } : {}),
      ...(!ok ? { error: { code: task.error?.code || stateName(task.state), message: task.error?.message ?? "" } } : {}),
    };
  });
  return { workflowId: workflow.id, succeeded: workflow.state === WorkflowState.WORKFLOW_STATE_SUCCEEDED, tasks, calls, tokens };
}

function stateName(state: TaskState): string {
  return state === TaskState.TASK_STATE_CANCELLED ? "CANCELLED" : "INTERNAL";
}

/** `value` as is when its JSON fits in `maxChars`, else a truncated preview that says so. */
export function capJson(value: unknown, maxChars: number): unknown {
  const json = JSON.stringify(value) ?? "null";
  if (json.length <= maxChars) return value;
  return { truncated: true, chars: json.length, preview: json.slice(0, maxChars) };
}

/** The same as text for an LLM: the JSON, cut at `maxChars` with a note saying how much was left out. */
export function capText(value: unknown, maxChars: number): string {
  const json = JSON.stringify(value) ?? "null";
  if (json.length <= maxChars) return json;
  return `${json.slice(0, maxChars)}\n[truncated: ${json.length - maxChars} of ${json.length} characters left out]`;
}

/**
 * Outputs by task id, each capped at `perTask` characters and all together at
 * `total`; tasks past the total are listed with a note instead of dropped.
 */
export function boundedOutputs(outcomes: TaskOutcome[], perTask: number, total: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let used = 0;
  for (const outcome of outcomes) {
    if (!outcome.ok) continue;
    const capped = capJson(outcome.output, perTask);
    const size = (JSON.stringify(capped) ?? "").length;
    if (used + size > total) {
      out[outcome.id] = { truncated: true, note: "left out: the agent's output size cap was reached" };
      continue;
    }
    used += size;
    out[outcome.id] = capped;
  }
  return out;
}

/** A short account of a batch: which tasks ran, which failed and why, and a report's markdown if one was made. */
export function digest(batch: SettledBatch): string {
  const ok = batch.tasks.filter((t) => t.ok);
  const failed = batch.tasks.filter((t) => !t.ok);
  const lines = [
    `workflow ${batch.workflowId}: ${ok.length} of ${batch.tasks.length} tasks succeeded${ok.length ? ` (${ok.map((t) => t.id).join(", ")})` : ""}.`,
  ];
  for (const t of failed) lines.push(`- ${t.id} (${t.tool}) failed: ${t.error?.code}: ${t.error?.message}`);
  for (const t of ok) {
    if (t.tool === "synth.report" && typeof t.output?.markdown === "string") lines.push("", t.output.markdown);
    if (t.tool === AGENT_TOOL && typeof t.output?.answer === "string") lines.push(`- ${t.id} answered: ${firstLine(t.output.answer)}`);
  }
  return lines.join("\n");
}

const firstLine = (s: string): string => (s.split("\n", 1)[0] ?? "").slice(0, 300);
