import { TaskState, WorkflowState, type Workflow } from "@toolmesh/proto";
import { clientFrom, describeGrpcError } from "../connection.js";
import { formatWorkflowResult } from "../summary.js";
import { watchWithProgress } from "./run.js";

export interface TemplateCommandOptions {
  template: string;
  params: Record<string, unknown>;
  address?: string | undefined;
  json: boolean;
  priority?: number | undefined;
}

/**
 * The workflow's final report: the synth.report task nothing else depends on
 * (a template ends with one), if it succeeded.
 */
export function finalReportTask(wf: Workflow): string | undefined {
  const needed = new Set(wf.tasks.flatMap((t) => t.dependsOn));
  return wf.tasks.filter((t) => t.tool === "synth.report" && !needed.has(t.id) && t.state === TaskState.TASK_STATE_SUCCEEDED).at(-1)?.id;
}

/**
 * `toolmesh explore-codebase | explore-web | think-layers | start`: runs the
 * template on the coordinator with live progress per pool and per stage on
 * stderr, then prints the report (Markdown, or the whole workflow as JSON).
 */
export async function templateCommand(options: TemplateCommandOptions): Promise<number> {
  const client = clientFrom(options.address);
  try {
    const id = await client.runTemplate({ template: options.template, params: options.params, priority: options.priority ?? 0 });
    const wf = await watchWithProgress(client, id);
    const reportTask = finalReportTask(wf);
    if (options.json) {
      const report = reportTask ? await client.taskOutput(wf.id, reportTask) : undefined;
      process.stdout.write(`${JSON.stringify({ workflow: wf, report }, null, 2)}\n`);
    } else if (reportTask) {
      const report = await client.taskOutput(wf.id, reportTask);
      process.stdout.write(`${String(report.markdown ?? JSON.stringify(report, null, 2))}\n`);
    } else {
      process.stdout.write(`${formatWorkflowResult(wf)}\n`);
    }
    return wf.state === WorkflowState.WORKFLOW_STATE_SUCCEEDED ? 0 : 1;
  } catch (err) {
    process.stderr.write(`error: ${describeGrpcError(err)}\n`);
    return 1;
  } finally {
    client.close();
  }
}
