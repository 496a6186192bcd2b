import { FanInMode, WorkflowSpec, type FanIn, type ForEach, type TaskSpec } from "@toolmesh/proto";
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";

/** A workflow file that cannot be read as a spec; says where and what to fix. */
export class WorkflowFileError extends Error {
  override readonly name = "WorkflowFileError";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads a workflow from YAML or JSON (JSON is YAML) into a WorkflowSpec.
 * Only the shape is checked here; tools, arguments and the graph are
 * validated by the coordinator, which says exactly what is wrong.
 */
export function parseWorkflow(text: string, source = "workflow"): WorkflowSpec {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new WorkflowFileError(`${source}: not valid YAML/JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isRecord(doc)) throw new WorkflowFileError(`${source}: expected a mapping with "name" and "tasks"`);
  if (!Array.isArray(doc.tasks)) throw new WorkflowFileError(`${source}: "tasks" must be a list`);
  const tasks: TaskSpec[] = doc.tasks.map((raw: unknown, index: number) => {
    if (!isRecord(raw)) throw new WorkflowFileError(`${source}: tasks[${index}] must be a mapping`);
    const dependsOn = raw.dependsOn ?? [];
    if (!Array.isArray(dependsOn) || !dependsOn.every((d) => typeof d === "string")) {
      throw new WorkflowFileError(`${source}: tasks[${index}].dependsOn must be a list of task ids`);
    }
    if (raw.args !== undefined && !isRecord(raw.args)) throw new WorkflowFileError(`${source}: tasks[${index}].args must be a mapping`);
    const retry = raw.retry;
    if (retry !== undefined && !isRecord(retry)) throw new WorkflowFileError(`${source}: tasks[${index}].retry must be a mapping`);
    return {
      forEach: forEachOf(raw.forEach, `${source}: tasks[${index}].forEach`),
      fanIn: fanInOf(raw.fanIn, `${source}: tasks[${index}].fanIn`),
      stage: String(raw.stage ?? ""),
      id: String(raw.id ?? ""),
      tool: String(raw.tool ?? ""),
      args: (raw.args as Record<string, unknown> | undefined) ?? {},
      dependsOn,
      timeoutMs: Number(raw.timeoutMs ?? 0),
      retry: retry
        ? {
            maxAttempts: Number(retry.maxAttempts ?? 1),
            initialBackoffMs: Number(retry.initialBackoffMs ?? 0),
            backoffMultiplier: Number(retry.backoffMultiplier ?? 0),
            maxBackoffMs: Number(retry.maxBackoffMs ?? 0),
          }
        : undefined,
    };
  });
  const limits = doc.limits;
  if (limits !== undefined && !isRecord(limits)) throw new WorkflowFileError(`${source}: "limits" must be a mapping`);
  return WorkflowSpec.fromPartial({
    name: String(doc.name ?? source),
    tasks,
    defaultTimeoutMs: Number(doc.defaultTimeoutMs ?? 0),
    priority: Number(doc.priority ?? 0),
    ...(limits ? { limits: { maxConcurrency: Number(limits.maxConcurrency ?? 0), maxCalls: Number(limits.maxCalls ?? 0) } } : {}),
  });
}

function forEachOf(raw: unknown, where: string): ForEach | undefined {
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) throw new WorkflowFileError(`${where} must be a mapping with "from" and "items"`);
  return { from: String(raw.from ?? ""), items: String(raw.items ?? ""), maxItems: Number(raw.maxItems ?? 0), match: String(raw.match ?? "") };
}

const FAN_IN_MODES: Record<string, FanInMode> = {
  all: FanInMode.FAN_IN_MODE_ALL,
  all_settled: FanInMode.FAN_IN_MODE_ALL_SETTLED,
  first_success: FanInMode.FAN_IN_MODE_FIRST_SUCCESS,
  quorum: FanInMode.FAN_IN_MODE_QUORUM,
  deadline: FanInMode.FAN_IN_MODE_DEADLINE,
};

function fanInOf(raw: unknown, where: string): FanIn | undefined {
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) throw new WorkflowFileError(`${where} must be a mapping with "mode"`);
  const mode = FAN_IN_MODES[String(raw.mode ?? "all").toLowerCase().replaceAll("-", "_")];
  if (mode === undefined) throw new WorkflowFileError(`${where}.mode must be one of ${Object.keys(FAN_IN_MODES).join(", ")}`);
  return { mode, quorum: Number(raw.quorum ?? 0), deadlineMs: Number(raw.deadlineMs ?? 0) };
}

export async function readWorkflowFile(path: string): Promise<WorkflowSpec> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new WorkflowFileError(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseWorkflow(text, path);
}
