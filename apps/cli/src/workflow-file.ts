import type { TaskSpec, WorkflowSpec } from "@toolmesh/proto";
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
  return { name: String(doc.name ?? source), tasks, defaultTimeoutMs: Number(doc.defaultTimeoutMs ?? 0) };
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
